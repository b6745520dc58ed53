"""Drafts: New concern restores the draft, typing never starts a second one, discarding asks first."""

import uuid

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from concerns.models import ConcernDraft

NEW = reverse("concerns:new")
SAVE = reverse("concerns:draft_save")


def test_reopening_new_concern_restores_the_latest_draft_into_the_form(client, cast):
    client.force_login(cast.clinician)
    key = uuid.uuid4()
    client.post(SAVE, {"submission_key": str(key), "own_words": "She said he hurt her.", "urgency": "same_day"})

    html = client.get(NEW).content.decode()

    assert "She said he hurt her." in html
    assert f'name="submission_key" value="{key}"' in html
    assert "You are continuing your draft" in html
    assert "There is a problem" not in html  # a half-typed draft is not a mistake


def test_typing_in_the_reopened_form_updates_the_same_draft(client, cast):
    client.force_login(cast.clinician)
    key = uuid.uuid4()
    client.post(SAVE, {"submission_key": str(key), "own_words": "first words"})
    html = client.get(NEW).content.decode()
    # The page's key is the draft's, so the autosave of what is typed next writes to the same draft.
    shown_key = html.split('name="submission_key" value="', 1)[1].split('"', 1)[0]
    client.post(SAVE, {"submission_key": shown_key, "own_words": "first words, and more"})
    assert ConcernDraft.objects.count() == 1
    assert ConcernDraft.objects.get().data["own_words"] == ["first words, and more"]


def test_a_second_draft_only_when_asked_for(client, cast):
    client.force_login(cast.clinician)
    first = uuid.uuid4()
    client.post(SAVE, {"submission_key": str(first), "own_words": "first concern"})
    html = client.get(NEW + "?new=1").content.decode()
    assert "first concern" not in html.split('id="concern-form"', 1)[1]
    assert "You have an unfinished draft from" in html  # the other draft is still offered
    new_key = html.split('name="submission_key" value="', 1)[1].split('"', 1)[0]
    assert new_key != str(first)


def test_discarding_asks_first_and_only_a_confirmed_post_deletes(client, cast):
    client.force_login(cast.clinician)
    key = uuid.uuid4()
    client.post(SAVE, {"submission_key": str(key), "summary": "A half-written summary"})
    url = reverse("concerns:draft_discard", args=[key])

    question = client.get(url + "?next=new")
    assert question.status_code == 200
    assert "Discard this draft?" in question.content.decode()
    assert "A half-written summary" in question.content.decode()
    unconfirmed = client.post(url, {"next": "new"})
    assert unconfirmed.status_code == 200 and ConcernDraft.objects.filter(submission_key=key).exists()

    confirmed = client.post(url, {"next": "new", "confirm": "yes"})
    assert confirmed.status_code == 302 and confirmed["Location"] == NEW
    assert not ConcernDraft.objects.exists()


def test_my_concerns_lists_drafts_with_their_last_save_time(client, cast):
    client.force_login(cast.clinician)
    key = uuid.uuid4()
    client.post(SAVE, {"submission_key": str(key), "summary": "half"})
    draft = ConcernDraft.objects.get()
    html = client.get(reverse("concerns:mine")).content.decode()
    assert date_format(timezone.localtime(draft.updated_at), "j F Y, H:i") in html


def test_a_restored_draft_opens_the_sections_that_hold_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    key = uuid.uuid4()
    client.post(SAVE, {"submission_key": str(key), "opinion": "My view", "urgency": "same_day"})
    html = client.get(NEW).content.decode()
    assert 'id="more-account" open' in html
    assert 'id="more-prior" open' not in html


def test_the_client_page_reports_a_concern_about_that_client(client, cast):
    from consent.models import Client

    record = Client.objects.create(team=cast.team, reference="AT-9", created_by=cast.clinician)
    elsewhere = Client.objects.create(team=cast.other_team, reference="OT-1", created_by=cast.clinician_other_team)
    client.force_login(cast.clinician)
    client.post(SAVE, {"submission_key": str(uuid.uuid4()), "own_words": "an older draft"})
    page = client.get(reverse("consent:client_detail", args=[record.pk])).content.decode()
    link = f"{NEW}?new=1&amp;client={record.pk}"
    assert "Report a concern about this client" in page and link in page

    html = client.get(f"{NEW}?new=1&client={record.pk}").content.decode()
    assert f'<option value="{record.pk}" selected>' in html
    assert "an older draft" not in html.split('id="concern-form"', 1)[1]
    # A client the person may not file about is not chosen (and not even listed).
    html = client.get(f"{NEW}?new=1&client={elsewhere.pk}").content.decode()
    assert f'value="{elsewhere.pk}"' not in html

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from concerns.models import Addendum, Concern, ConcernDraft
from tests.factories.concerns import intake_form_data, submit_test_concern

NEW = reverse("concerns:new")


def valid_post(key=None, **overrides):
    return intake_form_data(key, **overrides)


@pytest.fixture
def clinician_client(client, cast):
    client.force_login(cast.clinician)
    return client


def test_new_concern_page_asks_about_immediate_danger_first(clinician_client):
    response = clinician_client.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('name="immediate_danger"') < html.index('name="summary"')
    assert 'hx-get="/consent/clients/limits-status/"' in html or "limits-status" in html
    assert "<script>" not in html and " onclick=" not in html and ' style="' not in html


def test_managers_cannot_file(client, cast):
    client.force_login(cast.manager)
    assert client.get(NEW).status_code == 403


def test_submit_creates_one_concern_even_when_posted_twice(clinician_client, cast):
    data = valid_post()
    first = clinician_client.post(NEW, data)
    second = clinician_client.post(NEW, data)
    concern = Concern.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("concerns:submitted", args=[concern.pk])
    alleged = concern.alleged_persons.get()
    assert (alleged.role, alleged.position_of_trust, alleged.name) == ("foster_carer", "yes", "")
    assert concern.prior_reports.count() == 0  # the untouched blank form is not a report
    page = clinician_client.get(first["Location"])
    assert concern.reference in page.content.decode()
    assert "Leah Lead" in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("own_words", "She said\x00 this", "control character"),
        ("summary", "A summary\x07", "control character"),
        ("persons-0-description", "bad\x1b[0m", "control character"),
        ("summary", "x" * 501, "at most 500 characters"),
        ("own_words", "x" * 100001, "at most 100000 characters"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_lost(clinician_client, field, value, message):
    data = valid_post(**{field: value})
    response = clinician_client.post(NEW, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert Concern.objects.count() == 0
    # What was typed is still in the form, and kept as a draft.
    kept = "He did things to me when I was little." if field != "own_words" else "Adult client disclosed"
    assert kept in html
    draft = ConcernDraft.objects.get(submission_key=data["submission_key"])
    assert draft.data["urgency"] == ["same_day"]


def test_tab_and_newlines_are_allowed(clinician_client):
    response = clinician_client.post(NEW, valid_post(own_words="Line one\r\n\tLine two"))
    assert response.status_code == 302
    assert Concern.objects.get().own_words == "Line one\r\n\tLine two"


def test_emergency_action_required_when_danger_is_yes(clinician_client):
    response = clinician_client.post(NEW, valid_post(immediate_danger="yes"))
    assert response.status_code == 200
    assert "call 999, then record here what you did" in response.content.decode()
    response = clinician_client.post(NEW, valid_post(immediate_danger="unsure", emergency_action="999"))
    assert response.status_code == 302


def test_no_identifying_field_is_required_in_the_form(clinician_client):
    data = valid_post()
    data.update({"persons-0-description": "", "alleged-0-identity": "unknown"})
    assert clinician_client.post(NEW, data).status_code == 302


def test_add_another_without_javascript_keeps_text_and_adds_a_form(clinician_client):
    response = clinician_client.post(NEW, valid_post(add="persons"))
    html = response.content.decode()
    assert 'name="persons-1-kind"' in html
    assert "Children placed with the foster carer" in html
    assert "There is a problem" not in html


def test_draft_autosave_is_private_to_its_author(client, cast):
    key = uuid.uuid4()
    client.force_login(cast.clinician)
    response = client.post(reverse("concerns:draft_save"), {"submission_key": str(key), "own_words": "typed"})
    assert response.status_code == 200 and "display" in response.json()
    page = client.get(NEW + f"?draft={key}")
    assert "typed" in page.content.decode()

    client.force_login(cast.other_clinician)
    assert client.get(NEW + f"?draft={key}").status_code == 404
    assert client.post(reverse("concerns:draft_discard", args=[key])).status_code == 404
    overwrite = client.post(reverse("concerns:draft_save"), {"submission_key": str(key), "own_words": "x"})
    assert overwrite.status_code == 409
    assert "unfinished draft" not in client.get(reverse("concerns:mine")).content.decode()
    assert ConcernDraft.objects.get(submission_key=key).data["own_words"] == ["typed"]


def test_draft_save_when_signed_out_answers_401_not_a_login_page(client):
    response = client.post(reverse("concerns:draft_save"), {"submission_key": str(uuid.uuid4())})
    assert response.status_code == 401
    assert response.json()["error"] == "signed_out"


def test_my_concerns_offers_the_draft_and_discard_removes_it(clinician_client, cast):
    key = uuid.uuid4()
    clinician_client.post(reverse("concerns:draft_save"), {"submission_key": str(key), "summary": "half"})
    html = clinician_client.get(reverse("concerns:mine")).content.decode()
    assert "You have an unfinished draft from" in html and f"?draft={key}" in html
    clinician_client.post(reverse("concerns:draft_discard", args=[key]), {"confirm": "yes"})
    assert not ConcernDraft.objects.exists()


def test_submitting_removes_the_draft(clinician_client):
    data = valid_post()
    clinician_client.post(reverse("concerns:draft_save"), data)
    assert ConcernDraft.objects.count() == 1
    clinician_client.post(NEW, data)
    assert ConcernDraft.objects.count() == 0


def test_my_concerns_query_count_does_not_grow_with_rows(clinician_client, cast):
    url = reverse("concerns:mine")
    submit_test_concern(reporter=cast.clinician)
    clinician_client.get(url)
    with CaptureQueriesContext(connection) as one:
        clinician_client.get(url)
    for _ in range(4):
        concern = submit_test_concern(reporter=cast.clinician)
        Concern.objects.filter(pk=concern.pk).update(
            status="acknowledged", acknowledged_by=cast.lead, acknowledged_at=concern.submitted_at
        )
    with CaptureQueriesContext(connection) as five:
        response = clinician_client.get(url)
    assert response.content.decode().count("Leah Lead") == 4
    assert len(five) == len(one)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("clinician", 200),
        ("other_clinician", 404),
        ("clinician_other_team", 404),
        ("lead", 200),
        ("deputy", 200),
        ("lead_other_team", 404),
    ],
)
def test_concern_page_access(client, cast, persona, status):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(getattr(cast, persona))
    for name in ("concerns:detail", "concerns:print"):
        assert client.get(reverse(name, args=[concern.pk])).status_code == status
    assert AuditEvent.objects.filter(action="concern.viewed", subject_ref=concern.reference).count() == (
        2 if status == 200 else 0
    )


def test_concern_about_a_staff_member_is_hidden_from_them_even_as_covering_lead(client, cast):
    concern = submit_test_concern(
        reporter=cast.clinician,
        alleged_persons=[dict(identity="known", name="Dev Deputy", staff_member=cast.deputy)],
    )
    client.force_login(cast.deputy)
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404
    client.force_login(cast.lead)
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 200


def test_concern_page_records_the_view_and_shows_everything(clinician_client, cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_role="foster_carer", alleged_position_of_trust="yes")
    response = clinician_client.get(reverse("concerns:detail", args=[concern.pk]))
    html = response.content.decode()
    for text in (
        concern.reference,
        "Foster carer",
        "Children placed with the foster carer",
        "He did things to me when I was little.",
        "He is now a foster carer.",
        "Sexual abuse",
    ):
        assert text in html
    event = AuditEvent.objects.get(action="concern.viewed")
    assert (event.actor, event.subject_ref, event.details) == (cast.clinician, concern.reference, {"page": "page"})


def test_addenda_are_appended_in_order_and_audited(clinician_client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    url = reverse("concerns:addendum_add", args=[concern.pk])
    assert clinician_client.post(url, {"text": "First later note."}).status_code == 302
    assert clinician_client.post(url, {"text": "Second later note."}).status_code == 302
    bad = clinician_client.post(url, {"text": "bad\x00"})
    assert bad.status_code == 200 and "control character" in bad.content.decode()
    html = clinician_client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert html.index("First later note.") < html.index("Second later note.")
    assert AuditEvent.objects.filter(action="concern.addendum_added", subject_ref=concern.reference).count() == 2
    assert Addendum.objects.count() == 2


def test_other_clinician_cannot_add_an_addendum(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.other_clinician)
    assert client.post(reverse("concerns:addendum_add", args=[concern.pk]), {"text": "x"}).status_code == 404


def test_an_organisation_wide_lead_sees_every_teams_concerns(cast, client):
    """covers_all_teams: the concern page and the visible set include every team."""
    from concerns.selectors import concerns_visible_to

    concern = submit_test_concern(reporter=cast.clinician_other_team)
    cast.lead.covers_all_teams = True
    cast.lead.save(update_fields=["covers_all_teams"])
    cast.lead.covered_teams.clear()
    assert concerns_visible_to(cast.lead).filter(pk=concern.pk).exists()
    client.force_login(cast.lead)
    assert client.get(concern.get_absolute_url()).status_code == 200

"""Nothing typed is ever cut: free text holds 100,000 characters of any script, and the draft keeps
even what is too long to submit."""

import uuid

from django.urls import reverse

from concerns.models import Concern, ConcernDraft
from concerns.validators import FREE_TEXT_LIMIT
from tests.factories.concerns import intake_form_data

# Greek, Arabic, Chinese and emoji (emoji are two UTF-16 units each: a browser's maxlength counted them twice).
MIXED = "Καλημέρα κόσμε مرحبا بالعالم 你好，世界 😀👩‍👧🚸 "


def mixed_text(length: int) -> str:
    return (MIXED * (length // len(MIXED) + 1))[:length]


def test_free_text_holds_100000_characters_of_mixed_scripts_exactly(client, cast):
    client.force_login(cast.clinician)
    text = mixed_text(FREE_TEXT_LIMIT)
    response = client.post(reverse("concerns:new"), intake_form_data(None, own_words=text, observations=text))
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.own_words == text and concern.observations == text


def test_the_form_gives_the_browser_no_maxlength_to_cut_with(client, cast):
    client.force_login(cast.clinician)
    html = client.get(reverse("concerns:new") + "?new=1").content.decode()
    assert "maxlength" not in html
    assert 'data-max-characters="500"' in html  # the summary's limit is stated, and counted by the page


def test_an_over_long_answer_is_refused_with_a_message_and_the_draft_keeps_all_of_it(client, cast):
    client.force_login(cast.clinician)
    text = mixed_text(FREE_TEXT_LIMIT + 10)
    data = intake_form_data(None, own_words=text)
    response = client.post(reverse("concerns:new"), data)
    assert response.status_code == 200
    assert f"at most {FREE_TEXT_LIMIT} characters" in response.content.decode()
    assert ConcernDraft.objects.get(submission_key=data["submission_key"]).data["own_words"] == [text]


def test_autosave_keeps_a_whole_long_paste(client, cast):
    client.force_login(cast.clinician)
    key = uuid.uuid4()
    text = mixed_text(FREE_TEXT_LIMIT * 2)
    response = client.post(reverse("concerns:draft_save"), {"submission_key": str(key), "own_words": text})
    assert response.status_code == 200
    assert ConcernDraft.objects.get(submission_key=key).data["own_words"] == [text]

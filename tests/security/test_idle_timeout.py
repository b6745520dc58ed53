"""Idle means no action of the person: background polling does not extend the session."""

import time

import time_machine
from django.test import Client

from tests.conftest import SecondFactorClient

BACKGROUND = {"X-Background-Request": "true"}
MINUTE = 60


def _still_signed_in(client: Client) -> bool:
    response = client.get("/queue/")
    return response.status_code == 200


def test_polling_for_the_count_and_the_queue_does_not_keep_the_session_alive(cast):
    client = SecondFactorClient()
    client.force_login(cast.lead)
    start = time.time()
    for minutes in (1, 5, 10, 14):  # the tab stays open; its timers poll
        with time_machine.travel(start + minutes * MINUTE):
            assert client.get("/notifications/count/", headers=BACKGROUND).status_code == 200
            assert client.get("/queue/", headers={"HX-Request": "true", **BACKGROUND}).status_code == 200
    with time_machine.travel(start + 16 * MINUTE):  # fifteen minutes after the last action
        assert not _still_signed_in(client)
        assert client.get("/notifications/count/", headers=BACKGROUND).status_code != 200


def test_an_action_of_the_person_does_extend_the_session(cast):
    client = SecondFactorClient()
    client.force_login(cast.lead)
    start = time.time()
    with time_machine.travel(start + 10 * MINUTE):
        assert client.get("/concerns/").status_code in (200, 302)  # a page the person opened
    with time_machine.travel(start + 16 * MINUTE):
        assert _still_signed_in(client)


def test_the_session_status_says_how_long_is_left_without_extending_it(cast):
    client = SecondFactorClient()
    client.force_login(cast.lead)
    start = time.time()
    with time_machine.travel(start + 13 * MINUTE + 30):
        status = client.get("/session/", headers=BACKGROUND).json()
        assert status["signed_in"] and 60 <= status["remaining_seconds"] <= 120  # the dialog opens
    with time_machine.travel(start + 14 * MINUTE):
        stay = client.post("/session/").json()  # "Stay signed in"
        assert stay["signed_in"] and stay["remaining_seconds"] == 15 * MINUTE
    with time_machine.travel(start + 20 * MINUTE):
        assert _still_signed_in(client)
    with time_machine.travel(start + 40 * MINUTE):
        assert client.get("/session/", headers=BACKGROUND).json() == {"signed_in": False, "remaining_seconds": 0}


def test_every_signed_in_page_carries_the_idle_dialog_and_no_inline_script(cast):
    client = SecondFactorClient()
    client.force_login(cast.clinician)
    html = client.get("/concerns/").content.decode()
    assert 'id="idle-dialog"' in html and "js/idle.js" in html
    assert "Stay signed in" in html

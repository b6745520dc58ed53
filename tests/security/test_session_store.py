"""The session store: an unchanged session's save pushes its expiry on, at most once a minute,
and writes nothing else; a changed one is saved whole; one ended meanwhile is not brought back."""

import time

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import SecondFactorClient

pytestmark = pytest.mark.django_db
MINUTE = 60


def _session_writes(client, url, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **kwargs).status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    ]


def _signed_in(user) -> SecondFactorClient:
    client = SecondFactorClient()
    client.force_login(user)
    return client


def test_an_unchanged_session_writes_only_its_new_expiry(cast):
    client = _signed_in(cast.lead)
    client.get("/queue/")
    key = client.session.session_key
    before = Session.objects.get(pk=key)
    start = time.time()
    with time_machine.travel(start + 5 * MINUTE):
        writes = _session_writes(client, "/queue/")
    assert len(writes) == 1 and '"session_data"' not in writes[0].split("WHERE")[0], writes
    after = Session.objects.get(pk=key)
    assert after.session_data == before.session_data
    assert (after.expire_date - before.expire_date).total_seconds() >= 5 * MINUTE - 1


def test_the_expiry_is_written_at_most_once_a_minute_and_the_limit_never_runs_late(cast):
    start = time.time()
    with time_machine.travel(start, tick=False):
        client = _signed_in(cast.lead)  # the expiry written now: start + 15 min
    key = client.session.session_key
    written = Session.objects.get(pk=key).expire_date
    for seconds in (5, 30, 59):  # clicks within the minute write nothing
        with time_machine.travel(start + seconds, tick=False):
            assert _session_writes(client, "/queue/") == []
    assert Session.objects.get(pk=key).expire_date == written
    with time_machine.travel(start + 61, tick=False):
        assert len(_session_writes(client, "/queue/")) == 1
    assert (Session.objects.get(pk=key).expire_date - written).total_seconds() == pytest.approx(61, abs=0.01)
    # The last action at +120 s (not written: the expiry moved 59 s): the session ends between 14
    # and 15 minutes after it, never later.
    with time_machine.travel(start + 120, tick=False):
        assert _session_writes(client, "/queue/") == []
    with time_machine.travel(start + 120 + 14 * MINUTE, tick=False):
        assert client.get("/queue/", headers={"X-Background-Request": "true"}).status_code == 200
    with time_machine.travel(start + 120 + 15 * MINUTE, tick=False):
        assert client.get("/queue/", headers={"X-Background-Request": "true"}).status_code != 200


def test_a_short_idle_limit_still_slides(cast, settings):
    from accounts.sessions import expiry_write_interval

    settings.SESSION_COOKIE_AGE = 30
    assert expiry_write_interval().total_seconds() == 2
    settings.SESSION_COOKIE_AGE = 15 * MINUTE
    assert expiry_write_interval().total_seconds() == MINUTE


def test_a_changed_session_is_saved_whole_at_once(cast):
    from accounts.sessions import SessionStore

    client = _signed_in(cast.lead)
    key = client.session.session_key
    store = SessionStore(session_key=key)
    store["shown_notice"] = "yes"
    store.save()
    assert SessionStore(session_key=key)["shown_notice"] == "yes"
    # "Stay signed in" marks the session changed: its expiry is written even within the minute.
    start = time.time()
    with time_machine.travel(start + 10, tick=False):
        assert client.post("/session/").json()["remaining_seconds"] == 15 * MINUTE
    assert Session.objects.get(pk=key).expire_date.timestamp() == pytest.approx(start + 10 + 15 * MINUTE, abs=1)


def test_a_session_ended_meanwhile_is_not_brought_back(cast):
    from django.contrib.sessions.backends.base import UpdateError

    from accounts.sessions import SessionStore

    client = _signed_in(cast.lead)
    key = client.session.session_key
    store = SessionStore(session_key=key)
    assert store.get("_auth_user_id") == str(cast.lead.pk)  # read, as a request reads it
    Session.objects.filter(pk=key).delete()  # signed out in another tab
    store.save()  # within the minute: nothing to write, and nothing written
    assert not Session.objects.filter(pk=key).exists()
    with time_machine.travel(time.time() + 2 * MINUTE), pytest.raises(UpdateError):
        store.save()  # due: its UPDATE finds no row, and says so
    assert not Session.objects.filter(pk=key).exists()

"""The session store: an unchanged session's save pushes its expiry on and writes nothing else;
a changed one is saved whole; one ended meanwhile is not brought back."""

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


def test_an_unchanged_session_writes_only_its_new_expiry(cast):
    client = SecondFactorClient()
    client.force_login(cast.lead)
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


def test_a_changed_session_is_saved_whole(cast):
    from accounts.sessions import SessionStore

    client = SecondFactorClient()
    client.force_login(cast.lead)
    key = client.session.session_key
    store = SessionStore(session_key=key)
    store["shown_notice"] = "yes"
    store.save()
    assert SessionStore(session_key=key)["shown_notice"] == "yes"
    # Loaded and saved unchanged: the data stays as it was.
    unchanged = SessionStore(session_key=key)
    assert unchanged["shown_notice"] == "yes" and not unchanged.modified
    unchanged.save()
    assert SessionStore(session_key=key)["shown_notice"] == "yes"


def test_a_session_ended_meanwhile_is_not_brought_back(cast):
    from django.contrib.sessions.backends.base import UpdateError

    from accounts.sessions import SessionStore

    client = SecondFactorClient()
    client.force_login(cast.lead)
    key = client.session.session_key
    store = SessionStore(session_key=key)
    store.load()
    Session.objects.filter(pk=key).delete()  # signed out in another tab
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(pk=key).exists()

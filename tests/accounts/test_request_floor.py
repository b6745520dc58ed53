"""The per-request floor: what every signed-in page reads before its own work, read once.

The bell's count is the smallest signed-in page (every open page polls it), so its queries
are the floor: the session, the person, the count, and the session's save. Roles, the second
factor and the session list's "last seen" come from the cache, which every change drops.
"""

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.security import has_second_factor
from tests.conftest import enrol_test_totp

COUNT_URL = "alerts:notification_count"


def _statements(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_the_bell_count_reads_session_person_and_count_once_each(cast, client):
    client.force_login(cast.lead)
    url = reverse(COUNT_URL)
    client.get(url)  # the first request records the session and caches the person's roles
    statements = _statements(client, url)
    # The session, the person, the count and the session's save: nothing about roles,
    # authenticators or the session list.
    assert len(statements) <= 4, statements
    assert not any("auth_group" in sql or "mfa_authenticator" in sql for sql in statements), statements
    assert not any("usersessions_usersession" in sql for sql in statements), statements


def test_no_query_is_repeated_within_the_queue_page(cast, client):
    client.force_login(cast.lead)
    url = reverse("escalation:queue")
    client.get(url)
    statements = _statements(client, url)
    repeated = {sql for sql in statements if statements.count(sql) > 1}
    assert not repeated, repeated


def test_a_role_taken_away_is_gone_on_the_next_request(cast, client):
    client.force_login(cast.lead)
    url = reverse("escalation:queue")
    assert client.get(url).status_code == 200
    cast.lead.groups.remove(Group.objects.get(name=Role.LEAD))
    assert client.get(url).status_code in (403, 404)


def test_a_role_removed_from_the_group_side_is_gone_on_the_next_request(cast, client):
    client.force_login(cast.lead)
    url = reverse("escalation:queue")
    assert client.get(url).status_code == 200
    Group.objects.get(name=Role.LEAD).user_set.clear()
    assert client.get(url).status_code in (403, 404)


def test_a_role_given_counts_on_the_next_request(cast, client):
    client.force_login(cast.clinician)
    url = reverse("escalation:queue")
    assert client.get(url).status_code in (403, 404)
    Group.objects.get(name=Role.LEAD).user_set.add(cast.clinician)
    cast.clinician.covered_teams.add(cast.team)
    enrol_test_totp(cast.clinician)
    client.force_login(cast.clinician)
    assert client.get(url).status_code == 200


def test_removing_the_last_authenticator_asks_for_one_again(cast, client):
    client.force_login(cast.lead)
    url = reverse(COUNT_URL)
    assert client.get(url).status_code == 200
    assert has_second_factor(cast.lead)
    Authenticator.objects.filter(user_id=cast.lead.pk).delete()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_enrolling_within_a_request_is_seen_by_that_request(cast):
    assert not has_second_factor(cast.clinician)
    enrol_test_totp(cast.clinician)
    assert has_second_factor(cast.clinician)  # same object, same process: no stale answer


@pytest.mark.parametrize("agent", ["Firefox on the desk", "Safari on the phone"])
def test_the_session_list_still_hears_of_a_new_browser_at_once(cast, client, agent):
    client.force_login(cast.clinician)
    url = reverse(COUNT_URL)
    client.get(url, HTTP_USER_AGENT="first")
    client.get(url, HTTP_USER_AGENT=agent)
    assert UserSession.objects.get(session_key=client.session.session_key).user_agent == agent


def test_a_page_asks_the_cache_for_its_person_once(cast, client, monkeypatch):
    """The middleware checks roles through the signed-in person and the second factor through
    ``request.user``'s lazy wrapper: both read the one answer the request already has."""
    from tests.support.cache import record_cache_reads

    client.force_login(cast.lead)
    url = reverse(COUNT_URL)
    client.get(url)  # the first request caches the person's roles and factor
    reads = record_cache_reads(monkeypatch)
    assert client.get(url).status_code == 200
    access_reads = [key for key in reads if key.startswith("access:")]
    assert len(access_reads) == 1, reads


def test_the_lazy_request_user_keeps_the_answer_it_read(cast):
    from django.utils.functional import SimpleLazyObject

    from accounts.access import access_facts

    lazy = SimpleLazyObject(lambda: cast.lead)
    first = access_facts(lazy)
    assert access_facts(cast.lead) is first  # the wrapped person and the wrapper share it


def test_the_cache_keeps_one_redis_client_per_server():
    from django.core.cache import cache

    redis_client = cache.primary._cache
    assert redis_client.get_client("a") is redis_client.get_client("b")
    assert redis_client.get_client("a", write=True) is redis_client.get_client("b")
    cache.set("one-client-check", 1)
    assert cache.get("one-client-check") == 1


def test_a_process_remembers_a_session_it_has_seen_for_an_interval(cast, client):
    """After the first request of a session, its "last seen" key is not asked of the cache again
    by this process until the interval has passed: the cache emptied, no touch follows."""
    client.force_login(cast.lead)
    url = reverse(COUNT_URL)
    assert any("usersessions_usersession" in sql for sql in _statements(client, url))
    cache.clear()
    assert not any("usersessions_usersession" in sql for sql in _statements(client, url))
    later = timezone.now() + timedelta(seconds=settings.USERSESSION_TOUCH_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert any("usersessions_usersession" in sql for sql in _statements(client, url))
        assert not any("usersessions_usersession" in sql for sql in _statements(client, url))


def test_the_sessions_a_process_remembers_stay_bounded():
    """Past the most it remembers, a process forgets the keys whose interval is over."""
    import time

    from accounts import activity

    activity._fresh_until.clear()
    now = time.time()
    for number in range(activity._MOST_REMEMBERED):
        activity._remember(f"seen-{number}", now - 1 if number % 2 else now + 60, now)
    activity._remember("seen-now", now + 60, now)
    assert len(activity._fresh_until) == activity._MOST_REMEMBERED // 2 + 1
    assert activity._fresh_until["seen-now"] == now + 60
    activity._fresh_until.clear()

"""The second-factor step is throttled per person and address; signing in works with Redis down."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import enrol_test_totp, totp_code_for
from tests.support.processes import RedisServer

LOGIN = "/accounts/login/"


def _password_step(client, user, password, ip):
    return client.post(LOGIN, {"login": user.email, "password": password}, REMOTE_ADDR=ip)


def _code_step(client, code, ip):
    return client.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_codes_from_one_address_do_not_lock_the_person_out_elsewhere(cast):
    enrol_test_totp(cast.lead)
    attacker, lead_at_work = Client(), Client()
    _password_step(attacker, cast.lead, cast.password, "203.0.113.9")  # the password was stolen
    for _ in range(5):
        assert _code_step(attacker, "000000", "203.0.113.9").status_code == 200
    # The attacker's address is locked, even with the right code...
    refused = _code_step(attacker, totp_code_for(cast.lead), "203.0.113.9")
    assert not _signed_in(attacker)
    assert b"Too many failed login attempts" in refused.content
    # ...the lead, elsewhere, is not.
    assert _password_step(lead_at_work, cast.lead, cast.password, "10.0.0.7")["Location"] == reverse("mfa_authenticate")
    assert _code_step(lead_at_work, totp_code_for(cast.lead), "10.0.0.7").status_code == 302
    assert _signed_in(lead_at_work)


def test_the_step_up_code_is_throttled_too(client, cast):
    client.force_login(cast.manager)
    for _ in range(5):
        client.post(reverse("mfa_reauthenticate"), {"code": "000000"}, REMOTE_ADDR="203.0.113.9")
    right_code = {"code": totp_code_for(cast.manager)}
    response = client.post(reverse("mfa_reauthenticate"), right_code, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content


@pytest.fixture
def private_redis_cache(settings):
    """The cache on a private Redis this test may stop (never the shared one)."""
    redis = RedisServer().start()
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": redis.url, "KEY_PREFIX": "outage-test"},
    }
    yield redis
    redis.cleanup()


def _fallback_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_cache_fallback")
        return cursor.fetchone()[0]


def test_a_lead_signs_in_while_redis_is_down_and_the_lockout_still_counts(private_redis_cache, cast):
    enrol_test_totp(cast.lead)
    cache.set("probe", 1)
    assert private_redis_cache.url and _fallback_rows() == 0  # Redis answers while it is up
    private_redis_cache.stop()

    lead = Client()
    step = _password_step(lead, cast.lead, cast.password, "10.0.0.7")
    assert step.status_code == 302
    assert step["Location"] == reverse("mfa_authenticate")
    assert _code_step(lead, totp_code_for(cast.lead), "10.0.0.7").status_code == 302
    assert _signed_in(lead)
    assert lead.get("/queue/").status_code == 200

    # Never fail open: wrong passwords are still counted (in PostgreSQL) and lock the address.
    attacker = Client()
    for _ in range(5):
        assert _password_step(attacker, cast.clinician, "wrong-password-123", "203.0.113.9").status_code == 200
    refused = _password_step(attacker, cast.clinician, cast.password, "203.0.113.9")
    assert not _signed_in(attacker)
    assert b"Too many failed login attempts" in refused.content
    assert _fallback_rows() > 0

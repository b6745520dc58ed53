"""Login throttling (5 failures per address and IP, 15 minutes), enumeration, and session limits."""

import time

import pytest
import time_machine
from allauth.core import context
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.conftest import SecondFactorClient

LOGIN = "/accounts/login/"


def _login(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sixth_attempt_within_the_window_is_refused_even_with_the_right_password(cast):
    client = Client()
    for _ in range(5):
        response = _login(client, cast.clinician.email, "wrong-password-123")
        assert response.status_code == 200
        assert not _signed_in(client)
    response = _login(client, cast.clinician.email, cast.password)
    assert response.status_code == 200
    assert not _signed_in(client)
    assert b"Too many failed login attempts" in response.content

    locked = AuditEvent.objects.filter(action="auth.locked_out")
    assert locked.count() == 1
    assert locked.get().subject_id == str(cast.clinician.pk)
    assert locked.get().details["attempted_login"] == cast.clinician.email
    assert AuditEvent.objects.filter(action="auth.login_refused_locked_out").count() == 1


def test_after_the_fifteen_minute_cool_off_the_right_password_works(cast):
    client = Client()
    for _ in range(5):
        _login(client, cast.clinician.email, "wrong-password-123")
    with time_machine.travel(time.time() + 15 * 60 + 5):
        response = _login(client, cast.clinician.email, cast.password)
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_lockout_from_one_address_does_not_lock_the_person_out_elsewhere(cast):
    attacker, lead_at_work = Client(), Client()
    for _ in range(6):
        _login(attacker, cast.clinician.email, "wrong-password-123", ip="203.0.113.9")
    response = _login(lead_at_work, cast.clinician.email, cast.password, ip="10.0.0.7")
    assert response.status_code == 302
    assert _signed_in(lead_at_work)


def test_successful_logins_do_not_reset_the_count_of_failures(cast):
    """Four failures, a success, then two failures: still locked (allauth rolls back only the success)."""
    client = Client()
    for _ in range(4):
        _login(client, cast.clinician.email, "wrong-password-123")
    assert _login(Client(), cast.clinician.email, cast.password).status_code == 302
    _login(client, cast.clinician.email, "wrong-password-123")
    response = _login(Client(), cast.clinician.email, cast.password)
    assert b"Too many failed login attempts" in response.content


def test_login_does_not_reveal_whether_an_account_exists(cast):
    unknown = _login(Client(), "nobody@example.test", "wrong-password-123")
    known = _login(Client(), cast.clinician.email, "wrong-password-123")
    assert unknown.status_code == known.status_code == 200
    assert unknown.context["form"].errors == known.context["form"].errors


def test_password_reset_does_not_reveal_whether_an_account_exists(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    known = Client().post(reverse("account_reset_password"), {"email": cast.clinician.email})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]


# --- Sessions --------------------------------------------------------------------------------------


def test_a_session_ends_after_fifteen_idle_minutes(cast, settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client = Client()
    _login(client, cast.clinician.email, cast.password)
    assert client.get("/concerns/").status_code != 302 or not client.get("/concerns/")["Location"].startswith(LOGIN)
    with time_machine.travel(time.time() + 16 * 60):
        response = client.get("/concerns/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_session_ends_twelve_hours_after_sign_in_however_active(cast):
    client = Client()
    _login(client, cast.clinician.email, cast.password)
    start = time.time()
    # Active every fourteen minutes: the idle limit never triggers.
    for minutes in range(14, 12 * 60, 14):
        with time_machine.travel(start + minutes * 60):
            assert client.get(reverse("mfa_index")).status_code == 200, minutes
    assert _signed_in(client)
    with time_machine.travel(start + 12 * 60 * 60 + 60):
        response = client.get("/concerns/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not _signed_in(client)


def test_people_list_and_end_their_own_sessions(cast):
    phone, desk = Client(), Client()
    _login(phone, cast.clinician.email, cast.password, ip="10.0.0.2")
    _login(desk, cast.clinician.email, cast.password, ip="10.0.0.3")
    page = desk.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert UserSession.objects.filter(user=cast.clinician).count() == 2
    response = desk.post(reverse("usersessions_list"), {"action": "logout"})
    assert response.status_code == 302
    assert UserSession.objects.filter(user=cast.clinician).count() == 1
    assert phone.get("/concerns/")["Location"].startswith(LOGIN)
    assert desk.get(reverse("usersessions_list")).status_code == 200  # still signed in here


def test_changing_the_password_ends_the_other_sessions(cast):
    phone, desk = Client(), Client()
    _login(phone, cast.clinician.email, cast.password, ip="10.0.0.2")
    _login(desk, cast.clinician.email, cast.password, ip="10.0.0.3")
    new_password = "a-new-long-passphrase-2026"
    response = desk.post(
        reverse("account_change_password"),
        {"oldpassword": cast.password, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert _signed_in(desk)
    response = phone.get("/concerns/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_changing_the_second_factor_ends_the_other_sessions(cast):
    """Removing an authenticator (allauth's signal, as its views send it) ends every other session."""
    phone, desk = SecondFactorClient(), SecondFactorClient()
    phone.force_login(cast.lead)
    desk.force_login(cast.lead)
    phone.get(reverse("mfa_index"))
    request = desk.get(reverse("mfa_index")).wsgi_request
    assert UserSession.objects.filter(user=cast.lead).count() == 2
    authenticator = Authenticator.objects.get(user=cast.lead, type=Authenticator.Type.TOTP)
    with context.request_context(request):
        mfa_signals.authenticator_removed.send(
            sender=Authenticator, request=request, user=cast.lead, authenticator=authenticator
        )
    remaining = UserSession.objects.filter(user=cast.lead)
    assert list(remaining.values_list("session_key", flat=True)) == [request.session.session_key]


@pytest.mark.parametrize("setting", ["SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY"])
def test_cookies_are_http_only(settings, setting):
    assert getattr(settings, setting) is True

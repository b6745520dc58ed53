"""The one module that reaches into django-allauth's internals.

Some of what the portal needs is outside allauth's public API: the record of authentication
steps kept in the session, suspending a request until the person has re-authenticated, ending
a person's other sessions, the login-failure counter, and the TOTP arithmetic. Everything in
the portal, its tests and its benchmarks goes through the functions here, so an allauth upgrade
that moves any of it breaks in this one file. Ruff's banned-api rule (TID251, configured in
pyproject.toml) refuses ``allauth.*.internal`` imports anywhere else.

The second half (activating a TOTP authenticator with a known secret, computing its current
code, recording a completed sign-in in a session) is for the test suite and the benchmarks:
nothing in the portal calls it.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account.internal.flows import reauthentication
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
    get_authentication_records,
)
from allauth.account.internal.flows.login import record_authentication as _record_authentication
from allauth.account.internal.userkit import user_id_to_str
from allauth.core.internal import ratelimit

# --- Used by the portal ------------------------------------------------------------------------


def authentication_records(request) -> list[dict[str, Any]]:
    """The authentication steps this session has taken for its signed-in person, oldest first.

    Each is a dict with at least ``method`` ("password", "mfa", ...) and ``at`` (seconds since
    the epoch).
    """
    return get_authentication_records(request, request.user)


def record_authentication(request, user, method: str, **extra_data) -> None:
    """Add a step to the session's record, as allauth does after a password or a code."""
    _record_authentication(request, user, method, **extra_data)


def suspend_for_reauthentication(request, redirect_to: str):
    """Send the person to ``redirect_to``; a suspended POST is replayed after they succeed."""
    return reauthentication.suspend_request(request, redirect_to)


def end_other_sessions(request, user) -> None:
    """End every session of ``user`` except this request's (allauth.usersessions)."""
    from allauth.usersessions.internal.flows.sessions import end_other_sessions as _end_other_sessions

    _end_other_sessions(request, user)


class LoginFailureKeyHook:
    """Routes allauth's private hook for the login-failure counter's key to ``login_failure_key``.

    allauth's adapter keys the counter with ``_get_login_attempts_cache_key`` (when counting a
    failure, refusing during the cool-off, and clearing after a password reset). Mix this in
    before the adapter class and define ``login_failure_key(request, **credentials)``.
    """

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        return self.login_failure_key(request, **credentials)


def login_failures_exhausted(request, *, key: str) -> bool:
    """Whether the failures counted under ``key`` have used up ACCOUNT_RATE_LIMITS' login_failed."""
    return not ratelimit.consume(request, app="allauth.account", action="login_failed", key=key, dry_run=True)


class PerAddressCodeThrottle:
    """The second-factor code step counted per (person, IP address), like the password step.

    allauth counts wrong codes per person only, so five wrong codes typed anywhere lock the
    person out everywhere. Mixed in before allauth's ``AuthenticateForm`` and
    ``ReauthenticateForm`` (MFA_FORMS in settings): the same limit (ACCOUNT_RATE_LIMITS'
    login_failed), keyed by the person and the address. Codes are checked against the
    person's TOTP first, then the recovery codes; a success clears the count.
    """

    def clean_code(self) -> str:
        from allauth.account.adapter import get_adapter as get_account_adapter
        from allauth.core import context
        from allauth.mfa.adapter import get_adapter as get_mfa_adapter
        from allauth.mfa.models import Authenticator

        request = context.request
        key = f"mfa-code:{self.user.pk}:{ratelimit.get_ip(request)}"
        if not ratelimit.consume(request, app="allauth.account", action="login_failed", key=key):
            raise get_account_adapter().validation_error("too_many_login_attempts")
        code = self.cleaned_data["code"]
        code_factors = sorted(
            Authenticator.objects.filter(user=self.user).exclude(type=Authenticator.Type.WEBAUTHN),
            key=lambda factor: factor.type != Authenticator.Type.TOTP,
        )
        for factor in code_factors:
            if factor.wrap().validate_code(code):
                factor.user = self.user
                self.authenticator = factor
                ratelimit.clear(request, app="allauth.account", action="login_failed", key=key)
                return code
        if code_factors:
            self._emit_authentication_failed(code_factors[0])
        raise get_mfa_adapter().validation_error("incorrect_code")


# --- Used by the tests and the benchmarks ------------------------------------------------------


def activate_totp(user, secret: str):
    """Give ``user`` a TOTP authenticator with a known base32 ``secret``; returns the Authenticator."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


def activate_recovery_codes(user):
    """Give ``user`` a fresh set of recovery codes; returns the Authenticator."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    return RecoveryCodes.activate(user).instance


def totp_code(secret: str) -> str:
    """The code an authenticator app with ``secret`` shows now (allauth's period and digits)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def current_totp_code(authenticator) -> str:
    """The current code of a TOTP ``authenticator``, usable even if it was used a moment ago.

    allauth refuses a code used twice within its period; a test that signs the same person in
    twice would trip that, so the "used" mark for this code is cleared first.
    """
    from allauth.mfa.totp.internal.auth import TOTP
    from allauth.mfa.utils import decrypt
    from django.core.cache import cache

    code = totp_code(decrypt(authenticator.data["secret"]))
    cache.delete(TOTP(authenticator)._get_used_cache_key(code))
    return code


def record_completed_sign_in(session, user, authenticator) -> None:
    """What allauth records in ``session`` after a password and then a code from ``authenticator``."""
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": authenticator.type},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()

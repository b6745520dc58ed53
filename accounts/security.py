"""Second-factor policy, step-up ("fresh second factor") and session hygiene.

Who must use a second factor is decided here and enforced for every page by
``accounts.middleware.SecondFactorRequiredMiddleware``: leads, deputies, managers and
administrators (and clinicians when ``MFA_REQUIRED_FOR_CLINICIANS`` is true). The factors
themselves are django-allauth's ``mfa`` app: TOTP, WebAuthn security keys and passkeys,
recovery codes.

This module reads allauth's record of the authentication steps taken in a session through
``accounts.allauth_internals``, the one module that touches allauth's internals.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_facts
from accounts.allauth_internals import (
    authentication_records,
    end_other_sessions,
    record_authentication,
    suspend_for_reauthentication,
)
from accounts.roles import Role

# Roles that may not use the portal on a password alone (ASVS v5.0.0-6.3.3).
SECOND_FACTOR_ROLES = (Role.LEAD, Role.DEPUTY, Role.MANAGER, Role.ADMINISTRATOR)
# Factors that count as a second factor; recovery codes are a fallback for these only.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# When the session was signed in (seconds since the epoch): the 12-hour absolute limit.
SESSION_STARTED_AT_KEY = "portal_session_started_at"


def second_factor_required(user) -> bool:
    """Whether ``user`` must have and use a second factor before any other page."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser or user.has_role(*SECOND_FACTOR_ROLES):
        return True
    return bool(settings.MFA_REQUIRED_FOR_CLINICIANS)


def has_second_factor(user) -> bool:
    return access_facts(user).has_second_factor


def _second_factor_records(request) -> list[dict]:
    return [record for record in authentication_records(request) if record.get("method") == "mfa"]


def _second_factor_times(request) -> list[float]:
    return [record["at"] for record in _second_factor_records(request)]


def session_passed_second_factor(request) -> bool:
    """Whether this session's sign-in (or a later step-up) used a second factor."""
    return bool(_second_factor_times(request))


def established_factor_ids(user) -> set[int]:
    """The person's factors added long enough ago (STEP_UP_FACTOR_MIN_AGE_SECONDS) to prove a step-up.

    A factor someone has just slipped onto an account (with a stolen session, say) must not
    open exports or break-glass, nor vouch for further factor changes, until the person has
    had a day to notice the emails about it.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.STEP_UP_FACTOR_MIN_AGE_SECONDS)
    return set(Authenticator.objects.filter(user_id=user.pk, created_at__lte=cutoff).values_list("pk", flat=True))


def _fresh_second_factor_records(request) -> list[dict]:
    now = time.time()
    return [
        record
        for record in _second_factor_records(request)
        if now - record["at"] < account_settings.REAUTHENTICATION_TIMEOUT
    ]


def second_factor_is_fresh(request) -> bool:
    """An established second factor used within ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.

    Never the password: a password re-check (``/accounts/reauthenticate/``) leaves a
    "password" record, which does not count here.
    """
    established = established_factor_ids(request.user)
    return any(record.get("id") in established for record in _fresh_second_factor_records(request))


def factor_change_is_allowed(request) -> bool:
    """Whether this session may add, remove, replace or read out a second factor now.

    Someone with no factor yet enrols with the password alone (there is nothing else to ask
    for). Anyone holding a factor must have used one in the last few minutes: an established
    one if they have any, otherwise (everything they hold is new, e.g. just enrolled) any.
    """
    user = request.user
    if not has_any_factor(user):
        return True
    fresh = _fresh_second_factor_records(request)
    established = established_factor_ids(user)
    if established:
        return any(record.get("id") in established for record in fresh)
    return bool(fresh)


def has_any_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk).exists()


def require_fresh_second_factor(view):
    """Step-up before exports and break-glass (ASVS v5.0.0-7.5.3).

    The person proves a second factor they have held for at least a day
    (STEP_UP_FACTOR_MIN_AGE_SECONDS) again unless they did so in the last few minutes
    (ACCOUNT_REAUTHENTICATION_TIMEOUT). A suspended POST is replayed by allauth after the
    step-up, so nothing typed (a break-glass reason) is lost.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_second_factor(user):
            messages.info(request, _("Set up a second factor first: this action needs one."))
            return redirect("mfa_activate_totp")
        if not second_factor_is_fresh(request):
            if not established_factor_ids(user):
                raise PermissionDenied(
                    _("This action needs a second factor you have had for at least a day. Please try again later.")
                )
            return suspend_for_reauthentication(request, step_up_url(user))
        return view(request, *args, **kwargs)

    wrapped.requires_fresh_second_factor = True
    return wrapped


def step_up_url(user) -> str:
    """The code form when the person has an app or recovery codes, else the security key."""
    types = set(Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True))
    if types & {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}:
        return reverse("mfa_reauthenticate")
    return reverse("mfa_reauthenticate_webauthn")


def just_signed_in_with_password(request) -> bool:
    """The last authentication step of this session was a password, moments ago.

    Used so that a person enrolling their first second factor straight after signing in is
    not asked for the password they have just typed (allauth asks by default).
    """
    records = authentication_records(request)
    if not records or records[-1].get("method") != "password":
        return False
    return time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


# --- Signal receivers (connected in accounts.apps.AccountsConfig.ready) ----------------------


def stamp_session_start(sender, request, user, **kwargs):
    """Remember when the session signed in, for the absolute limit."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_AT_KEY] = time.time()


def end_other_sessions_after_factor_change(sender, request, user, **kwargs):
    """A changed password or second factor ends every other session (ASVS v5.0.0-7.4.3)."""
    from allauth.core import context
    from allauth.usersessions.models import UserSession

    if request is None or user is None:
        return
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # allauth signals some changes on commit, possibly outside its request context.
        with context.request_context(request):
            end_other_sessions(request, user)
    else:  # e.g. a password reset from the emailed link: nobody is signed in here
        from allauth.usersessions.adapter import get_adapter

        get_adapter().end_sessions(list(UserSession.objects.filter(user_id=user.pk)))


def first_enrolment_counts_as_second_factor(sender, instance, created, **kwargs):
    """Enrolling the first factor proves possession of it: the session has passed the step.

    Only for the first one: someone already holding a factor must use it (the step-up), so
    enrolling another cannot stand in for it. A ``post_save`` receiver rather than allauth's
    ``authenticator_added`` (sent on commit) so the session is marked within the request.
    """
    from allauth.core import context

    request = context.request
    if not created or instance.type not in SECOND_FACTOR_TYPES or request is None:
        return
    if getattr(request.user, "pk", None) != instance.user_id:
        return
    if Authenticator.objects.filter(user_id=instance.user_id, type__in=SECOND_FACTOR_TYPES).count() != 1:
        return
    # Counts as a fresh step-up too, so the recovery codes shown next need no second prompt.
    record_authentication(
        request, request.user, "mfa", id=instance.pk, type=instance.type, enrolled=True, reauthenticated=True
    )


def secure_admin_site():
    """The admin signs people in through the portal's sign-in, never its own password form.

    Otherwise /admin/login/ would be a second door without the lockout and the second factor.
    """
    from allauth.account.decorators import secure_admin_login
    from django.contrib import admin

    admin.site.login = secure_admin_login(admin.site.login)


def connect_receivers():
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import post_save

    user_logged_in.connect(stamp_session_start, dispatch_uid="accounts.security.session_start")
    post_save.connect(
        first_enrolment_counts_as_second_factor, sender=Authenticator, dispatch_uid="accounts.security.first_enrolment"
    )
    for name, signal in (
        ("authenticator_added", mfa_signals.authenticator_added),
        ("authenticator_removed", mfa_signals.authenticator_removed),
        ("authenticator_reset", mfa_signals.authenticator_reset),
        ("password_changed", account_signals.password_changed),
        ("password_set", account_signals.password_set),
        ("password_reset", account_signals.password_reset),
    ):
        signal.connect(end_other_sessions_after_factor_change, dispatch_uid=f"accounts.security.end_sessions.{name}")

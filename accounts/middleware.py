"""Session limits, the second factor before any page, and the headers Django does not set."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import urlencode

from accounts.allauth_internals import suspend_for_reauthentication
from accounts.security import (
    SESSION_STARTED_AT_KEY,
    factor_change_is_allowed,
    has_second_factor,
    second_factor_required,
    session_passed_second_factor,
    step_up_url,
)

# Pages anyone signed in may reach before their second factor is done.
ALWAYS_ALLOWED = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "healthz",
    }
)
# Enrolling a first factor: the app (TOTP), a security key or passkey (WebAuthn), the
# overview that offers both, and allauth's password re-check when it asks for one.
ENROLMENT = frozenset({"mfa_activate_totp", "mfa_add_webauthn", "mfa_index", "account_reauthenticate"})
# The second-factor step for a session that has not used its factor yet.
SECOND_FACTOR_STEP = frozenset({"mfa_reauthenticate", "mfa_reauthenticate_webauthn"})


def _redirect(request, url: str):
    """A redirect that also works for htmx requests (which would swap the page into a fragment)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class RejectNulCharactersMiddleware:
    """400 for a NUL character anywhere in the path or the query string.

    No page of the portal has a use for one, and PostgreSQL refuses NUL in text, so a NUL
    that reached a query would answer 500. One rule here instead of a check in every view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("Bad request.", content_type="text/plain")
        return self.get_response(request)


# Sent by the page's own timers (the notification count, the queue's refresh), never by a
# person's action: static/js/notifications.js and the queue's hx-headers.
BACKGROUND_REQUEST_HEADER = "X-Background-Request"


def is_background_request(request) -> bool:
    return request.headers.get(BACKGROUND_REQUEST_HEADER, "").lower() == "true"


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, except that background requests do not extend the session.

    The idle limit is SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST: every request
    saves the session and pushes its expiry on. An open tab polls every 30 seconds, so
    without this the idle limit never fires. A background request reads the session but
    never saves it (nor refreshes the cookie), so only what the person does counts as
    activity. Sending the header only ever shortens one's own session.
    """

    def process_response(self, request, response):
        if hasattr(request, "session") and is_background_request(request):
            patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)


class AbsoluteSessionLimitMiddleware:
    """Ends a session 12 hours after sign-in, however active (ASVS v5.0.0-7.3.2).

    The idle limit (15 minutes) is Django's SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST
    (background requests excepted: IdleSessionMiddleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_AT_KEY)
            if started is None:
                # Sessions signed in before this check existed start their clock now.
                request.session[SESSION_STARTED_AT_KEY] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_MAX_SECONDS:
                logout(request)
                messages.info(request, "You have been signed out after 12 hours. Please sign in again.")
                return _redirect(request, redirect_to_login(request.get_full_path()).url)
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """People who need a second factor enrol one, then use it, before any other page.

    A default-deny middleware rather than a per-view decorator, so no page can be forgotten.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not second_factor_required(user):
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        url_name = request.resolver_match.view_name if request.resolver_match else ""
        if url_name in ALWAYS_ALLOWED:
            return None
        if not has_second_factor(user):
            if url_name in ENROLMENT:
                return None
            messages.info(request, "Your role needs a second factor. Set up an authenticator app or a security key.")
            return _redirect(request, reverse("mfa_activate_totp"))
        if session_passed_second_factor(request):
            return None
        if url_name in SECOND_FACTOR_STEP:
            return None
        step = reverse("mfa_reauthenticate")
        return _redirect(request, f"{step}?{urlencode({'next': request.get_full_path()})}")


# Pages that add, remove, replace or read out a second factor (allauth.mfa). Reading the
# recovery codes counts: whoever reads them holds a factor.
FACTOR_CHANGES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_add_webauthn",
        "mfa_remove_webauthn",
        "mfa_signup_webauthn",
    }
)


class FactorChangeStepUpMiddleware:
    """A factor change needs a fresh second factor, never the password alone.

    allauth accepts a password re-check before these pages; someone holding only a
    stolen password and an unattended session could then swap the person's authenticator for
    their own and pass every later step-up. Here anyone holding a factor must first use one
    (accounts.security.factor_change_is_allowed); the suspended request is replayed after.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not request.resolver_match:
            return None
        if request.resolver_match.view_name not in FACTOR_CHANGES or factor_change_is_allowed(request):
            return None
        return suspend_for_reauthentication(request, step_up_url(request.user))


# allauth pages the portal does not offer. Administrators create accounts and set the email
# address (it is the sign-in identity, so nobody changes their own); sign-in is a password
# and a second factor, never a code sent by email.
CLOSED_ACCOUNT_PAGES = frozenset(
    {
        "account_signup",
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_confirm_login_code",
    }
)


class ClosedAccountPagesMiddleware:
    """Answers 404 for the allauth pages listed in CLOSED_ACCOUNT_PAGES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match and request.resolver_match.view_name in CLOSED_ACCOUNT_PAGES:
            raise Http404("This page is not part of the portal.")
        return None


class SecurityHeadersMiddleware:
    """Permissions-Policy, no caching of signed-in pages, and a clean browser after sign-out.

    HSTS, nosniff, Referrer-Policy and COOP come from Django's SecurityMiddleware, the
    Content-Security-Policy (with frame-ancestors 'none') from django-csp.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # Pages about concerns must not stay in shared browser or proxy caches (ASVS v5.0.0-14.3.2).
        if signed_in and "Cache-Control" not in response:
            add_never_cache_headers(response)
        resolver_match = request.resolver_match
        if request.method == "POST" and resolver_match and resolver_match.view_name == "account_logout":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

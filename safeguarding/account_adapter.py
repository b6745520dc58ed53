"""The allauth adapter: the portal's rules plus login throttling keyed by address and IP.

It lives in the project package because it writes audit events, and ``accounts`` (a lower
layer) may not import ``audit``.
"""

from __future__ import annotations

from allauth.core import context
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.adapters import PortalAccountAdapter
from accounts.allauth_internals import LoginFailureKeyHook, login_failures_exhausted
from accounts.security import has_second_factor, just_signed_in_with_password
from audit.actions import AuditAction
from audit.services import record_event


def _attempted_login(credentials) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()[:254]


class SecurePortalAccountAdapter(LoginFailureKeyHook, PortalAccountAdapter):
    def login_failure_key(self, request, **credentials) -> str:
        """Failures count per (email address, IP address), never per address alone.

        Keying on the address alone would let anyone lock a lead out from anywhere
        (ASVS v5.0.0-6.1.1). The same key is cleared after a successful password reset.
        """
        return f"{self.get_client_ip(request)}:{_attempted_login(credentials)}"

    def _login_failures_exhausted(self, request, **credentials) -> bool:
        return login_failures_exhausted(request, key=self.login_failure_key(request, **credentials))

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            # Refused during the cool-off, even with the right password: audited as an
            # attempt on a locked login (ASVS v5.0.0-16.3.3).
            record_event(
                action=AuditAction.AUTH_LOGIN_REFUSED_LOCKED_OUT,
                details={"attempted_login": _attempted_login(credentials)},
            )
            raise

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        if self._login_failures_exhausted(request, **credentials):
            from accounts.models import User

            user = User.objects.filter(email__iexact=_attempted_login(credentials)).first()
            record_event(
                action=AuditAction.AUTH_LOCKED_OUT,
                subject=user,
                details={
                    "attempted_login": _attempted_login(credentials),
                    "failures": settings.LOGIN_FAILURE_LIMIT,
                    "cooloff_seconds": settings.LOGIN_FAILURE_COOLOFF_SECONDS,
                },
            )

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """No second password prompt when enrolling a first factor right after signing in."""
        request = getattr(context, "request", None)
        if (
            app == "allauth.mfa"
            and request is not None
            and request.user.is_authenticated
            and not has_second_factor(request.user)
            and just_signed_in_with_password(request)
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

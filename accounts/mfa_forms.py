"""allauth's second-factor code forms, counting wrong codes per person and address (MFA_FORMS)."""

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm

from accounts.allauth_internals import PerAddressCodeThrottle


class PortalAuthenticateForm(PerAddressCodeThrottle, AuthenticateForm):
    """The code step of signing in."""


class PortalReauthenticateForm(PerAddressCodeThrottle, ReauthenticateForm):
    """The step-up: a fresh code before exports, break-glass and factor changes."""

from contextlib import nullcontext
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest

from accounts.mfa_adapter import security_list_emails


class PortalAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, never by sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        """The person hears of every security change; the security list also hears of second factors.

        allauth sends these (ACCOUNT_EMAIL_NOTIFICATIONS) for a changed password or factor. A
        second-factor change is how a stolen session is made permanent, so the managers'
        security list (SECURITY_NOTIFICATION_EMAILS, else every manager) is told as well.
        """
        # allauth sends some of these on commit, which may fall outside its request context.
        request_context = (
            nullcontext() if allauth_context.request is not None else allauth_context.request_context(_site_request())
        )
        with request_context:
            super().send_notification_mail(template_prefix, user, context=context, email=email)
            if not template_prefix.startswith("mfa/"):
                return
            change = template_prefix.rsplit("/", 1)[-1]
            for address in security_list_emails():
                if address.lower() == (user.email or "").lower():
                    continue
                self.send_mail(
                    "account/email/security_list_factor_change",
                    address,
                    {"person": user, "change": change, "site_url": settings.SITE_URL},
                )


def _site_request() -> HttpRequest:
    """A stand-in request for the site's own address (links and the site name in emails)."""
    site = urlsplit(settings.SITE_URL)
    request = HttpRequest()
    request.META["HTTP_HOST"] = site.netloc
    request.META["wsgi.url_scheme"] = site.scheme
    return request

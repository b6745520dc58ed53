"""Authentication events go into the trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import record_event


@receiver(user_logged_in, dispatch_uid="audit.login")
def audit_login(sender, request, user, **kwargs):
    record_event(action="auth.login", actor=user, subject=user, details={})


@receiver(user_logged_out, dispatch_uid="audit.logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(action="auth.logout", actor=user, subject=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted login is kept (it names who was targeted); the password never is.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record_event(action="auth.login_failed", details={"attempted_login": attempted})

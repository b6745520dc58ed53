"""Authentication events go into the trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.actions import AuditAction
from audit.services import record_event


@receiver(user_logged_in, dispatch_uid="audit.login")
def audit_login(sender, request, user, **kwargs):
    record_event(action=AuditAction.AUTH_LOGIN, actor=user, subject=user, details={})


@receiver(user_logged_out, dispatch_uid="audit.logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(action=AuditAction.AUTH_LOGOUT, actor=user, subject=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted login is kept (it names who was targeted); the password never is.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record_event(action=AuditAction.AUTH_LOGIN_FAILED, details={"attempted_login": attempted})


# --- Password changes (allauth) -------------------------------------------------------------


def _connect_password_events():
    from allauth.account import signals as account_signals

    def receiver_for(action):
        def audit_password_event(sender, request=None, user=None, **kwargs):
            if user is not None:
                record_event(action=action, actor=user, subject=user)

        return audit_password_event

    for action, signal in (
        (AuditAction.AUTH_PASSWORD_CHANGED, account_signals.password_changed),
        (AuditAction.AUTH_PASSWORD_SET, account_signals.password_set),
        (AuditAction.AUTH_PASSWORD_RESET, account_signals.password_reset),
    ):
        signal.connect(receiver_for(action), dispatch_uid=f"audit.{action}", weak=False)


# --- Second factors (allauth.mfa) --------------------------------------------


def _authenticator_details(authenticator, **extra) -> dict:
    # The type and id only: never a secret, a code or a key.
    return {"authenticator_type": getattr(authenticator, "type", ""), "authenticator_id": authenticator.pk, **extra}


def audit_authenticator_added(sender, request=None, user=None, authenticator=None, **kwargs):
    record_event(action=AuditAction.MFA_ADDED, actor=user, subject=user, details=_authenticator_details(authenticator))


def audit_authenticator_removed(sender, request=None, user=None, authenticator=None, **kwargs):
    record_event(
        action=AuditAction.MFA_REMOVED, actor=user, subject=user, details=_authenticator_details(authenticator)
    )


def audit_authenticator_reset(sender, request=None, user=None, authenticator=None, **kwargs):
    record_event(action=AuditAction.MFA_RESET, actor=user, subject=user, details=_authenticator_details(authenticator))


def audit_authenticator_used(sender, request=None, user=None, authenticator=None, **kwargs):
    details = _authenticator_details(
        authenticator,
        reauthentication=bool(kwargs.get("reauthenticated")),
        passwordless=bool(kwargs.get("passwordless")),
    )
    record_event(action=AuditAction.MFA_USED, actor=user, subject=user, details=details)


def audit_authentication_failed(sender, request=None, user=None, authenticator=None, **kwargs):
    # Not yet signed in, so no actor: the targeted account is the subject.
    details = _authenticator_details(authenticator, reauthentication=bool(kwargs.get("reauthentication")))
    record_event(action=AuditAction.MFA_FAILED, subject=user, details=details)


def _connect_mfa_events():
    from allauth.mfa import signals as mfa_signals

    for name, handler in (
        ("authenticator_added", audit_authenticator_added),
        ("authenticator_removed", audit_authenticator_removed),
        ("authenticator_reset", audit_authenticator_reset),
        ("authenticator_used", audit_authenticator_used),
        ("authentication_failed", audit_authentication_failed),
    ):
        getattr(mfa_signals, name).connect(handler, dispatch_uid=f"audit.mfa.{name}")


# --- Admin changes ----------------------------------------------------------------------------


def audit_admin_change(sender, instance, created, **kwargs):
    """Every change made in the Django admin (its LogEntry) is also a chained audit event."""
    if not created:
        return
    verb = {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, str(instance.action_flag))
    content_type = instance.content_type
    record_event(
        action=AuditAction.ADMIN_CHANGED,
        actor=instance.user,
        subject_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        subject_id=str(instance.object_id or "")[:64],
        details={
            "operation": verb,
            "object": (instance.object_repr or "")[:200],
            # Django's change message names the changed fields, never their values.
            "change": instance.get_change_message()[:500],
        },
    )


def connect_optional_receivers():
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    post_save.connect(audit_admin_change, sender=LogEntry, dispatch_uid="audit.admin_change")
    _connect_password_events()
    _connect_mfa_events()

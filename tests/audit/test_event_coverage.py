"""Authentication, second-factor, admin and authorisation events reach the trail."""

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

from audit.models import AuditEvent


def test_login_failed_login_and_logout_are_recorded(client, cast):
    assert authenticate(email=cast.clinician.email, password="wrong password") is None
    assert AuditEvent.objects.filter(action="auth.login_failed", details__attempted_login=cast.clinician.email).exists()
    client.force_login(cast.clinician)
    client.logout()
    actions = set(AuditEvent.objects.filter(actor=cast.clinician).values_list("action", flat=True))
    assert {"auth.login", "auth.logout"} <= actions


def test_admin_changes_are_recorded(cast):
    LogEntry.objects.create(
        user=cast.administrator,
        content_type=ContentType.objects.get_for_model(cast.team),
        object_id=str(cast.team.pk),
        object_repr=str(cast.team),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Name"]}}]',
    )
    event = AuditEvent.objects.get(action="admin.changed")
    assert event.actor == cast.administrator
    assert event.subject_type == "accounts.team" and event.subject_id == str(cast.team.pk)
    assert event.details["operation"] == "changed" and "Name" in event.details["change"]


@pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth.mfa is not installed")
def test_second_factor_events_are_recorded_without_secrets(cast):
    from allauth.mfa import signals
    from allauth.mfa.models import Authenticator

    request = RequestFactory().get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = cast.manager
    authenticator = Authenticator.objects.create(
        user=cast.manager, type=Authenticator.Type.TOTP, data={"secret": "s3cr3t-value"}
    )
    common = dict(sender=Authenticator, request=request, user=cast.manager, authenticator=authenticator)
    signals.authenticator_added.send(**common)
    signals.authenticator_used.send(**common, reauthenticated=True)
    signals.authentication_failed.send(**common)
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="mfa.")}
    assert set(events) == {"mfa.added", "mfa.used", "mfa.failed"}
    assert events["mfa.used"].details["reauthentication"] is True
    assert events["mfa.failed"].actor is None and events["mfa.failed"].subject_id == str(cast.manager.pk)
    assert "s3cr3t" not in str([e.details for e in events.values()])

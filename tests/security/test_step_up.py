"""Step-up cannot be sidestepped: factor changes need a fresh, established second factor.

The attack as found: someone holding a manager's password and their unattended session
re-checks the password at /accounts/reauthenticate/, removes the manager's authenticator app,
activates one of their own and then exports the audit trail. Each step must now be refused.
"""

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.allauth_internals import activate_recovery_codes, record_completed_sign_in, totp_code
from audit.models import AuditEvent
from tests.conftest import enrol_test_totp, totp_code_for

EXPORT = "/audit/export.csv"
DEACTIVATE = "/accounts/2fa/totp/deactivate/"
ACTIVATE = "/accounts/2fa/totp/activate/"
ATTACKER_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def _is_step_up(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_the_password_alone_cannot_swap_the_authenticator_and_export(client, cast):
    client.force_login(cast.manager)  # signed in with password and app, then left unattended
    with time_machine.travel(time.time() + 10 * 60):
        recheck = client.post(reverse("account_reauthenticate"), {"password": cast.password})
        assert recheck.status_code == 302  # allauth accepts the password...

        # ...but removing the app needs the app itself.
        assert _is_step_up(client.post(DEACTIVATE))
        assert Authenticator.objects.filter(user=cast.manager, type=Authenticator.Type.TOTP).exists()
        # Nor can a new one be activated, read out or replaced with recovery codes.
        assert _is_step_up(client.get(ACTIVATE))
        assert _is_step_up(client.post(ACTIVATE, {"code": totp_code(ATTACKER_SECRET)}))
        assert _is_step_up(client.get(reverse("mfa_view_recovery_codes")))
        assert _is_step_up(client.post(reverse("mfa_generate_recovery_codes")))
        assert _is_step_up(client.get(reverse("mfa_add_webauthn")))
        # The export still asks for the second factor.
        assert _is_step_up(client.get(EXPORT))
    assert not AuditEvent.objects.filter(action__in=["mfa.removed", "mfa.added", "mfa.reset"]).exists()


def test_a_factor_added_in_the_last_day_does_not_satisfy_step_up(client_without_mfa, cast):
    enrol_test_totp(cast.manager)  # the manager's own app, held for weeks
    # Recovery codes regenerated a moment ago (by whoever held the session) and used to sign in.
    Authenticator.objects.filter(user=cast.manager, type=Authenticator.Type.RECOVERY_CODES).delete()
    fresh_codes = activate_recovery_codes(cast.manager)
    client_without_mfa.force_login(cast.manager)
    record_completed_sign_in(client_without_mfa.session, cast.manager, fresh_codes)
    assert _is_step_up(client_without_mfa.get(EXPORT))
    assert _is_step_up(client_without_mfa.post(DEACTIVATE))

    # A day later the same codes count.
    fresh_codes.created_at = timezone.now() - timedelta(days=1, minutes=1)
    fresh_codes.save(update_fields=["created_at"])
    record_completed_sign_in(client_without_mfa.session, cast.manager, fresh_codes)
    assert client_without_mfa.get(EXPORT).status_code == 200


def test_someone_whose_only_factor_is_new_is_refused_exports_until_it_is_a_day_old(client_without_mfa, cast):
    from accounts.allauth_internals import activate_totp

    new_app = activate_totp(cast.manager, ATTACKER_SECRET)
    client_without_mfa.force_login(cast.manager)
    record_completed_sign_in(client_without_mfa.session, cast.manager, new_app)
    assert client_without_mfa.get(EXPORT).status_code == 403
    # Their own factors they may still manage with it (there is nothing older to ask for).
    step_up = client_without_mfa.post(reverse("mfa_reauthenticate"), {"code": totp_code(ATTACKER_SECRET)})
    assert step_up.status_code == 302
    assert client_without_mfa.get(reverse("mfa_generate_recovery_codes")).status_code == 200


def test_after_a_fresh_code_the_change_goes_through_and_is_emailed_and_audited(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.lead)
    with time_machine.travel(time.time() + 10 * 60):
        step_up = client.post(reverse("mfa_reauthenticate"), {"code": totp_code_for(cast.lead)})
        assert step_up.status_code == 302
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(DEACTIVATE)
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=cast.lead, type=Authenticator.Type.TOTP).exists()
    removed = AuditEvent.objects.get(action="mfa.removed")
    assert removed.subject_id == str(cast.lead.pk)
    recipients = {address for message in mail.outbox for address in message.to}
    assert cast.lead.email in recipients  # the person
    assert cast.manager.email in recipients  # the managers' security list
    to_manager = next(message for message in mail.outbox if cast.manager.email in message.to)
    assert cast.lead.email in to_manager.body
    assert "authenticator app was removed" in to_manager.body


@pytest.mark.django_db(transaction=True)  # allauth emails new recovery codes on commit, inside the request
def test_the_configured_security_list_replaces_the_managers(client, cast, settings):
    settings.SECURITY_NOTIFICATION_EMAILS = ["security-team@example.test"]
    client.force_login(cast.lead)
    assert client.post(reverse("mfa_reauthenticate"), {"code": totp_code_for(cast.lead)}).status_code == 302
    mail.outbox.clear()
    assert client.post(reverse("mfa_generate_recovery_codes")).status_code == 302
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {cast.lead.email, "security-team@example.test"}
    assert AuditEvent.objects.filter(action="mfa.reset").exists()

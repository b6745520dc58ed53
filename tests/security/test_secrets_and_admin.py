"""Second-factor secrets encrypted at rest (with key rotation), and no case content in the admin."""

import base64
import binascii
import re

from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.allauth_internals import activate_recovery_codes, activate_totp, totp_code
from tests.conftest import TEST_TOTP_SECRET

BASE32_SECRET = re.compile(r"[A-Z2-7]{16,}={0,6}")


def _stored_values() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator")
        return [row[0] for row in cursor.fetchall()]


def _decodes_as_totp_secret(text: str) -> bool:
    for candidate in BASE32_SECRET.findall(text):
        try:
            base64.b32decode(candidate)
        except (binascii.Error, ValueError):
            continue
        return True
    return False


def test_the_database_holds_no_totp_secret_or_recovery_seed(cast):
    activate_totp(cast.lead, TEST_TOTP_SECRET)
    codes = activate_recovery_codes(cast.lead)
    stored = _stored_values()
    assert len(stored) == 2
    for value in stored:
        assert TEST_TOTP_SECRET not in value
        assert not _decodes_as_totp_secret(value), value
        assert "fernet:" in value
    assert codes.wrap().generate_codes()  # the seed still works through the adapter


def test_rotating_the_key_re_encrypts_and_people_still_sign_in(client_without_mfa, cast, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [old_key]
    activate_totp(cast.lead, TEST_TOTP_SECRET)
    encrypted_with_old = _stored_values()

    settings.MFA_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_mfa_secrets")
    assert _stored_values() != encrypted_with_old
    settings.MFA_ENCRYPTION_KEYS = [new_key]  # the old key is gone

    login = client_without_mfa.post(reverse("account_login"), {"login": cast.lead.email, "password": cast.password})
    assert login["Location"] == reverse("mfa_authenticate")
    signed_in = client_without_mfa.post(reverse("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})
    assert signed_in.status_code == 302
    assert client_without_mfa.session["_auth_user_id"] == str(cast.lead.pk)


def test_secrets_written_before_encryption_are_encrypted_by_the_rotation(cast):
    authenticator = activate_totp(cast.lead, TEST_TOTP_SECRET)
    Authenticator.objects.filter(pk=authenticator.pk).update(data={"secret": TEST_TOTP_SECRET})
    call_command("rotate_mfa_secrets")
    assert TEST_TOTP_SECRET not in _stored_values()[0]
    assert authenticator.wrap().validate_code(totp_code(TEST_TOTP_SECRET))


def _superuser(user):
    """Every model permission, so only the registry decides what the admin offers."""
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def test_the_admin_never_shows_a_secret(client, cast):
    authenticator = activate_totp(cast.lead, TEST_TOTP_SECRET)
    client.force_login(_superuser(cast.administrator))
    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200
    assert "fernet:" not in page.content.decode()
    assert 'name="data"' not in page.content.decode()
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403


CASE_CONTENT_MODELS = {
    "concerns": None,  # every model but the category code list
    "consent": {"confidentialitystatement", "lawfulbasisoption"},
    "escalation": {"packtemplate", "packheading"},
    "audit": set(),
    "alerts": {"escalationpolicy", "escalationstep", "dutyshift", "leave"},
}


def test_case_content_is_not_in_the_admin():
    registered = {(model._meta.app_label, model._meta.model_name) for model in admin.site._registry}
    allowed = {
        "concerns": {"concerncategory"},
        **{app: models for app, models in CASE_CONTENT_MODELS.items() if models is not None},
    }
    offenders = sorted(f"{app}.{name}" for app, name in registered if app in allowed and name not in allowed[app])
    assert not offenders, offenders


def test_administrators_cannot_open_audit_events_or_sharing_decisions_in_the_admin(client, cast):
    client.force_login(_superuser(cast.administrator))
    for path in ("/admin/audit/auditevent/", "/admin/consent/sharingdecision/", "/admin/consent/client/"):
        assert client.get(path).status_code == 404, path
    # What they do manage is still there.
    for path in ("/admin/accounts/user/", "/admin/accounts/team/", "/admin/alerts/dutyshift/"):
        assert client.get(path).status_code == 200, path

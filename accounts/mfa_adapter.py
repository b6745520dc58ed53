"""The allauth MFA adapter: second-factor secrets encrypted at rest.

TOTP secrets and recovery-code seeds are stored in ``mfa_authenticator.data``. allauth passes
them through ``encrypt``/``decrypt`` here, so the database (and anyone reading it as the
runtime role, or a backup) holds only Fernet tokens. The keys come from the environment
(``MFA_ENCRYPTION_KEYS``, newest first); older keys still decrypt until
``manage.py rotate_mfa_secrets`` has re-encrypted every row with the newest.
"""

from __future__ import annotations

import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.roles import Role

# Marks an encrypted value, so a row written before encryption (plain text) is still read
# and is re-encrypted by the rotation command.
ENCRYPTED_PREFIX = "fernet:"


def _derived_development_key() -> bytes:
    # Only when no key is configured: a key derived from SECRET_KEY for a purpose of its own.
    digest = hashlib.sha256(b"safeguarding.mfa-secrets:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def mfa_fernet() -> MultiFernet:
    """Every configured key, newest first: the first encrypts, all of them decrypt."""
    keys = [key.encode() for key in settings.MFA_ENCRYPTION_KEYS] or [_derived_development_key()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS must be Fernet keys (Fernet.generate_key()).") from error


def encrypt_secret(text: str) -> str:
    return ENCRYPTED_PREFIX + mfa_fernet().encrypt(text.encode()).decode()


def decrypt_secret(stored: str) -> str:
    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored  # written before secrets were encrypted; the rotation command encrypts it
    try:
        return mfa_fernet().decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured("An MFA secret's key is no longer in MFA_ENCRYPTION_KEYS.") from error


def reencrypt_secret(stored: str) -> str:
    """``stored`` encrypted with the newest key (plain text is encrypted for the first time)."""
    if not stored.startswith(ENCRYPTED_PREFIX):
        return encrypt_secret(stored)
    return ENCRYPTED_PREFIX + mfa_fernet().rotate(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()


def security_list_emails() -> list[str]:
    """Who hears of every second-factor change besides the person: the configured list, else managers."""
    if settings.SECURITY_NOTIFICATION_EMAILS:
        return list(settings.SECURITY_NOTIFICATION_EMAILS)
    from accounts.models import User

    return list(
        User.objects.filter(is_active=True, groups__name=Role.MANAGER).values_list("email", flat=True).distinct()
    )


class PortalMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)

"""Re-encrypts every TOTP secret and recovery-code seed with the newest MFA_ENCRYPTION_KEYS key.

Rotation: put the new key first in MFA_ENCRYPTION_KEYS (keep the old ones after it), deploy,
run this command, then drop the old keys. Rows still in plain text are encrypted too.
"""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.mfa_adapter import reencrypt_secret

# The fields of ``Authenticator.data`` that allauth passes through the adapter's encrypt().
SECRET_FIELDS = ("secret", "seed")


class Command(BaseCommand):
    help = "Re-encrypt second-factor secrets with the newest MFA_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        rotated = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
                data = dict(authenticator.data)
                changed = False
                for field in SECRET_FIELDS:
                    if isinstance(data.get(field), str):
                        data[field] = reencrypt_secret(data[field])
                        changed = True
                if isinstance(data.get("migrated_codes"), list):
                    data["migrated_codes"] = [reencrypt_secret(code) for code in data["migrated_codes"]]
                    changed = True
                if changed:
                    authenticator.data = data
                    authenticator.save(update_fields=["data"])
                    rotated += 1
        self.stdout.write(f"Re-encrypted the secrets of {rotated} authenticator(s).")

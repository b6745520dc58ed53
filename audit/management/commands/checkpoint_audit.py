"""Sign the audit chain's head (run hourly by a job of its own that alone holds the key)."""

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import PRIVATE_KEY_VARIABLE, new_key_pair, write_checkpoint


class Command(BaseCommand):
    help = f"Append a signed checkpoint of the audit chain head (key from {PRIVATE_KEY_VARIABLE})."

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="Print a new key pair and exit.")

    def handle(self, *args, new_key, **options):
        if new_key:
            private, public = new_key_pair()
            self.stdout.write(f"{PRIVATE_KEY_VARIABLE}={private}\nAUDIT_CHECKPOINT_PUBLIC_KEY={public}")
            return
        try:
            checkpoint = write_checkpoint()
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        if checkpoint is None:
            self.stdout.write("The audit trail is empty: nothing to sign.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Signed the head: event #{checkpoint.event_id} {checkpoint.hash}"))

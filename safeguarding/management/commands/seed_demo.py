"""Create the demo organisation. Idempotent: a second run creates nothing twice."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEFAULT_DEMO_PASSWORD = "demo-safeguarding-2026"  # noqa: S105 - demo data only, refused when DEBUG is false
# Each layer seeds its own demo data, lowest first; a layer without demo.py is skipped.
DEMO_MODULES = ["accounts.demo", "consent.demo", "concerns.demo", "escalation.demo", "alerts.demo"]


class Command(BaseCommand):
    help = "Create or refresh the demo organisation (teams, one user per role, sample records)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is false.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to seed demo data with DEBUG false; pass --force if you mean it.")
        password = settings.DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD
        context = {"password": password}
        with transaction.atomic():
            for module_name in DEMO_MODULES:
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError as exc:
                    if exc.name != module_name:
                        raise
                    continue
                result = module.seed(log=self.stdout.write, **context)
                context.update(result or {})
        self.stdout.write(self.style.SUCCESS("Demo organisation ready. Sign in at " + settings.SITE_URL))
        for email in context["users"]:
            self.stdout.write(f"  {email}")
        if not settings.DEMO_PASSWORD:
            self.stdout.write(f"Password (DEMO_PASSWORD was not set): {password}")
        else:
            self.stdout.write("Password: the value of DEMO_PASSWORD")

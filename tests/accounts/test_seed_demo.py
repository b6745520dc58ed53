from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import User


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "auth", "consent", "concerns", "escalation"}
    }


def test_seed_demo_twice_creates_nothing_twice(db):
    call_command("seed_demo", "--force", stdout=StringIO())
    first = _row_counts()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert _row_counts() == first
    emails = set(User.objects.values_list("email", flat=True))
    assert {
        "clinician@demo.test",
        "clinician2@demo.test",
        "lead@demo.test",
        "deputy@demo.test",
        "manager@demo.test",
        "admin@demo.test",
    } <= emails


def test_seed_demo_prints_the_default_password(db):
    out = StringIO()
    with override_settings(DEMO_PASSWORD=""):
        call_command("seed_demo", "--force", stdout=out)
    assert "demo-safeguarding-2026" in out.getvalue()


def test_seed_demo_refuses_without_debug_unless_forced(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    with override_settings(DEBUG=False):
        call_command("seed_demo", "--force", stdout=StringIO())

"""Seed the lawful-basis code lists (see consent/lawful_bases.py)."""

from django.db import migrations

from consent.lawful_bases import ensure_default_lawful_bases


def seed(apps, schema_editor):
    ensure_default_lawful_bases(apps.get_model("consent", "LawfulBasisOption"))


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_append_only_triggers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

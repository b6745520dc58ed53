"""Seed the default escalation policies (escalation.policies.DEFAULT_POLICIES).

Administrators change them in the Django admin afterwards; this migration never overwrites an
existing row.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from escalation.policies import seed_default_policies

    seed_default_policies(apps.get_model("escalation", "EscalationPolicy"), apps.get_model("escalation", "EscalationStep"))


class Migration(migrations.Migration):
    dependencies = [("escalation", "0003_clocks")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

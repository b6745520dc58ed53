"""Escalation policy descriptions are read by administrators in the admin: the seeded ones said
"(domain 4.3)", a reference to a design note nobody outside the project can read. Drop such
references from existing rows; any other wording an administrator wrote stays as it is."""

import re

from django.db import migrations

INTERNAL_REFERENCE = re.compile(r"\s*\(domain(?:\.md)? \d+(?:\.\d+)*\)")


def drop_internal_references(apps, schema_editor):
    policy_model = apps.get_model("alerts", "EscalationPolicy")
    for policy in policy_model.objects.filter(description__contains="(domain"):
        cleaned = INTERNAL_REFERENCE.sub("", policy.description)
        if cleaned != policy.description:
            policy.description = cleaned
            policy.save(update_fields=["description"])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_decide_policies")]

    operations = [migrations.RunPython(drop_internal_references, migrations.RunPython.noop)]

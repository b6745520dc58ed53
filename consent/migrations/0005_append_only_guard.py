"""Consent's records and published statements come under the one append-only guard.

The models declare their rules (``append_only``; see audit.append_only): limits records,
sharing decisions and client-informed records are append-only, and a confidentiality
statement is a draft until published, frozen after. audit's append_only_guard() now guards
these tables, TRUNCATE included (outside the test suite's flush), and 0003's triggers and
functions come off in the same transaction.
"""

import importlib

from django.db import migrations

from audit.db import guard_app_tables

REPLACED_TABLES = ["consent_limitsrecord", "consent_sharingdecision", "consent_clientinformedrecord"]

DROP_REPLACED = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in REPLACED_TABLES) + (
    """
DROP TRIGGER IF EXISTS consent_statement_published_frozen ON consent_confidentialitystatement;
DROP FUNCTION IF EXISTS consent_statement_freeze_published();
DROP FUNCTION IF EXISTS consent_refuse_change();
"""
)

# Going back: the triggers exactly as 0003 made them.
PUT_BACK_REPLACED = importlib.import_module("consent.migrations.0003_append_only_triggers").CREATE


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_append_only_guard"),
        ("consent", "0004_seed_lawful_bases"),
    ]

    operations = [
        guard_app_tables("consent"),
        migrations.RunSQL(DROP_REPLACED, PUT_BACK_REPLACED),
    ]

"""The submitted concern comes under the one append-only guard.

``Concern.append_only`` (see audit.append_only) lets an UPDATE change only the workflow
columns (``WORKFLOW_COLUMNS``); its parts (persons at risk, alleged persons, prior reports,
the category links) and addenda are append-only. audit's append_only_guard() now guards these
tables, TRUNCATE included (outside the test suite's flush), and the triggers and functions of
0003 and 0004 come off in the same transaction. The reference sequence stays.
"""

import importlib

from django.db import migrations

from audit.db import guard_app_tables

REPLACED_TABLES = [
    "concerns_personatrisk",
    "concerns_allegedperson",
    "concerns_priorreport",
    "concerns_concern_categories",
    "concerns_addendum",
]

DROP_REPLACED = "".join(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};\n" for table in REPLACED_TABLES) + (
    """
DROP FUNCTION IF EXISTS concerns_refuse_change();
DROP TRIGGER IF EXISTS concern_content_immutable ON concerns_concern;
DROP FUNCTION IF EXISTS concerns_refuse_content_update();
"""
)

# Going back: the triggers as 0003 made them, with 0004's list of workflow columns.
PUT_BACK_REPLACED = "\n".join(
    (
        importlib.import_module("concerns.migrations.0003_immutability_reference_categories").CREATE,
        importlib.import_module("concerns.migrations.0004_concern_next_due_at").IMMUTABLE_EXCEPT_WORKFLOW,
    )
)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_append_only_guard"),
        ("concerns", "0004_concern_next_due_at"),
    ]

    operations = [
        guard_app_tables("concerns"),
        migrations.RunSQL(DROP_REPLACED, PUT_BACK_REPLACED),
    ]

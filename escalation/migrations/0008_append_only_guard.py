"""The lead's decision records come under the one append-only guard.

Triage, closure and assignment records declare ``append_only`` (see audit.append_only);
audit's append_only_guard() now guards them, and 0001's triggers come off in the same
transaction. They were the last users of audit_refuse_change() (audit 0002), which goes too:
it is dropped here rather than in audit, because this app's 0001 needs it on a fresh database.
"""

import importlib

from django.db import migrations

from audit.db import guard_app_tables

DROP_REPLACED = (
    importlib.import_module("escalation.migrations.0001_workflow").UNPROTECT
    + "\nDROP FUNCTION IF EXISTS audit_refuse_change();\n"
)

# Going back: audit_refuse_change() as audit 0002 made it, and the triggers as 0001 made them.
PUT_BACK_REPLACED = (
    """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('safeguarding.audit_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""
    + importlib.import_module("escalation.migrations.0001_workflow").PROTECT
)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_append_only_guard"),
        ("escalation", "0007_clock_models_moved_to_alerts"),
    ]

    operations = [
        guard_app_tables("escalation"),
        migrations.RunSQL(DROP_REPLACED, PUT_BACK_REPLACED),
    ]

"""One guard for every append-only table: append_only_guard(), driven by audit.append_only.

This creates the function. audit.db puts it on every table of the registry (the models'
``append_only`` declarations) after each migrate, with the runtime role's privileges; here it
guards audit's own tables at once, and the triggers it replaces come off in the same
transaction: 0002's, 0004's and 0005's per-table triggers and 0003's break-glass function.
audit_refuse_change() itself goes in escalation 0008, because escalation 0001 still uses it
when a fresh database is migrated.

The function reads its rule from the trigger's arguments (TG_ARGV), written by audit.db:
[0] 'append' or 'draft'; [1] a column ('' for none); [2...] the columns an UPDATE may change.
- 'append': never deleted; an UPDATE may change only the listed columns, and if [1] names a
  column, only while it is NULL in the stored row (a one-time completion, such as a review).
- 'draft': while [1] is NULL the row may change or be deleted; once it is set, nothing may.
- TRUNCATE (statement trigger) is refused unless the session set
  safeguarding.audit_maintenance (the test suite's flush, as the owner; the runtime role never
  holds TRUNCATE, so the setting gives it nothing).
"""

import importlib

from django.db import migrations

from audit.db import guard_app_tables

CREATE_GUARD = """
CREATE OR REPLACE FUNCTION append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mode text := TG_ARGV[0];
    until_column text := TG_ARGV[1];
    updatable text[] := coalesce(TG_ARGV[2:TG_NARGS - 1], '{}');
    old_row jsonb;
    still_open boolean;
    why text := '';
    changed text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF current_setting('safeguarding.audit_maintenance', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'the table % is append-only: TRUNCATE refused', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    old_row := to_jsonb(OLD);
    -- A column that is not there compares as NULL, not as 'null': a wrong name fails closed.
    still_open := coalesce(until_column <> '' AND (old_row -> until_column) = 'null'::jsonb, false);
    IF mode = 'draft' AND still_open THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF until_column <> '' AND NOT still_open THEN
        updatable := '{}';
        why := format(' (%s is set: the row is final)', until_column);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the table % is append-only: DELETE refused%', TG_TABLE_NAME, why
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - updatable) IS NOT DISTINCT FROM (old_row - updatable) THEN
        RETURN NEW;
    END IF;
    SELECT array_agg(n.key ORDER BY n.key) INTO changed
      FROM jsonb_each(to_jsonb(NEW)) AS n(key, value)
     WHERE n.value IS DISTINCT FROM old_row -> n.key AND NOT n.key = ANY (updatable);
    RAISE EXCEPTION 'the table % is append-only: UPDATE of % refused%',
        TG_TABLE_NAME, array_to_string(changed, ', '), why
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

DROP_REPLACED = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_chain_head_append_only ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_row_change_append_only ON audit_rowchange;
DROP TRIGGER IF EXISTS audit_row_change_no_truncate ON audit_rowchange;
DROP TRIGGER IF EXISTS audit_break_glass_guard ON audit_breakglassaccess;
DROP FUNCTION IF EXISTS audit_break_glass_guard();
"""


def _earlier(name):
    return importlib.import_module(f"audit.migrations.{name}")


# Going back: the triggers exactly as 0002 to 0005 made them.
PUT_BACK_REPLACED = "\n".join(
    (
        _earlier("0002_append_only_triggers").CREATE,
        _earlier("0003_break_glass_access").GUARD,
        _earlier("0004_chain_head").APPEND_ONLY,
        _earlier("0005_row_change_capture").CREATE,
    )
)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_trail_filter_indexes")]

    operations = [
        migrations.RunSQL(CREATE_GUARD, "DROP FUNCTION IF EXISTS append_only_guard() CASCADE;"),
        guard_app_tables("audit"),
        migrations.RunSQL(DROP_REPLACED, PUT_BACK_REPLACED),
    ]

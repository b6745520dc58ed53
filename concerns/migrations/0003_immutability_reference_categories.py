"""The submitted concern is immutable in the database, whatever the client.

- concerns_concern: an UPDATE that changes any column other than the workflow columns
  (status, owner_id, acknowledged_at, acknowledged_by_id, closed_at) is refused.
- The content child tables and addenda: UPDATE and DELETE are refused row by row.
- TRUNCATE is not blocked (the test suite flushes with it; the runtime role has no reason to).
Also: the sequence behind the human reference SG-YYYY-NNNNNN, and the seeded category lists.
"""

from django.db import migrations

CONTENT_TABLES = [
    "concerns_personatrisk",
    "concerns_allegedperson",
    "concerns_priorreport",
    "concerns_concern_categories",
    "concerns_addendum",
]

CREATE = """
CREATE SEQUENCE IF NOT EXISTS concerns_concern_reference_seq START 1;

CREATE OR REPLACE FUNCTION concerns_refuse_content_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    workflow text[] := ARRAY['status', 'owner_id', 'acknowledged_at', 'acknowledged_by_id', 'closed_at'];
BEGIN
    IF (to_jsonb(NEW) - workflow) IS DISTINCT FROM (to_jsonb(OLD) - workflow) THEN
        RAISE EXCEPTION 'concern % is immutable: submitted content cannot be changed; add an addendum', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER concern_content_immutable
    BEFORE UPDATE ON concerns_concern
    FOR EACH ROW EXECUTE FUNCTION concerns_refuse_content_update();

CREATE OR REPLACE FUNCTION concerns_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the concern record table % is immutable: % refused; add an addendum', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION concerns_refuse_change();
"""
    for table in CONTENT_TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};\n" for table in CONTENT_TABLES) + """
DROP FUNCTION IF EXISTS concerns_refuse_change();
DROP TRIGGER IF EXISTS concern_content_immutable ON concerns_concern;
DROP FUNCTION IF EXISTS concerns_refuse_content_update();
DROP SEQUENCE IF EXISTS concerns_concern_reference_seq;
"""

def seed_categories(apps, schema_editor):
    from concerns.categories import ensure_default_categories

    ensure_default_categories(apps.get_model("concerns", "ConcernCategory"))


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_concern_content")]
    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
    ]

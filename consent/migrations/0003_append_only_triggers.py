"""Records of what a client was told and why information was shared cannot be rewritten.

``consent_limitsrecord``, ``consent_sharingdecision`` and ``consent_clientinformedrecord``
refuse UPDATE and DELETE row by row, whatever the client (a correction is a new row).
TRUNCATE is left alone: the test suite flushes tables with it, and the runtime role has no
TRUNCATE privilege on these tables (audit.db.APPEND_ONLY_TABLES).

A published confidentiality statement is frozen: its wording, version and dates cannot be
changed and it cannot be deleted, because limits records prove what was said by pointing
at it. Drafts stay editable.
"""

from django.db import migrations

APPEND_ONLY = ["consent_limitsrecord", "consent_sharingdecision", "consent_clientinformedrecord"]

CREATE = """
CREATE OR REPLACE FUNCTION consent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the consent table % is append-only: % refused (record a correction instead)',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION consent_statement_freeze_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.published_at IS NOT NULL THEN
            RAISE EXCEPTION 'confidentiality statement version % is published: DELETE refused', OLD.version
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.published_at IS NOT NULL AND (
        NEW.text, NEW.title, NEW.version, NEW.effective_from, NEW.published_at, NEW.published_by_id
    ) IS DISTINCT FROM (
        OLD.text, OLD.title, OLD.version, OLD.effective_from, OLD.published_at, OLD.published_by_id
    ) THEN
        RAISE EXCEPTION 'confidentiality statement version % is published: its text cannot change', OLD.version
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER consent_statement_published_frozen
    BEFORE UPDATE OR DELETE ON consent_confidentialitystatement
    FOR EACH ROW EXECUTE FUNCTION consent_statement_freeze_published();
""" + "".join(
    f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION consent_refuse_change();
"""
    for table in APPEND_ONLY
)

DROP = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in APPEND_ONLY)
    + """
DROP TRIGGER IF EXISTS consent_statement_published_frozen ON consent_confidentialitystatement;
DROP FUNCTION IF EXISTS consent_statement_freeze_published();
DROP FUNCTION IF EXISTS consent_refuse_change();
"""
)


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_limits_statements_sharing")]
    operations = [migrations.RunSQL(CREATE, DROP)]

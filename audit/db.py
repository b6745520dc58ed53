"""Database-level protection of the audit tables (see the 0002 migration for the triggers)."""

import logging

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# Tables no runtime session may UPDATE, DELETE or TRUNCATE. Apps that add append-only
# tables list them here and attach the trigger in their migration.
APPEND_ONLY_TABLES = ["audit_auditevent", "audit_auditchainhead", "audit_rowchange"]
# Append-only tables written only by SECURITY DEFINER trigger functions: the runtime role may
# read them but not INSERT either, so it cannot forge entries.
TRIGGER_WRITTEN_TABLES = ["audit_rowchange"]
# Core tables whose every INSERT, UPDATE and DELETE is captured into audit_rowchange.
DEFAULT_CAPTURED_TABLES = [
    "accounts_user",
    "concerns_concern",
    "concerns_addendum",
    "consent_sharingdecision",
    "consent_limitsrecord",
    "escalation_deadline",
    "escalation_alert",
]
CAPTURE_TRIGGER = "audit_capture_row_change"


def grant_runtime_role(using="default", **kwargs):
    """Give the runtime role DML on every table, minus changes to append-only tables."""
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            logger.warning("Database role %s does not exist; run scripts/services.sh", role)
            return
        quoted = connection.ops.quote_name(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {quoted}")
        for table in TRIGGER_WRITTEN_TABLES:
            cursor.execute(f"REVOKE INSERT ON {connection.ops.quote_name(table)} FROM {quoted}")


def captured_tables() -> list[str]:
    return list(getattr(settings, "AUDIT_CAPTURED_TABLES", DEFAULT_CAPTURED_TABLES))


def attach_row_capture(using="default", **kwargs):
    """Attach the row-change capture trigger to every configured table that exists.

    Runs after every migrate (idempotent: CREATE OR REPLACE TRIGGER), so a table created by a
    later migration of a higher app is covered without audit importing that app.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = %s", [CAPTURE_TRIGGER])
        if cursor.fetchone() is None:
            return  # audit's own migrations have not run yet (e.g. migrating back)
        existing = set(connection.introspection.table_names(cursor))
        for table in captured_tables():
            if table not in existing:
                logger.info("Row capture: table %s does not exist (yet); skipped", table)
                continue
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {CAPTURE_TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {connection.ops.quote_name(table)} FOR EACH ROW EXECUTE FUNCTION {CAPTURE_TRIGGER}()"
            )

"""Database-level protection of the audit tables (see the 0002 migration for the triggers)."""

import logging

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# Tables no runtime session may UPDATE, DELETE or TRUNCATE. Apps that add append-only
# tables list them here and attach the trigger in their migration.
APPEND_ONLY_TABLES = ["audit_auditevent", "audit_auditchainhead"]


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

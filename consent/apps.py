import logging

from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)

# Append-only tables of this app (the triggers are in migration 0003).
APPEND_ONLY_TABLES = ["consent_limitsrecord", "consent_sharingdecision", "consent_clientinformedrecord"]


def revoke_runtime_changes(using="default", **kwargs):
    """The runtime role may add consent records but never change, delete or truncate them.

    Runs after audit's grant_runtime_role (post_migrate fires app by app in INSTALLED_APPS
    order, and audit comes first), which grants DML on every table.
    """
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            logger.warning("Database role %s does not exist; run scripts/services.sh", role)
            return
        existing = set(connection.introspection.table_names(cursor))
        quoted_role = connection.ops.quote_name(role)
        for table in APPEND_ONLY_TABLES:
            if table in existing:
                cursor.execute(
                    f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {quoted_role}"
                )


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent and information sharing"

    def ready(self):
        post_migrate.connect(revoke_runtime_changes, sender=self, dispatch_uid="consent.revoke_runtime_changes")

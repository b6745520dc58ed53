"""The database side of the append-only registry (``audit.append_only``): guards, privileges, capture.

Each function here is idempotent and runs after every ``migrate`` (post_migrate, connected in
``AuditConfig.ready``), so the database follows the models' declarations whichever app made
the table: a table that joins, changes in or leaves the registry is guarded, granted and
captured accordingly by the next migrate. The migrations that replaced the older per-app
trigger functions install the guards of their own app's tables in the same transaction, so
no table is left unguarded between a migration and the end of ``migrate``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, migrations, transaction

from audit.append_only import ProtectedTable, captured_tables, protected_tables

logger = logging.getLogger(__name__)

GUARD_FUNCTION = "append_only_guard"  # created by audit migration 0007
ROW_GUARD_TRIGGER = "append_only_guard"
TRUNCATE_GUARD_TRIGGER = "append_only_no_truncate"
CAPTURE_FUNCTION = CAPTURE_TRIGGER = "audit_capture_row_change"  # created by audit migration 0005

# pg_trigger.tgtype bits (PostgreSQL's TRIGGER_TYPE_* macros): how a trigger already in place
# is compared with the one wanted, so that an unchanged trigger is left alone (no DDL, no lock).
_TGTYPE = {"ROW": 1, "BEFORE": 2, "INSERT": 4, "DELETE": 8, "UPDATE": 16, "TRUNCATE": 32}


@dataclass(frozen=True)
class TriggerSpec:
    table: str
    name: str
    function: str
    timing: str  # BEFORE or AFTER
    events: tuple[str, ...]
    for_each_row: bool
    arguments: tuple[str, ...] = ()

    @property
    def tgtype(self) -> int:
        bits = (_TGTYPE["ROW"] if self.for_each_row else 0) | (_TGTYPE["BEFORE"] if self.timing == "BEFORE" else 0)
        for event in self.events:
            bits |= _TGTYPE[event]
        return bits

    @property
    def state(self) -> tuple:
        """What pg_trigger says of an enabled trigger made by create_sql()."""
        return (self.function, self.arguments, self.tgtype, "O")

    def create_sql(self, quote_name) -> str:
        # Trigger arguments are string literals (CREATE TRIGGER takes no parameters); they are
        # column names from model _meta, quoted all the same.
        arguments = ", ".join("'" + argument.replace("'", "''") + "'" for argument in self.arguments)
        level = "ROW" if self.for_each_row else "STATEMENT"
        return (
            f"CREATE TRIGGER {quote_name(self.name)} {self.timing} {' OR '.join(self.events)} "
            f"ON {quote_name(self.table)} FOR EACH {level} EXECUTE FUNCTION {self.function}({arguments})"
        )


def guard_triggers(entry: ProtectedTable) -> list[TriggerSpec]:
    """The two triggers of a protected table: UPDATE and DELETE row by row, and TRUNCATE."""
    return [
        TriggerSpec(
            entry.table,
            ROW_GUARD_TRIGGER,
            GUARD_FUNCTION,
            "BEFORE",
            ("UPDATE", "DELETE"),
            True,
            entry.trigger_arguments,
        ),
        TriggerSpec(entry.table, TRUNCATE_GUARD_TRIGGER, GUARD_FUNCTION, "BEFORE", ("TRUNCATE",), False),
    ]


def capture_trigger(table: str) -> TriggerSpec:
    return TriggerSpec(table, CAPTURE_TRIGGER, CAPTURE_FUNCTION, "AFTER", ("INSERT", "UPDATE", "DELETE"), True)


def _function_exists(cursor, name: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.proname = %s AND n.nspname = current_schema()",
        [name],
    )
    return cursor.fetchone() is not None


def _existing_triggers(cursor, names: list[str]) -> dict[tuple[str, str], tuple]:
    cursor.execute(
        """
        SELECT c.relname, t.tgname, p.proname, t.tgargs, t.tgtype, t.tgenabled
          FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND t.tgname = ANY(%s)
        """,
        [names],
    )
    return {
        (table, name): (function, tuple(a.decode() for a in bytes(args).split(b"\0")[:-1]), tgtype, enabled)
        for table, name, function, args, tgtype, enabled in cursor.fetchall()
    }


def _reconcile(using: str, wanted: list[TriggerSpec], names: list[str], *, remove_others: bool) -> None:
    """Make the triggers called ``names`` be exactly ``wanted`` (on tables that exist)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        existing = _existing_triggers(cursor, names)
        wanted_keys = set()
        for trigger in wanted:
            if trigger.table not in tables:
                logger.info("Table %s does not exist (yet): trigger %s skipped", trigger.table, trigger.name)
                continue
            key = (trigger.table, trigger.name)
            wanted_keys.add(key)
            if existing.get(key) == trigger.state:
                continue
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(trigger.name)} ON {quote(trigger.table)}")
            cursor.execute(trigger.create_sql(quote))
        if remove_others:
            for table, name in sorted(existing.keys() - wanted_keys):
                cursor.execute(f"DROP TRIGGER {quote(name)} ON {quote(table)}")


def install_append_only_guards(using="default", *, app_label: str | None = None, **kwargs) -> None:
    """Guard every table of the registry (or only ``app_label``'s), and no other table."""
    with connections[using].cursor() as cursor:
        if not _function_exists(cursor, GUARD_FUNCTION):
            return  # audit's migrations have not made it yet (or were migrated back)
    entries = [entry for entry in protected_tables() if app_label is None or entry.app_label == app_label]
    wanted = [trigger for entry in entries for trigger in guard_triggers(entry)]
    _reconcile(using, wanted, [ROW_GUARD_TRIGGER, TRUNCATE_GUARD_TRIGGER], remove_others=app_label is None)


def remove_append_only_guards(using="default", *, app_label: str) -> None:
    """Take the guards off ``app_label``'s tables (a migration going back to the older triggers)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for entry in protected_tables():
            if entry.app_label == app_label and entry.table in tables:
                for name in (ROW_GUARD_TRIGGER, TRUNCATE_GUARD_TRIGGER):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(entry.table)}")


def guard_app_tables(app_label: str) -> migrations.RunPython:
    """The migration operation that guards ``app_label``'s registry tables (and unguards them going back).

    For the migrations that replace older triggers: the guards go on in the same transaction
    as the old triggers come off. Later changes need no migration of their own: the guards
    follow the declarations after every migrate.
    """

    def forward(apps, schema_editor):
        install_append_only_guards(schema_editor.connection.alias, app_label=app_label)

    def backward(apps, schema_editor):
        remove_append_only_guards(schema_editor.connection.alias, app_label=app_label)

    return migrations.RunPython(forward, backward)


def attach_row_capture(using="default", **kwargs) -> None:
    """Put the row-capture trigger on exactly the captured tables that exist.

    The capture function runs as its owner (SECURITY DEFINER), so the runtime role, which may
    not INSERT into audit_rowchange, still has its own changes recorded.
    """
    with connections[using].cursor() as cursor:
        if not _function_exists(cursor, CAPTURE_FUNCTION):
            return  # audit's migrations have not made it yet (or were migrated back)
    _reconcile(using, [capture_trigger(table) for table in captured_tables()], [CAPTURE_TRIGGER], remove_others=True)


def grant_runtime_role(using="default", **kwargs) -> None:
    """The runtime role's privileges: DML on every table, less what the registry forbids.

    On a protected table it keeps SELECT and INSERT (not INSERT where rows come only from a
    trigger), UPDATE only on the declared updatable columns, DELETE only where drafts are
    deleted, and never TRUNCATE. One transaction, so no session sees a half-granted state.
    """
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            logger.warning("Database role %s does not exist; run scripts/services.sh", role)
            return
        grantee = quote(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {grantee}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {grantee}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {grantee}")
        entries = protected_tables()
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
            [[entry.table for entry in entries]],
        )
        columns: dict[str, set[str]] = {}
        for table, column in cursor.fetchall():
            columns.setdefault(table, set()).add(column)
        for entry in entries:
            if entry.table not in columns:
                continue  # not made yet
            table = quote(entry.table)
            # Revoking on the table revokes its column grants too: stale ones go as well.
            cursor.execute(f"REVOKE ALL ON {table} FROM {grantee}")
            cursor.execute(f"GRANT SELECT{', INSERT' if entry.runtime_may_insert else ''} ON {table} TO {grantee}")
            if entry.runtime_may_delete:
                cursor.execute(f"GRANT UPDATE, DELETE ON {table} TO {grantee}")
            updatable = [quote(c) for c in entry.updatable_columns if c in columns[entry.table]]
            if updatable:
                cursor.execute(f"GRANT UPDATE ({', '.join(updatable)}) ON {table} TO {grantee}")

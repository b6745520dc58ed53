import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from audit.actions import AuditAction
from audit.chain import GENESIS_HASH, hash_of_event
from audit.models import AuditEvent
from audit.services import record_event


def _app_role_connection():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=settings.DATABASE_APP_ROLE,
        autocommit=True,
    )


@pytest.mark.django_db(transaction=True)
def test_runtime_role_may_insert_but_not_update_delete_or_truncate_audit_events():
    event = record_event(action="auth.login", details={"n": 1})
    with _app_role_connection() as conn:
        assert conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 1
        for statement in (
            f"UPDATE audit_auditevent SET action = 'x' WHERE id = {event.id}",
            f"DELETE FROM audit_auditevent WHERE id = {event.id}",
            "TRUNCATE audit_auditevent",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_triggers_refuse_update_and_delete_even_for_the_owner(db):
    event = record_event(action="auth.login")
    for statement in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.id])


def test_events_form_a_hash_chain_and_redact_sensitive_details(db):
    first = record_event(
        action=AuditAction.AUTH_LOGIN_FAILED, details={"password": "hunter2", "nested": {"own_words": "secret"}}
    )
    second = record_event(action=AuditAction.AUTH_LOGIN_FAILED)
    first.refresh_from_db()
    second.refresh_from_db()
    # The first links to whatever was last in the chain before it (events committed by other
    # tests stay: the table is append-only), or to the genesis value on an empty trail.
    predecessor = AuditEvent.objects.filter(id__lt=first.id).order_by("-id").first()
    assert first.prev_hash == (predecessor.hash if predecessor else GENESIS_HASH)
    assert second.prev_hash == first.hash
    assert hash_of_event(first) == first.hash
    assert hash_of_event(second) == second.hash
    assert first.details == {"password": "[redacted]", "nested": {"own_words": "[redacted]"}}

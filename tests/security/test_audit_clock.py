"""Audit events on the database clock, and signed checkpoints of the chain head.

A forged, backdated event is refused; a forged or truncated tail is named by verify_audit.

The attack as found: the runtime role, taking the chain lock, inserted an event backdated by
an hour with another person as actor and a correct hash. Here it is done again, on a
connection as the runtime role (the role the web and worker processes use).
"""

from datetime import timedelta

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg.types.json import Jsonb

from audit.actions import AuditAction
from audit.chain import CHAIN_FIELDS, CHAIN_LOCK_KEY, GENESIS_HASH, chain_content, event_hash
from audit.checkpoints import PRIVATE_KEY_VARIABLE, new_key_pair
from audit.models import AuditEvent
from audit.services import record_event
from audit.verification import verify_chain
from tests.audit.test_append_only import runtime_role_connection

pytestmark = pytest.mark.django_db(transaction=True)  # the runtime role's connection sees only committed rows


def _insert_as_runtime_role(*, actor, shift=timedelta(0), id_offset=0) -> None:
    """An event with a correct hash, taking the chain lock, exactly as an attacker would write it."""
    with runtime_role_connection() as conn, conn.transaction(), conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        cursor.execute(
            "SELECT clock_timestamp(), nextval(pg_get_serial_sequence('audit_auditevent', 'id')),"
            " (SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1)"
        )
        now, event_id, last_hash = cursor.fetchone()
        content = {
            "id": event_id + id_offset,
            "occurred_at": now + shift,
            "actor_id": actor.pk,
            "actor_email": actor.email,
            "actor_role": actor.primary_role or "",
            "ip_address": None,
            "user_agent": "",
            "action": AuditAction.AUTH_LOGIN.value,
            "subject_type": "",
            "subject_id": "",
            "subject_ref": "",
            "details": {},
            "request_id": "",
            "prev_hash": last_hash or GENESIS_HASH,
        }
        columns = [*CHAIN_FIELDS, "hash"]
        values = [Jsonb(content[c]) if c == "details" else content[c] for c in CHAIN_FIELDS] + [event_hash(content)]
        cursor.execute(
            f"INSERT INTO audit_auditevent ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
            values,
        )


def test_the_runtime_role_cannot_insert_a_backdated_event(cast):
    record_event(action=AuditAction.AUTH_LOGIN, actor=cast.lead, subject=cast.lead)
    with pytest.raises(psycopg.errors.CheckViolation, match="database clock"):
        _insert_as_runtime_role(actor=cast.manager, shift=-timedelta(hours=1))
    with pytest.raises(psycopg.errors.CheckViolation, match="database clock"):
        _insert_as_runtime_role(actor=cast.manager, shift=timedelta(hours=1))  # nor one dated ahead
    assert not AuditEvent.objects.filter(actor_id=cast.manager.pk).exists()


def test_an_event_cannot_be_slipped_in_before_the_last_one(cast):
    record_event(action=AuditAction.AUTH_LOGIN, actor=cast.lead, subject=cast.lead)
    last = AuditEvent.objects.order_by("-id").first()
    with pytest.raises(psycopg.errors.CheckViolation, match="in order"):
        _insert_as_runtime_role(actor=cast.manager, id_offset=-(last.id + 5))


def test_an_event_on_the_database_clock_is_accepted_from_the_runtime_role(cast):
    """What record_event does (the clock read under the lock, inserted at once) still works."""
    record_event(action=AuditAction.AUTH_LOGIN, actor=cast.lead, subject=cast.lead)
    _insert_as_runtime_role(actor=cast.lead)
    assert AuditEvent.objects.filter(actor_id=cast.lead.pk).count() == 2


# --- Signed checkpoints of the chain head, outside the database -----------------------------------


@pytest.fixture
def checkpoint_keys(settings, tmp_path, monkeypatch):
    private, public = new_key_pair()
    settings.AUDIT_CHECKPOINT_PUBLIC_KEY = public
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    monkeypatch.setenv(PRIVATE_KEY_VARIABLE, private)  # only the checkpoint job's environment has it
    return private, public


def _owner_rewrites(sql: str, params=()) -> None:
    """What someone able to switch the guards off can do: rewrite the stored tail."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def test_a_forged_tail_with_recomputed_hashes_is_named_by_the_signed_checkpoint(cast, checkpoint_keys):
    for _ in range(3):
        record_event(action=AuditAction.AUTH_LOGIN, actor=cast.lead, subject=cast.lead)
    call_command("checkpoint_audit")
    call_command("verify_audit")  # intact

    last = AuditEvent.objects.order_by("-id").first()
    forged = chain_content(last) | {"actor_id": cast.manager.pk, "actor_email": cast.manager.email}
    _owner_rewrites(
        "UPDATE audit_auditevent SET actor_id = %s, actor_email = %s, hash = %s WHERE id = %s",
        [cast.manager.pk, cast.manager.email, event_hash(forged), last.pk],
    )
    assert verify_chain().ok  # the chain alone cannot tell
    with pytest.raises(CommandError, match=rf"event #{last.pk} differs .* forged"):
        call_command("verify_audit")


def test_a_truncated_tail_is_named(cast, checkpoint_keys):
    for _ in range(3):
        record_event(action=AuditAction.AUTH_LOGIN, actor=cast.lead, subject=cast.lead)
    call_command("checkpoint_audit")
    last = AuditEvent.objects.order_by("-id").first()
    _owner_rewrites("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    assert verify_chain().ok
    with pytest.raises(CommandError, match=rf"event #{last.pk}.* truncated"):
        call_command("verify_audit")


def test_a_checkpoint_signed_with_another_key_is_refused(cast, checkpoint_keys, monkeypatch):
    record_event(action=AuditAction.AUTH_LOGIN, actor=cast.lead, subject=cast.lead)
    monkeypatch.setenv(PRIVATE_KEY_VARIABLE, new_key_pair()[0])  # not the key verify_audit trusts
    call_command("checkpoint_audit")
    with pytest.raises(CommandError, match="not validly signed"):
        call_command("verify_audit")


def test_the_checkpoint_command_needs_the_key_in_its_own_environment(cast, checkpoint_keys, monkeypatch):
    monkeypatch.delenv(PRIVATE_KEY_VARIABLE)
    record_event(action=AuditAction.AUTH_LOGIN, actor=cast.lead, subject=cast.lead)
    with pytest.raises(CommandError, match=PRIVATE_KEY_VARIABLE):
        call_command("checkpoint_audit")

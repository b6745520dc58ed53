"""Audit events are written on the database clock: a forged, backdated event is refused.

The attack as found: the runtime role, taking the chain lock, inserted an event backdated by
an hour with another person as actor and a correct hash. Here it is done again, on a
connection as the runtime role (the role the web and worker processes use).
"""

from datetime import timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from audit.actions import AuditAction
from audit.chain import CHAIN_FIELDS, CHAIN_LOCK_KEY, GENESIS_HASH, event_hash
from audit.models import AuditEvent
from audit.services import record_event
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

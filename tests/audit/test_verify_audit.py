"""Tamper evidence: verify_audit names the first bad event (issue 7, acceptance 2)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.chain import hash_of_event
from audit.models import AuditChainHead, AuditEvent
from audit.services import record_event
from audit.tasks import verify_audit_chain


class Tampering:
    """What a database superuser (or the table owner) can do: switch the triggers off and edit."""

    def __enter__(self):
        with connection.cursor() as cursor:
            # Deferred foreign-key checks would otherwise block ALTER TABLE in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        return self

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _events(n):
    return [record_event(action="audit.chain_verified", details={"i": i}) for i in range(n)]


def _verify():
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_an_intact_chain_passes_and_reports_speed(db):
    _events(5)
    output = _verify()
    assert "Checked 5 events" in output
    assert "events/second" in output
    assert "Chain intact" in output


def test_an_empty_trail_is_intact(db):
    assert "empty" in _verify()


def test_a_superuser_edits_one_event_and_verify_audit_names_it(db):
    events = _events(4)
    target = events[2]
    with Tampering() as t:
        t.execute("UPDATE audit_auditevent SET details = '{\"i\": 99}' WHERE id = %s", [target.id])
    with pytest.raises(CommandError) as failure:
        _verify()
    message = str(failure.value)
    assert f"event #{target.id} (audit.chain_verified)" in message
    assert "content no longer matches its hash" in message


def test_a_deleted_event_breaks_the_link_of_the_next_one(db):
    events = _events(4)
    with Tampering() as t:
        t.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    with pytest.raises(CommandError, match=rf"event #{events[2].id} \(audit.chain_verified\).*prev_hash"):
        _verify()


def test_rewriting_an_old_event_and_recomputing_later_hashes_is_caught_by_the_recorded_head(db):
    events = _events(3)
    head = verify_audit_chain()  # the daily task: verifies and records the head
    assert head["ok"] and head["events_checked"] == 3
    _events(2)
    # Rewrite the first event, then recompute every hash after it so all links look right.
    with Tampering() as t:
        t.execute("UPDATE audit_auditevent SET action = 'test.rewritten' WHERE id = %s", [events[0].id])
        previous_hash = None
        for event in AuditEvent.objects.order_by("id"):
            if previous_hash is not None:
                event.prev_hash = previous_hash
            event.hash = hash_of_event(event)
            t.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [event.prev_hash, event.hash, event.id],
            )
            previous_hash = event.hash
    with pytest.raises(CommandError) as failure:
        _verify()
    pinned = AuditChainHead.objects.get().last_event_id
    assert f"event #{pinned}" in str(failure.value)
    assert "differs from the head verified" in str(failure.value)


def test_the_daily_task_records_a_broken_chain_too(db):
    events = _events(2)
    with Tampering() as t:
        t.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[1].id])
    result = verify_audit_chain()
    head = AuditChainHead.objects.get()
    assert not result["ok"] and not head.ok
    assert f"event #{events[1].id}" in head.problem
    assert AuditEvent.objects.filter(action="audit.chain_broken").exists()

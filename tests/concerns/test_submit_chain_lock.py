"""A submit holds the audit chain's lock only for its final audit insert.

The chain lock serialises every writer of the trail until its transaction commits; a submit
that took it at its first event held it across the concern, its parts, its clocks and its
outbox, so concurrent submits queued behind each other.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Deadline
from audit.actions import AuditAction
from audit.chain import CHAIN_LOCK_KEY
from audit.models import AuditEvent
from audit.services import events_written_last, record_event
from audit.verification import verify_chain
from tests.factories.concerns import submit_test_concern

CHAIN_LOCK = f"pg_advisory_xact_lock({CHAIN_LOCK_KEY})"


def test_the_chain_lock_is_taken_once_and_only_for_the_last_insert(cast):
    with CaptureQueriesContext(connection) as captured:
        concern = submit_test_concern(reporter=cast.clinician)
    statements = [q["sql"] for q in captured.captured_queries]
    locks = [i for i, sql in enumerate(statements) if CHAIN_LOCK in sql]
    assert len(locks) == 1, statements
    after = [sql for sql in statements[locks[0] + 1 :] if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    # Numbering the events, then one INSERT of all of them: nothing else under the lock.
    assert len(after) == 2, after
    assert after[0].startswith("SELECT clock_timestamp()")
    assert after[1].startswith('INSERT INTO "audit_auditevent"')
    # Both events of the submit are there, in order, and the chain holds.
    deadline = Deadline.objects.get(concern=concern)
    submitted, opened = reversed(AuditEvent.objects.order_by("-id")[:2])
    assert (submitted.action, opened.action) == ("concern.submitted", "deadline.opened")
    assert submitted.subject_ref == concern.reference and opened.subject_id == str(deadline.pk)
    assert opened.prev_hash == submitted.hash
    assert verify_chain().ok


def test_a_failed_submit_leaves_no_events_and_the_next_one_chains_on(cast):
    before = AuditEvent.objects.count()
    try:
        submit_test_concern(reporter=cast.clinician, categories=("no-such-category",))
    except Exception:  # noqa: BLE001 - the submit is refused; what matters is what is left
        pass
    assert AuditEvent.objects.count() == before
    submit_test_concern(reporter=cast.clinician)
    assert verify_chain().ok


def test_events_written_last_returns_events_that_gain_their_id_when_written(cast):
    from django.db import transaction

    with transaction.atomic(), events_written_last():
        first = record_event(action=AuditAction.DASHBOARD_VIEWED, actor=cast.manager, details={"weeks": 1})
        second = record_event(action=AuditAction.DASHBOARD_VIEWED, actor=cast.manager, details={"weeks": 2})
        assert first.pk is None
    assert first.pk < second.pk
    assert second.prev_hash == first.hash
    assert verify_chain().ok

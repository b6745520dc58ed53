"""A claimed batch fires with set-based statements, not a dozen round trips per alert.

Exactly once is the acceptance tests' business (crashes, Redis stops, three sweepers, two
beats); this checks the shape of one batch: one INSERT of its alerts, one UPDATE of its
deadlines, one hold of the audit chain lock for all its events, one publish after commit.
"""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, OutboxMessage
from alerts.services.sweep import run_sweep
from audit.chain import CHAIN_LOCK_KEY
from audit.models import AuditEvent
from audit.verification import verify_chain
from tests.factories.clocks import make_due_concern


def _count(statements, start: str, table: str) -> int:
    return sum(1 for sql in statements if sql.startswith(start) and table in sql)


def _writes(statements, verb: str, table: str) -> int:
    """Statements that insert into or update ``table`` (the ORM quotes its name, raw SQL not)."""
    target = re.compile(rf'^{verb}( INTO)? "?{table}"?[ (]')
    return sum(1 for sql in statements if target.match(sql))


def test_a_batch_of_alerts_fires_with_one_statement_per_kind_of_row(cast, django_capture_on_commit_callbacks):
    prepared = [make_due_concern(team=cast.team, reporter=cast.clinician) for _ in range(6)]
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks() as callbacks:
        result = run_sweep()
    assert result.alerts == 6
    statements = [q["sql"] for q in captured.captured_queries]
    assert _count(statements, "INSERT", '"alerts_alert"') + _count(statements, "INSERT", "alerts_alert ") == 1
    assert _count(statements, "UPDATE", "alerts_deadline") == 1
    assert sum(1 for sql in statements if f"pg_advisory_xact_lock({CHAIN_LOCK_KEY})" in sql) == 1
    # Whom each concern must never reach (named, linked later, conflicted) is read in one statement.
    reads = [sql for sql in statements if sql.lstrip("(").startswith("SELECT")]
    exclusions = [sql for sql in reads if '"concerns_allegedperson"' in sql]
    assert len(exclusions) == 1
    assert '"concerns_stafflink"' in exclusions[0] and '"concerns_conflictofinterest"' in exclusions[0]
    # The batch's messages go to the broker together, after commit.
    assert len(callbacks) == 1
    # Each deadline alerted once, each alert audited, the chain intact.
    assert Alert.objects.filter(deadline__in=[d for _c, d in prepared]).count() == 6
    assert AuditEvent.objects.filter(action="alert.created").count() == 6
    assert OutboxMessage.objects.filter(alert__isnull=False).exists()
    assert verify_chain().ok
    # A second pass finds nothing more to fire.
    assert run_sweep().alerts == 0


def _sweep_statements(cast, alerts: int) -> list[str]:
    for _ in range(alerts):
        make_due_concern(team=cast.team, reporter=cast.clinician)
    with CaptureQueriesContext(connection) as captured:
        assert run_sweep().alerts == alerts
    return [q["sql"] for q in captured.captured_queries]


def test_a_batch_writes_its_messages_with_statements_that_do_not_grow_with_its_alerts(cast):
    few = _sweep_statements(cast, 2)
    many = _sweep_statements(cast, 9)
    for statements in (few, many):
        # Every alert's outbox rows in one INSERT, its in-app notifications in one, their
        # delivery attempts in one, and one UPDATE marking the in-app rows sent.
        assert _writes(statements, "INSERT", "alerts_outboxmessage") == 1
        assert _writes(statements, "INSERT", "alerts_notification") == 1
        assert _writes(statements, "INSERT", "alerts_deliveryattempt") == 1
        assert _writes(statements, "UPDATE", "alerts_outboxmessage") == 1
    # Seven more alerts, not one statement more (the first pass also creates the heartbeat).
    assert len(many) <= len(few)
    # Each alert reached each of its people by email and in the app, and each in-app
    # notification waits on that alert's own deadline.
    assert Alert.objects.count() == 11
    for alert in Alert.objects.all():
        emails = OutboxMessage.objects.filter(alert=alert, channel="email")
        in_app = OutboxMessage.objects.filter(alert=alert, channel="in_app", status="sent")
        assert emails.exists()
        assert sorted(emails.values_list("recipient", flat=True)) == sorted(in_app.values_list("recipient", flat=True))
        assert {m.notification.deadline_id for m in in_app} == {alert.deadline_id}

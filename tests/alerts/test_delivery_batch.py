"""A delivery batch is claimed, checked and recorded with statements that do not grow with it.

Exactly once under crashes and outages is the acceptance tests' business; this checks the shape
of one batch against a real SMTP server: one claim, one read of whom the concerns must never
reach, one INSERT of the attempts, one UPDATE of the outcomes, one hold of the audit chain lock.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Channel, DeliveryAttempt, OutboxMessage, OutboxStatus
from alerts.services.delivery import deliver_messages
from alerts.services.sweep import run_sweep
from audit.chain import CHAIN_LOCK_KEY
from audit.models import AuditEvent
from audit.verification import verify_chain
from tests.factories.clocks import make_due_concern
from tests.support import SmtpSink


@pytest.fixture
def sink(settings):
    server = SmtpSink().start()
    # The test runner swaps in the in-memory backend: deliver to a real server instead.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    yield server
    server.stop()


def _deliver_new_emails(cast, alerts: int) -> tuple[list[str], dict]:
    for _ in range(alerts):
        make_due_concern(team=cast.team, reporter=cast.clinician)
    assert run_sweep().alerts == alerts
    emails = OutboxMessage.objects.filter(channel=Channel.EMAIL, status=OutboxStatus.PENDING)
    ids = list(emails.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        counts = deliver_messages(ids + ids[:1])  # one id twice: claimed once
    assert counts == {"skipped": 1, "sent": len(ids)}
    return [q["sql"] for q in captured.captured_queries], counts


def test_a_delivery_batch_uses_statements_that_do_not_grow_with_its_messages(cast, sink):
    few, _counts = _deliver_new_emails(cast, 1)
    many, _counts = _deliver_new_emails(cast, 6)
    for statements in (few, many):
        assert sum(1 for sql in statements if sql.startswith("INSERT") and "alerts_deliveryattempt" in sql) == 1
        assert sum(1 for sql in statements if f"pg_advisory_xact_lock({CHAIN_LOCK_KEY})" in sql) == 1
    assert len(many) == len(few)
    # Every email sent once, recorded with its attempt and audited; the chain intact.
    emails = OutboxMessage.objects.filter(channel=Channel.EMAIL)
    assert not emails.exclude(status=OutboxStatus.SENT).exists()
    assert sorted(r.message_id for r in sink.received) == sorted(emails.values_list("message_id", flat=True))
    assert DeliveryAttempt.objects.filter(message__in=emails, succeeded=True, number=1).count() == emails.count()
    delivered = AuditEvent.objects.filter(action="alert.delivered")
    assert sorted(int(e.subject_id) for e in delivered) == sorted(emails.values_list("pk", flat=True))
    assert all(e.subject_ref.startswith("SG-TEST-") for e in delivered)
    assert verify_chain().ok
    # A message already sent is not sent again.
    assert deliver_messages([emails[0].pk]) == {"skipped": 1}


def test_one_message_is_delivered_as_a_batch_of_one(cast, sink):
    """The single-message task (kept for messages queued under its name) goes the batch's way."""
    from alerts.services.delivery import deliver_message

    make_due_concern(team=cast.team, reporter=cast.clinician)
    assert run_sweep().alerts == 1
    email = OutboxMessage.objects.filter(channel=Channel.EMAIL, status=OutboxStatus.PENDING).first()
    assert deliver_message(email.pk) == "sent"
    assert deliver_message(email.pk) == "skipped"
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT and email.attempts == 1
    assert [r.message_id for r in sink.received] == [email.message_id]
    assert AuditEvent.objects.filter(action="alert.delivered", subject_id=str(email.pk)).count() == 1

"""Delivering outbox messages: email over SMTP, in-app notifications, an optional webhook.

At-least-once, never twice on purpose:
- A message is claimed with a conditional UPDATE (pending, or retry whose time has come, to
  sending, with a lease). A second task for the same message updates nothing and returns.
- The send happens outside any transaction; success marks the row sent in one transaction
  with its DeliveryAttempt and audit event. In-app notifications are written in that same
  transaction, so they are exactly-once.
- Email cannot be exactly-once: if the SMTP server accepts the message and the worker dies
  before it commits "sent", the lease expires and the message is sent again. It carries the same
  Message-ID both times (see outbox.message_id_for), so a receiving system or person can tell it
  is the same message.
- Failures are recorded per attempt and retried with exponential backoff and jitter; the sweep
  republishes messages whose retry time has come. After OUTBOX_MAX_ATTEMPTS the message is
  marked failed and an ``alert.failed`` audit event is written.
"""

import logging
import random
import time
from typing import cast

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction

from alerts.models import Channel, DeliveryAttempt, Notification, OutboxMessage, OutboxStatus
from audit.actions import AuditAction
from audit.services import events_written_last, record_event

logger = logging.getLogger(__name__)


def lease_seconds() -> float:
    return float(settings.OUTBOX_LEASE_SECONDS)


def backoff_seconds(attempts: int) -> float:
    """30 s, 1, 2, 4, 8 min... capped, with +-20% jitter (defaults; see settings)."""
    base = float(settings.OUTBOX_RETRY_BASE_SECONDS)
    cap = float(settings.OUTBOX_RETRY_MAX_SECONDS)
    delay = min(base * (2 ** max(attempts - 1, 0)), cap)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


CLAIMED_FIELDS = [
    "id",
    "channel",
    "recipient_id",
    "address",
    "subject",
    "body",
    "link",
    "message_id",
    "concern_id",
    "alert_id",
    "attempts",
]


def claim_messages(message_ids: list[int]) -> list[OutboxMessage]:
    """Conditional UPDATE ... RETURNING: only one caller moves each deliverable message to
    ``sending``. One statement for a batch: the rows are locked in id order, so two
    tasks holding overlapping batches wait for each other instead of deadlocking, and a row
    claimed meanwhile fails the re-checked condition and is left to its claimer."""
    if not message_ids:
        return []
    table = OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH deliverable AS (SELECT id FROM {table} WHERE id = ANY(%s)"
            " AND (status = %s OR (status = %s AND next_attempt_at <= clock_timestamp()))"
            " ORDER BY id FOR UPDATE)"
            f" UPDATE {table} AS message SET status = %s, attempts = message.attempts + 1,"
            " lease_until = clock_timestamp() + make_interval(secs => %s)"
            " FROM deliverable WHERE message.id = deliverable.id"
            " RETURNING message.id, channel, recipient_id, address, subject, body, link, message_id, concern_id,"
            " alert_id, attempts",
            [list(message_ids), OutboxStatus.PENDING, OutboxStatus.RETRY, OutboxStatus.SENDING, lease_seconds()],
        )
        rows = cursor.fetchall()
    order = {pk: n for n, pk in enumerate(message_ids)}
    return sorted(
        (OutboxMessage(status=OutboxStatus.SENDING, **dict(zip(CLAIMED_FIELDS, row, strict=True))) for row in rows),
        key=lambda m: order[m.pk],
    )


def _email_for(message: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )


def _smtp_connection():
    return get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)


def _send_email(message: OutboxMessage, smtp=None) -> None:
    if smtp is not None:
        smtp.send_messages([_email_for(message)])
        return
    with _smtp_connection() as connection:
        connection.send_messages([_email_for(message)])


def _send_webhook(message: OutboxMessage) -> None:
    # Teams and Slack incoming webhooks both accept {"text": ...}.
    response = requests.post(message.address, json={"text": f"{message.subject}\n{message.link}".strip()}, timeout=10)
    response.raise_for_status()


# (is an alert, outcome) -> what is recorded; other messages are notifications.
DELIVERY_ACTIONS = {
    (True, "delivered"): AuditAction.ALERT_DELIVERED,
    (True, "failed"): AuditAction.ALERT_FAILED,
    (False, "delivered"): AuditAction.NOTIFICATION_DELIVERED,
    (False, "failed"): AuditAction.NOTIFICATION_FAILED,
}


def _audit_action(message: OutboxMessage, outcome: str) -> AuditAction:
    return DELIVERY_ACTIONS[(bool(message.alert_id), outcome)]


def _audit(message: OutboxMessage, outcome: str, *, reference: str | None = None, **details) -> None:
    record_event(
        action=_audit_action(message, outcome),
        subject_type="alerts.outboxmessage",
        subject_id=message.pk,
        subject_ref=_reference(message) if reference is None else reference,
        details={
            "channel": message.channel,
            "recipient_id": message.recipient_id,
            "alert_id": message.alert_id,
            "attempt": message.attempts,
            **details,
        },
    )


def _reference(message: OutboxMessage) -> str:
    if not message.concern_id:
        return ""
    from concerns.models import Concern

    return Concern.objects.filter(pk=message.concern_id).values_list("reference", flat=True).first() or ""


WITHHELD = "Withheld: the concern must never reach this recipient."


def _references(messages: list[OutboxMessage]) -> dict[int, str]:
    """Concern id -> reference, for a batch's messages in one statement."""
    from concerns.models import Concern

    concern_ids = {m.concern_id for m in messages if m.concern_id}
    if not concern_ids:
        return {}
    return dict(Concern.objects.filter(pk__in=concern_ids).values_list("pk", "reference"))


def _must_withhold(message: OutboxMessage, barred: set[int] | frozenset[int] | None = None) -> bool:
    """A message queued before its concern was hidden from its recipient (a staff member linked,
    a conflict declared after it was written) is not sent: nor is a shared webhook post about a
    concern that someone must never see. ``barred``: the concern's ``excluded_people`` when
    the caller read it already (for a whole batch)."""
    if not message.concern_id:
        return False
    from concerns.models import Concern
    from concerns.selectors import excluded_people

    if barred is None:
        barred = excluded_people(Concern(pk=message.concern_id))
    if message.channel == Channel.WEBHOOK:
        return bool(barred)
    return message.recipient_id in barred


def _withhold(message: OutboxMessage) -> str:
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message_id=message.pk, number=message.attempts, succeeded=False, error=WITHHELD, duration_ms=0
        )
        mine = OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxStatus.SENDING, attempts=message.attempts
        ).update(status=OutboxStatus.FAILED, lease_until=None, last_error=WITHHELD)
        if not mine:
            return "lost-claim"
        _audit(message, "failed", error=WITHHELD)
    return "withheld"


def deliver_message(message_id: int) -> str:
    """Deliver one message if it is deliverable now; returns what happened. A batch of one, so
    a single message is claimed, withheld, sent and recorded exactly as a batch's are."""
    counts = deliver_messages([message_id])
    return next(outcome for outcome, number in counts.items() if number)


def deliver_messages(message_ids: list[int]) -> dict[str, int]:
    """Deliver a batch: one SMTP connection for all its emails, one transaction for the outcomes.

    A burst of alerts (ten thousand deadlines due at once) is bounded by round trips, not by the
    work: one claim, one read of whom the concerns must never reach, one SMTP session, and one
    transaction that records every outcome with a fixed number of statements and takes the
    audit chain's lock once. Each message is still claimed, attempted, recorded and audited on
    its own terms.
    """
    from concerns.selectors import excluded_people_by_concern

    everything = claim_messages(message_ids)
    barred = excluded_people_by_concern({m.concern_id for m in everything if m.concern_id})
    withheld = [m for m in everything if _must_withhold(m, barred.get(m.concern_id or 0, frozenset()))]
    counts: dict[str, int] = {"skipped": len(message_ids) - len(everything)}
    for message in withheld:
        outcome = _withhold(message)  # "lost-claim" when the message was reclaimed meanwhile
        counts[outcome] = counts.get(outcome, 0) + 1
    claimed = [m for m in everything if m not in withheld]
    outcomes: list[tuple[OutboxMessage, str, int]] = []
    emails = [m for m in claimed if m.channel == Channel.EMAIL]
    if emails:
        smtp = _smtp_connection()
        try:
            smtp.open()
        except Exception as exc:  # noqa: BLE001 - recorded per message and retried
            smtp = None
            error = f"{exc.__class__.__name__}: {exc}"[:2000]
            outcomes.extend((m, error, 0) for m in emails)
        if smtp is not None:
            try:
                for message in emails:
                    started = time.monotonic()
                    error = ""
                    try:
                        _send_email(message, smtp)
                    except Exception as exc:  # noqa: BLE001
                        error = f"{exc.__class__.__name__}: {exc}"[:2000]
                    outcomes.append((message, error, int((time.monotonic() - started) * 1000)))
            finally:
                try:
                    smtp.close()
                except Exception:  # noqa: BLE001, S110 - the outcomes are already known
                    pass
    for message in claimed:
        if message.channel == Channel.EMAIL:
            continue
        started = time.monotonic()
        error = ""
        try:
            if message.channel == Channel.WEBHOOK:
                _send_webhook(message)
        except Exception as exc:  # noqa: BLE001
            error = f"{exc.__class__.__name__}: {exc}"[:2000]
        outcomes.append((message, error, int((time.monotonic() - started) * 1000)))
    for outcome, number in _record_outcomes(outcomes).items():
        counts[outcome] = counts.get(outcome, 0) + number
    return counts


def _decide(message: OutboxMessage, error: str) -> tuple[str, str]:
    """(new status, outcome) after an attempt."""
    if not error:
        return OutboxStatus.SENT, "sent"
    if message.attempts >= int(settings.OUTBOX_MAX_ATTEMPTS):
        return OutboxStatus.FAILED, "failed"
    return OutboxStatus.RETRY, "retry"


def _record_outcomes(outcomes: list[tuple[OutboxMessage, str, int]]) -> dict[str, int]:
    """Record each attempt, in one transaction for a batch: one INSERT of the attempts, one
    UPDATE of the messages still ours, one read of their concerns' references, and their audit
    events under one hold of the chain lock (``events_written_last``)."""
    counts: dict[str, int] = {}
    if not outcomes:
        return counts
    decided = [(message, error, duration_ms, *_decide(message, error)) for message, error, duration_ms in outcomes]
    table = OutboxMessage._meta.db_table
    with transaction.atomic(), events_written_last():
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    message_id=m.pk, number=m.attempts, succeeded=not error, error=error, duration_ms=duration_ms
                )
                for m, error, duration_ms, _status, _outcome in decided
            ]
        )
        # Our claim still holds only if nobody reclaimed the message after a lease expiry. The
        # rows are locked in id order, as the claim locks them.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH ours AS (SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE)"
                f" UPDATE {table} AS message SET status = outcome.status, lease_until = NULL,"
                " last_error = outcome.error,"
                " sent_at = CASE WHEN outcome.status = %s THEN clock_timestamp() ELSE message.sent_at END,"
                " next_attempt_at = CASE WHEN outcome.status = %s"
                " THEN clock_timestamp() + make_interval(secs => outcome.delay) ELSE message.next_attempt_at END"
                " FROM ours, unnest(%s::bigint[], %s::integer[], %s::varchar[], %s::text[], %s::float8[])"
                " AS outcome(id, attempts, status, error, delay)"
                " WHERE message.id = ours.id AND message.id = outcome.id AND message.status = %s"
                " AND message.attempts = outcome.attempts RETURNING message.id",
                [
                    [m.pk for m, *_rest in decided],
                    OutboxStatus.SENT,
                    OutboxStatus.RETRY,
                    [m.pk for m, *_rest in decided],
                    [m.attempts for m, *_rest in decided],
                    [status for _m, _e, _d, status, _o in decided],
                    [error for _m, error, _d, _s, _o in decided],
                    [
                        backoff_seconds(m.attempts) if status == OutboxStatus.RETRY else 0.0
                        for m, _e, _d, status, _o in decided
                    ],
                    OutboxStatus.SENDING,
                ],
            )
            mine = {row[0] for row in cursor.fetchall()}
        references = _references([m for m, *_rest in decided if m.pk in mine])
        for message, error, _duration_ms, status, outcome in decided:
            if message.pk not in mine:
                counts["lost-claim"] = counts.get("lost-claim", 0) + 1
                continue
            counts[outcome] = counts.get(outcome, 0) + 1
            reference = references.get(message.concern_id, "") if message.concern_id else ""
            if status == OutboxStatus.SENT:
                if message.channel == Channel.IN_APP and message.recipient_id:
                    _write_notification(message)
                _audit(message, "delivered", reference=reference)
            elif status == OutboxStatus.FAILED:
                _audit(message, "failed", reference=reference, error=error[:200])
                logger.error("Outbox message %s failed after %s attempts: %s", message.pk, message.attempts, error)
            else:
                logger.warning("Outbox message %s attempt %s failed: %s", message.pk, message.attempts, error)
    return counts


def _write_notification(message: OutboxMessage) -> None:
    # Normally written at queue time (outbox.deliver_in_app_now).
    Notification.objects.get_or_create(
        message_id=message.pk,
        defaults={
            "user_id": cast(int, message.recipient_id),
            "title": message.subject,
            "body": message.body,
            "link": message.link,
        },
    )

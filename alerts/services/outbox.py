"""The notification outbox: messages are rows written in the caller's transaction.

Nothing leaves the process before commit. After commit, ``transaction.on_commit`` publishes a
delivery task per message id; if the broker is down or the process dies first, the sweep
republishes every message whose ``next_attempt_at`` has passed. Delivery claims a message with
a conditional UPDATE, so a message published twice is delivered once.

Messages carry no sensitive detail: a reference, the urgency, the team, how overdue, a link.

A message about a concern never goes to anyone the concern must never reach
(``concerns.selectors.excluded_people``): both ways of queueing drop them, whatever the caller
chose, so a notification, an alert or an email cannot leak a concern to its subject.
"""

import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from alerts.models import Channel, DeliveryAttempt, Notification, OutboxMessage, OutboxStatus
from concerns.selectors import excluded_people

logger = logging.getLogger(__name__)


def requeue_delay() -> timedelta:
    """How long a published message may wait for a worker before the sweep publishes it again."""
    return timedelta(seconds=max(2 * settings.SWEEP_INTERVAL_SECONDS, 1.0))


def message_id_for(idempotency_key: str) -> str:
    """A stable RFC 5322 Message-ID: a resend after a crash carries the same one."""
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    local = "".join(c if c.isalnum() or c in ".-" else "." for c in idempotency_key)
    return f"<{local}@{domain}>"


def absolute_link(path: str) -> str:
    return path if path.startswith("http") else settings.SITE_URL + path


def queue_message(
    *,
    channel: str,
    idempotency_key: str,
    subject: str,
    body: str,
    recipient=None,
    address: str = "",
    link: str = "",
    concern=None,
    alert=None,
    deadline=None,
) -> tuple[OutboxMessage | None, bool]:
    """Write one outbox row in the caller's transaction and publish it after commit.

    The same ``idempotency_key`` twice returns the first row (created False), so a retried
    caller never sends twice. A recipient the concern must never reach gets nothing
    (``(None, False)``).
    """
    if concern is not None and (recipient is not None or channel == Channel.WEBHOOK):
        barred = excluded_people(concern)
        if (recipient is not None and recipient.pk in barred) or (channel == Channel.WEBHOOK and barred):
            return None, False
    if channel == Channel.EMAIL and not address and recipient is not None:
        address = recipient.email
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults=dict(
            channel=channel,
            recipient=recipient,
            address=address,
            subject=subject[:200],
            body=body,
            link=absolute_link(link) if link else "",
            message_id=message_id_for(idempotency_key) if channel == Channel.EMAIL else "",
            concern=concern,
            alert=alert,
            next_attempt_at=timezone.now() + requeue_delay(),
        ),
    )
    if created:
        if channel == Channel.IN_APP:
            deliver_in_app_now([message], deadline_id=_deadline_id(deadline, alert))
        else:
            publish_after_commit([message.pk])
    return message, created


def queue_for_people(
    *,
    people,
    key: str,
    subject: str,
    body: str,
    link: str = "",
    concern=None,
    alert=None,
    channels=(Channel.EMAIL, Channel.IN_APP),
    fresh=False,
    deadline=None,
    excluded: set[int] | frozenset[int] | None = None,
) -> list[OutboxMessage]:
    """One message per person and channel, keyed ``<key>:<user id>:<channel>``, written in one
    statement; keys that already exist are left as they are (idempotent).

    ``deadline`` (or the alert's) is the obligation the message asks its reader to act on: the
    in-app notification is marked done when it is met. People the concern must never reach
    are dropped (``excluded``: pass ``excluded_people(concern)`` when it is already known).
    """
    barred: set[int] | frozenset[int] = set()
    if concern is not None:
        barred = excluded_people(concern) if excluded is None else excluded
    rows = outbox_rows(
        people=people,
        key=key,
        subject=subject,
        body=body,
        link=link,
        concern=concern,
        alert=alert,
        channels=channels,
        barred=barred,
    )
    deadline_id = _deadline_id(deadline, alert)
    if fresh and rows:
        messages = _insert_and_deliver([(row, deadline_id) for row in rows])
        publish_after_commit([m.pk for m in messages if m.status == OutboxStatus.PENDING])
        return messages
    return save_outbox_rows([(row, deadline_id) for row in rows])


def outbox_rows(
    *,
    people,
    key: str,
    subject: str,
    body: str,
    link: str = "",
    concern=None,
    alert=None,
    channels=(Channel.EMAIL, Channel.IN_APP),
    barred: set[int] | frozenset[int] = frozenset(),
) -> list[OutboxMessage]:
    """The unsaved rows of ``queue_for_people``: one per person and channel (nobody in
    ``barred``, whom the caller read for ``concern``), and the webhook's for an alert."""
    if concern is not None:
        people = [person for person in people if person.pk not in barred]
    full_link = absolute_link(link) if link else ""
    due = timezone.now() + requeue_delay()
    rows = []
    for person in people:
        for channel in channels:
            idempotency_key = f"{key}:{person.pk}:{channel}"
            rows.append(
                OutboxMessage(
                    idempotency_key=idempotency_key,
                    channel=channel,
                    recipient=person,
                    address=person.email if channel == Channel.EMAIL else "",
                    subject=subject[:200],
                    body=body,
                    link=full_link,
                    message_id=message_id_for(idempotency_key) if channel == Channel.EMAIL else "",
                    concern=concern,
                    alert=alert,
                    next_attempt_at=due,
                )
            )
    webhook = settings.ALERT_WEBHOOK_URL
    # The webhook is a shared channel (a Teams or Slack room) that anyone may read, the person a
    # concern is about included: such a concern never goes there.
    if webhook and alert is not None and not (concern is not None and barred):
        rows.append(
            OutboxMessage(
                idempotency_key=f"{key}:webhook",
                channel=Channel.WEBHOOK,
                address=webhook,
                subject=subject[:200],
                body=body,
                link=full_link,
                concern=concern,
                alert=alert,
                next_attempt_at=due,
            )
        )
    return rows


def save_outbox_rows(rows: list[tuple[OutboxMessage, int | None]], *, fresh=False) -> list[OutboxMessage]:
    """Write rows (each with the deadline its in-app notification waits on) in one INSERT,
    deliver the in-app ones now and publish the rest after commit.

    A sweep batch passes every alert's rows at once, so the statements of a batch do not grow
    with its alerts.
    """
    if not rows:
        return []
    deadline_of = {row.idempotency_key: deadline_id for row, deadline_id in rows}
    if fresh:
        # The keys embed an id created in this transaction: no row can exist yet.
        messages = _insert_fresh([row for row, _deadline_id in rows])
    else:
        OutboxMessage.objects.bulk_create([row for row, _deadline_id in rows], ignore_conflicts=True)
        messages = list(OutboxMessage.objects.filter(idempotency_key__in=list(deadline_of)))
    _deliver_in_app(
        [(m, deadline_of.get(m.idempotency_key)) for m in messages if m.channel == Channel.IN_APP],
    )
    publish_after_commit([m.pk for m in messages if m.status == OutboxStatus.PENDING])
    return messages


def _insert_unnest(model, columns: list[tuple[str, str]], rows: list[tuple], suffix: str = "") -> list[tuple]:
    """INSERT ... SELECT FROM unnest(one array per column): a short statement with one
    parameter per column however many rows. (bulk_create falls back to one placeholder per
    value when a model has a database default, as ``created_at`` is: that statement and its
    parameters cost more than the rest of a sweep batch.) Omitted columns take their defaults."""
    names = ", ".join(name for name, _type in columns)
    arrays = ", ".join(f"%s::{db_type}[]" for _name, db_type in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({names}) SELECT * FROM unnest({arrays}) {suffix}",
            [[row[n] for row in rows] for n in range(len(columns))],
        )
        return cursor.fetchall() if "RETURNING" in suffix else []


OUTBOX_COLUMNS = [
    ("idempotency_key", "varchar"),
    ("channel", "varchar"),
    ("recipient_id", "bigint"),
    ("address", "varchar"),
    ("subject", "varchar"),
    ("body", "text"),
    ("link", "varchar"),
    ("message_id", "varchar"),
    ("concern_id", "bigint"),
    ("alert_id", "bigint"),
    ("status", "varchar"),
    ("attempts", "smallint"),
    ("next_attempt_at", "timestamptz"),
    ("last_error", "text"),
]


def _insert_fresh(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """One INSERT of new outbox rows; each gets its id (and the database's created_at)."""
    returned = _insert_unnest(
        OutboxMessage,
        OUTBOX_COLUMNS,
        [tuple(getattr(row, name) for name, _type in OUTBOX_COLUMNS) for row in rows],
        "RETURNING idempotency_key, id, created_at",
    )
    saved = {key: (pk, created_at) for key, pk, created_at in returned}
    for row in rows:
        row.pk, row.created_at = saved[row.idempotency_key]
        row._state.adding = False
    return rows


def _insert_and_deliver(rows: list[tuple[OutboxMessage, int | None]]) -> list[OutboxMessage]:
    """``_insert_fresh`` and ``_deliver_in_app`` in one statement, for new rows (each with the
    deadline its in-app notification waits on): the rows are inserted, the in-app ones already
    sent, with their notifications and delivery attempts. Each row gets its id and the
    database's created_at. A new concern's first notice comes this way, inside the busiest
    write of the portal: four round trips were one."""
    now = timezone.now()
    delivered = [row.channel == Channel.IN_APP and row.recipient_id is not None for row, _d in rows]
    for (row, _deadline_id), in_app in zip(rows, delivered, strict=True):
        if in_app:
            row.status, row.attempts, row.sent_at = OutboxStatus.SENT, 1, now
    columns = [*OUTBOX_COLUMNS, ("sent_at", "timestamptz")]
    names = ", ".join(name for name, _type in columns)
    arrays = ", ".join(f"%s::{db_type}[]" for _name, db_type in columns)
    values = [tuple(getattr(row, name) for name, _type in columns) for row, _deadline_id in rows]
    parameters = [[value[n] for value in values] for n in range(len(columns))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH input AS (SELECT * FROM unnest({arrays}, %s::bigint[], %s::boolean[])"
            f" AS t({names}, deadline_id, delivered)),"
            f" message AS (INSERT INTO {OutboxMessage._meta.db_table} ({names}) SELECT {names} FROM input"
            " RETURNING idempotency_key, id, created_at),"
            # Exactly once: Notification.message is one-to-one.
            f" notified AS (INSERT INTO {Notification._meta.db_table}"
            " (user_id, message_id, title, body, link, deadline_id)"
            " SELECT input.recipient_id, message.id, input.subject, input.body, input.link, input.deadline_id"
            " FROM message JOIN input USING (idempotency_key) WHERE input.delivered ON CONFLICT DO NOTHING),"
            f" attempted AS (INSERT INTO {DeliveryAttempt._meta.db_table}"
            " (message_id, number, succeeded, error, duration_ms)"
            " SELECT message.id, 1, true, '', 0 FROM message JOIN input USING (idempotency_key)"
            " WHERE input.delivered)"
            " SELECT idempotency_key, id, created_at FROM message",
            [*parameters, [deadline_id for _row, deadline_id in rows], delivered],
        )
        saved = {key: (pk, created_at) for key, pk, created_at in cursor.fetchall()}
    messages = []
    for row, _deadline_id in rows:
        row.pk, row.created_at = saved[row.idempotency_key]
        row._state.adding = False
        messages.append(row)
    return messages


def _deadline_id(deadline, alert) -> int | None:
    if deadline is not None:
        return getattr(deadline, "pk", deadline)
    return getattr(alert, "deadline_id", None)


def deliver_in_app_now(messages: list[OutboxMessage], *, deadline_id: int | None = None) -> None:
    """In-app delivery is a row in our own database: write it in the caller's transaction.

    Exactly once (Notification.message is one-to-one), visible exactly when the alert commits,
    and no broker round trip. The outbox row and its DeliveryAttempt still record it.
    """
    _deliver_in_app([(m, deadline_id) for m in messages])


def _deliver_in_app(messages: list[tuple[OutboxMessage, int | None]]) -> None:
    """``deliver_in_app_now`` for messages each with its own deadline: one INSERT of the
    notifications, one of the attempts and one UPDATE of the outbox rows, however many."""
    pending = [(m, d) for m, d in messages if m.status == OutboxStatus.PENDING and m.recipient_id]
    if not pending:
        return
    # Exactly once: a message that already has its notification keeps it.
    _insert_unnest(
        Notification,
        [("user_id", "bigint"), ("message_id", "bigint"), ("title", "varchar"), ("body", "text")]
        + [("link", "varchar"), ("deadline_id", "bigint")],
        [(m.recipient_id, m.pk, m.subject, m.body, m.link, deadline_id) for m, deadline_id in pending],
        "ON CONFLICT DO NOTHING",
    )
    _insert_unnest(
        DeliveryAttempt,
        [("message_id", "bigint"), ("number", "smallint"), ("succeeded", "boolean")]
        + [("error", "text"), ("duration_ms", "integer")],
        [(m.pk, 1, True, "", 0) for m, _deadline_id in pending],
    )
    now = timezone.now()
    OutboxMessage.objects.filter(pk__in=[m.pk for m, _d in pending], status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SENT, attempts=1, sent_at=now
    )
    for m, _d in pending:
        m.status = OutboxStatus.SENT


# After a broker failure, skip publishing for a moment instead of failing once per message.
_broker_down_until = 0.0
BROKER_BACKOFF_SECONDS = 2.0


# Messages per delivery task: one SMTP session and one outcome transaction per batch. A sweep
# batch's emails (SWEEP_BATCH_SIZE alerts) fit in one task, and the worker threads share a burst
# across sweep batches. Measured with 10,000 alerts due at once: 20 -> 50 took the last email's
# wait after its alert from 32 s to 21-24 s, and 1,000 alerts stayed under 8 s.
DELIVERY_BATCH_SIZE = 50


def publish(message_ids: list[int]) -> int:
    """Publish delivery tasks in batches; give up quietly while the broker is down (the sweep retries)."""
    global _broker_down_until
    from alerts.tasks import deliver_messages

    if time.monotonic() < _broker_down_until:
        return 0
    published = 0
    try:
        # One producer (one broker connection) for the whole set.
        with deliver_messages.app.producer_or_acquire() as producer:
            for start in range(0, len(message_ids), DELIVERY_BATCH_SIZE):
                batch = list(message_ids[start : start + DELIVERY_BATCH_SIZE])
                deliver_messages.apply_async((batch,), retry=False, producer=producer)
                published += len(batch)
    except Exception:  # noqa: BLE001 - the broker is an accelerator; Postgres keeps the message
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("Broker unavailable; %d delivery task(s) left for the sweep", len(message_ids) - published)
    return published


class _Publishing(threading.local):
    ids: list[int] | None = None


_publishing = _Publishing()


def publish_after_commit(message_ids: list[int]) -> None:
    """Publish after the current transaction commits (nothing if it rolls back).

    Inside ``published_together()`` the ids join the block's one publish instead.
    """
    if _publishing.ids is not None:
        _publishing.ids.extend(message_ids)
        return
    ids = list(message_ids)
    transaction.on_commit(lambda: publish(ids), robust=True)


@contextmanager
def published_together():
    """The messages queued inside the block are published together after commit.

    A sweep batch queues one or two messages per alert; published per alert, each became a
    delivery task of its own (one SMTP session per email). Together they go out in tasks of
    ``DELIVERY_BATCH_SIZE``. Use it inside the caller's ``transaction.atomic()``.
    """
    if _publishing.ids is not None:
        yield
        return
    _publishing.ids = []
    try:
        yield
        ids = _publishing.ids
    finally:
        _publishing.ids = None
    if ids:
        transaction.on_commit(lambda: publish(ids), robust=True)

"""The notification outbox: messages are rows written in the caller's transaction.

Nothing leaves the process before commit. After commit, ``transaction.on_commit`` publishes a
delivery task per message id; if the broker is down or the process dies first, the sweep
republishes every message whose ``next_attempt_at`` has passed. Delivery claims a message with
a conditional UPDATE, so a message published twice is delivered once.

Messages carry no sensitive detail: a reference, the urgency, the team, how overdue, a link.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from escalation.models import Channel, OutboxMessage

logger = logging.getLogger(__name__)


def requeue_delay() -> timedelta:
    """How long a published message may wait for a worker before the sweep publishes it again."""
    return timedelta(seconds=max(getattr(settings, "OUTBOX_REQUEUE_AFTER_SECONDS", 0) or
                                 2 * settings.SWEEP_INTERVAL_SECONDS, 1.0))


def message_id_for(idempotency_key: str) -> str:
    """A stable RFC 5322 Message-ID: a resend after a crash carries the same one."""
    domain = getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", "safeguarding-portal.local")
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
) -> tuple[OutboxMessage, bool]:
    """Write one outbox row in the caller's transaction and publish it after commit.

    The same ``idempotency_key`` twice returns the first row (created False), so a retried
    caller never sends twice.
    """
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
        publish_after_commit([message.pk])
    return message, created


def queue_for_people(*, people, key: str, subject: str, body: str, link: str = "", concern=None,
                     alert=None, channels=(Channel.EMAIL, Channel.IN_APP)) -> list[OutboxMessage]:
    """One message per person and channel, keyed ``<key>:<user id>:<channel>``."""
    messages = []
    for person in people:
        for channel in channels:
            message, _ = queue_message(
                channel=channel,
                idempotency_key=f"{key}:{person.pk}:{channel}",
                subject=subject,
                body=body,
                recipient=person,
                link=link,
                concern=concern,
                alert=alert,
            )
            messages.append(message)
    webhook = getattr(settings, "ALERT_WEBHOOK_URL", "")
    if webhook and alert is not None:
        message, _ = queue_message(
            channel=Channel.WEBHOOK, idempotency_key=f"{key}:webhook", subject=subject, body=body,
            address=webhook, link=link, concern=concern, alert=alert,
        )
        messages.append(message)
    return messages


# After a broker failure, skip publishing for a moment instead of failing once per message.
_broker_down_until = 0.0
BROKER_BACKOFF_SECONDS = 2.0


def publish(message_ids: list[int]) -> int:
    """Publish delivery tasks; give up quietly while the broker is down (the sweep retries)."""
    global _broker_down_until
    from escalation.tasks import deliver_message

    if time.monotonic() < _broker_down_until:
        return 0
    published = 0
    for message_id in message_ids:
        try:
            deliver_message.apply_async((message_id,), retry=False)
        except Exception:  # noqa: BLE001 - the broker is an accelerator; Postgres keeps the message
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
            logger.warning("Broker unavailable; %d delivery task(s) left for the sweep", len(message_ids) - published)
            break
        published += 1
    return published


def publish_after_commit(message_ids: list[int]) -> None:
    ids = list(message_ids)
    transaction.on_commit(lambda: publish(ids), robust=True)

"""Writing audit events. Call ``record_event`` inside the same transaction as the change."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from audit.chain import CHAIN_LOCK_KEY, GENESIS_HASH, event_hash
from audit.context import current_request_context
from audit.models import AuditEvent

# Keys whose values never reach the trail, at any depth of ``details``.
SENSITIVE_KEYS = frozenset(
    {
        "password",
        "password1",
        "password2",
        "token",
        "secret",
        "otp",
        "account_text",
        "own_words",
        "observations",
        "opinion",
        "questions_asked",
        "body",
        "content_shared",
    }
)
REDACTED = "[redacted]"


def redact(value):
    if isinstance(value, dict):
        return {k: (REDACTED if k.lower() in SENSITIVE_KEYS else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _normalise(details: dict | None) -> dict:
    """What is hashed must equal what jsonb gives back, so round-trip through JSON first."""
    return json.loads(json.dumps(redact(details or {}), cls=DjangoJSONEncoder))


def record_event(
    *,
    action: str,
    actor=None,
    subject=None,
    subject_type: str = "",
    subject_id: str | int = "",
    subject_ref: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    The chain lock is a transaction-level advisory lock: it is held until the caller commits,
    so chain order equals commit order and no two events share a predecessor.
    """
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or subject.pk
        subject_ref = subject_ref or getattr(subject, "reference", "") or ""
    request = current_request_context()
    actor = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            # A new statement, so READ COMMITTED sees the event committed just before the lock.
            cursor.execute(
                "SELECT clock_timestamp(), nextval(pg_get_serial_sequence('audit_auditevent', 'id')),"
                " (SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1)"
            )
            occurred_at, event_id, last_hash = cursor.fetchone()
        content = dict(
            event_id=event_id,
            occurred_at=occurred_at,
            actor_id=actor.pk if actor else None,
            actor_email=actor.email if actor else "",
            actor_role=(actor.primary_role or "") if actor else "",
            ip_address=request.ip_address,
            user_agent=request.user_agent,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id) if subject_id != "" else "",
            subject_ref=subject_ref,
            details=_normalise(details),
            request_id=request.request_id,
            prev_hash=last_hash or GENESIS_HASH,
        )
        return AuditEvent.objects.create(
            id=event_id,
            occurred_at=occurred_at,
            actor=actor,
            actor_email=content["actor_email"],
            actor_role=content["actor_role"],
            ip_address=content["ip_address"],
            user_agent=content["user_agent"],
            action=action,
            subject_type=subject_type,
            subject_id=content["subject_id"],
            subject_ref=subject_ref,
            details=content["details"],
            request_id=content["request_id"],
            prev_hash=content["prev_hash"],
            hash=event_hash(**content),
        )

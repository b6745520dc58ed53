"""Writing audit events. Call ``record_event`` inside the same transaction as the change."""

import json
import threading
from contextlib import contextmanager
from typing import cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from audit.actions import AuditAction, parse_action
from audit.chain import CHAIN_FIELDS, CHAIN_LOCK_KEY, GENESIS_HASH, event_hash
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
    action: AuditAction,
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

    Inside ``events_written_last()`` the event is queued instead, and written with the
    block's other events when it ends; the returned event then has its id and hash only after.

    ``action`` is a member of audit.actions.AuditAction (or its code); any other code raises
    ValueError before anything is written.
    """
    action = parse_action(action)
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or subject.pk
        subject_ref = subject_ref or getattr(subject, "reference", "") or ""
    request = current_request_context()
    actor = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    event = AuditEvent(
        actor_id=actor.pk if actor else None,
        actor_email=actor.email if actor else "",
        actor_role=(actor.primary_role or "") if actor else "",
        ip_address=request.ip_address,
        user_agent=request.user_agent,
        action=action.value,
        subject_type=subject_type,
        subject_id=str(subject_id) if subject_id != "" else "",
        subject_ref=subject_ref,
        details=_normalise(details),
        request_id=request.request_id,
    )
    queue = _deferred.events
    if queue is not None:
        queue.append(event)
        return event
    _write_chained([event])
    return event


class _Deferred(threading.local):
    events: list[AuditEvent] | None = None


_deferred = _Deferred()


@contextmanager
def events_written_last():
    """Events recorded inside the block are written when it ends, under one short chain lock.

    For a service whose transaction does much else (a submit, a sweep's batch): the chain
    lock, which serialises every writer of the trail, is then held from the final INSERT to
    the commit, not across the whole transaction. Use it inside the caller's
    ``transaction.atomic()``, so the events commit (or roll back) with the change. Nested
    blocks leave the writing to the outermost; an exception discards the queued events.
    """
    if _deferred.events is not None:
        yield
        return
    _deferred.events = []
    try:
        yield
        events = _deferred.events
    finally:
        _deferred.events = None
    if events:
        _write_chained(events)


def _write_chained(events: list[AuditEvent]) -> None:
    """Take the chain lock, number and hash ``events`` in order after the last one, insert them.

    No savepoint: an event that cannot be written must fail the caller's transaction too (the
    change it records may not commit without it), so there is nothing to roll back to.
    """
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            # A new statement, so READ COMMITTED sees the event committed just before the lock.
            cursor.execute(
                "SELECT clock_timestamp(), (SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1),"
                " ARRAY(SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id'))"
                " FROM generate_series(1, %s))",
                [len(events)],
            )
            occurred_at, last_hash, event_ids = cursor.fetchone()
        prev_hash = last_hash or GENESIS_HASH
        for event, event_id in zip(events, sorted(event_ids), strict=True):
            event.id = event_id
            event.occurred_at = occurred_at
            event.prev_hash = prev_hash
            # The row is exactly the hashed content (audit.chain.CHAIN_FIELDS) plus its hash.
            event.hash = prev_hash = event_hash({name: getattr(event, name) for name in CHAIN_FIELDS})
            event._state.adding, event._state.db = False, connection.alias
        _insert_events(events)


def _insert_events(events: list[AuditEvent]) -> None:
    """One plain INSERT of one array per column, as the rows are complete: the ORM's
    bulk_create cost a submit more CPU than the rest of writing its two events."""
    fields = AuditEvent._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    values = [
        [field.get_db_prep_save(getattr(event, field.attname), connection) for event in events] for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(AuditEvent._meta.db_table)} ({columns})"  # noqa: S608 - the model's names
            f" SELECT * FROM unnest({arrays})",
            values,
        )


class BreakGlassReviewError(ValueError):
    """A review that cannot be recorded; the message says why, for the person reviewing."""


def record_break_glass(*, actor, concern_reference: str, team, reason: str):
    """A lead opened a concern of a team they do not cover: keep it for the managers' review.

    Call inside the transaction that shows the concern (before the content is rendered), so
    that if this write fails the concern is not shown.
    """
    from audit.models import BreakGlassAccess

    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A reason is required to open a concern outside your teams.")
    with transaction.atomic():
        event = record_event(
            action=AuditAction.CONCERN_BREAK_GLASS,
            actor=actor,
            subject_type="concerns.concern",
            subject_ref=concern_reference,
            # The typed reason stays in the access record below (the managers' review reads it
            # there): audit details, kept forever, hold references and codes, never free text.
            details={"team": team.code, "team_id": team.pk},
        )
        return BreakGlassAccess.objects.create(
            actor=actor,
            concern_reference=concern_reference,
            team=team,
            reason=reason,
            opened_at=event.occurred_at,
        )


def review_break_glass(*, actor, access_id: int, comment: str):
    """A manager marks one break-glass access as reviewed, with a comment. Once only."""
    from accounts.roles import Role
    from audit.models import BreakGlassAccess

    comment = (comment or "").strip()
    if not comment:
        raise BreakGlassReviewError("Write a comment saying what you found.")
    if not actor.has_role(Role.MANAGER):
        raise BreakGlassReviewError("Only a manager can review break-glass access.")
    with transaction.atomic():
        access = BreakGlassAccess.objects.select_for_update().get(pk=access_id)
        if access.is_reviewed:
            raise BreakGlassReviewError("This access has already been reviewed.")
        if access.actor_id == actor.pk:
            raise BreakGlassReviewError("Someone else must review your own break-glass access.")
        event = record_event(
            action=AuditAction.BREAK_GLASS_REVIEWED,
            actor=actor,
            subject=access,
            subject_ref=access.concern_reference,
            # The comment stays on the access record, like the reason.
            details={"break_glass_id": access.pk},
        )
        access.reviewed_by = actor
        access.reviewed_at = event.occurred_at
        access.review_comment = comment
        access.save(update_fields=["reviewed_by", "reviewed_at", "review_comment"])
        return access

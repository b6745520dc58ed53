"""The clock engine's two verbs: open a deadline, close deadlines.

Every time-bound obligation (acknowledge a concern, a referral's response, a LADO task, a
review date...) is one ``Deadline`` row. The sweep (``alerts.services.sweep``) fires its escalation
steps until someone closes it. Whoever closes an obligation calls ``close_deadlines`` FIRST in
its transaction: it locks the rows (SELECT ... FOR UPDATE), so a racing sweep has either
already alerted and committed, or skips the row and never alerts for it again.
"""

from datetime import datetime, timedelta
from typing import cast

from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from alerts.calendar import compute_due_at
from alerts.models import Deadline, DeadlineState, Notification, ObligationKind
from alerts.policies import ResolvedPolicy, resolve_policy
from alerts.selectors import obligation_nation
from audit.actions import AuditAction
from audit.services import record_event


def _subject_key(subject) -> tuple[str, str]:
    return subject._meta.label_lower, str(subject.pk)


def _open_deadlines(*, kind: str, concern=None, subject=None):
    if concern is None and subject is None:
        raise ValueError("close_deadlines needs a concern or a subject.")
    rows = Deadline.objects.filter(kind=kind, state=DeadlineState.OPEN)
    if subject is not None:
        subject_type, subject_id = _subject_key(subject)
        rows = rows.filter(subject_type=subject_type, subject_id=subject_id)
    if concern is not None:
        rows = rows.filter(concern_id=getattr(concern, "pk", concern))
    return rows


def open_deadline(
    *,
    kind: str,
    concern=None,
    subject=None,
    due_at: datetime | None = None,
    starts_at: datetime | None = None,
    urgency: str | None = None,
    jurisdiction: str | None = None,
    team=None,
    subject_ref: str | None = None,
    actor=None,
    fresh: bool = False,
    policy: ResolvedPolicy | None = None,
) -> Deadline:
    """Open (or return the already open) deadline for one obligation.

    - ``kind``: an ``ObligationKind`` value.
    - ``concern``: the concern it belongs to (None for client-level obligations).
    - ``subject``: the model instance the obligation is about (a referral, a LADO task, a
      client...); defaults to the concern. One open deadline per (kind, subject).
    - ``due_at``: when given, used as is; otherwise computed from the escalation policy for
      (kind, urgency, nation) counting from ``starts_at`` (default: the concern's
      submission for acknowledgements, else now), in working time of that nation when the
      policy says so.
    - ``jurisdiction``: the obligation's nation, whose policy row and working calendar apply.
      By default it follows the kind (``CALENDAR_OF_KIND``): the team's nation (or the
      organisation's) for the leads' own obligations, the concern's nation for agency clocks.
    - ``urgency``, ``team``: default to the concern's (or the subject's team).
    - ``actor``: who caused it, for the audit trail.
    - ``fresh``: the subject was written in the caller's transaction (a concern being
      submitted), so no deadline of it can exist: none is looked up, and the insert needs no
      savepoint to fall back on. The unique constraint still holds if that is ever untrue.
    - ``policy``: the policy for (kind, urgency, nation) when the caller has resolved it already
      (a submit's first deadline, whose time was worked out before the concern was written).
    """
    if kind not in ObligationKind.values:
        raise ValueError(f"Unknown obligation kind {kind!r}.")
    subject = subject if subject is not None else concern
    if subject is None:
        raise ValueError("open_deadline needs a concern or a subject.")
    subject_type, subject_id = _subject_key(subject)
    if concern is not None:
        urgency = urgency if urgency is not None else concern.urgency
        team = team if team is not None else concern.team
    else:
        team = team if team is not None else getattr(subject, "team", None)
    urgency = urgency or ""
    jurisdiction = jurisdiction or obligation_nation(kind, concern=concern, team=team)
    ref = (
        subject_ref
        if subject_ref is not None
        else (getattr(concern, "reference", "") or getattr(subject, "reference", "") or "")
    )

    with transaction.atomic(savepoint=not fresh):
        if not fresh:
            existing = (
                Deadline.objects.select_for_update()
                .filter(kind=kind, subject_type=subject_type, subject_id=subject_id, state=DeadlineState.OPEN)
                .first()
            )
            if existing is not None:
                return existing
        if policy is None:
            policy = resolve_policy(kind=kind, urgency=urgency, jurisdiction=jurisdiction)
        if due_at is None:
            if starts_at is None:
                submitted = getattr(concern, "submitted_at", None)
                starts_at = submitted if (kind == ObligationKind.ACKNOWLEDGE_CONCERN and submitted) else timezone.now()
            due_at = compute_due_at(
                starts_at, minutes=policy.duration_minutes, basis=policy.duration_basis, jurisdiction=jurisdiction
            )
        first = policy.step_after(0)
        deadline = Deadline(
            kind=kind,
            concern=concern,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_ref=ref[:40],
            team=team,
            urgency=urgency,
            jurisdiction=jurisdiction,
            policy_id=policy.policy_id,
            due_at=due_at,
            next_fire_at=due_at + timedelta(minutes=first.delay_minutes) if first else None,
        )
        if fresh:
            _insert_new(deadline)
        else:
            try:
                with transaction.atomic():
                    deadline.save()
            except IntegrityError:
                # Another transaction opened the same obligation a moment ago.
                return Deadline.objects.get(
                    kind=kind, subject_type=subject_type, subject_id=subject_id, state=DeadlineState.OPEN
                )
        record_event(
            action=AuditAction.DEADLINE_OPENED,
            actor=actor,
            subject_type="alerts.deadline",
            subject_id=deadline.pk,
            subject_ref=ref,
            details={"kind": kind, "due_at": due_at.isoformat(), "urgency": urgency, "jurisdiction": jurisdiction},
        )
    return deadline


def _insert_new(deadline: Deadline) -> None:
    """INSERT a new deadline as it stands (the database sets opened_at), taking its id and
    opening time back: a plain statement, as Model.save() cost more CPU than the rest of
    opening a submit's deadline."""
    fields = [f for f in Deadline._meta.concrete_fields if not f.primary_key and not f.has_db_default()]
    columns = ", ".join(connection.ops.quote_name(cast(str, f.column)) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(Deadline._meta.db_table)} ({columns})"  # noqa: S608 - the model's names
            f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id, opened_at",
            [f.get_db_prep_save(f.pre_save(deadline, True), connection) for f in fields],
        )
        deadline.pk, deadline.opened_at = cursor.fetchone()
    deadline._state.adding, deadline._state.db = False, connection.alias


def lock_open_deadlines(*, kind: str, concern=None, subject=None) -> list[Deadline]:
    """SELECT ... FOR UPDATE the open deadlines of an obligation (waits for a sweep holding them)."""
    return list(_open_deadlines(kind=kind, concern=concern, subject=subject).select_for_update().order_by("pk"))


# How a deadline closed -> what is recorded.
DEADLINE_CLOSED_ACTIONS: dict[str, AuditAction] = {
    DeadlineState.MET: AuditAction.DEADLINE_MET,
    DeadlineState.CANCELLED: AuditAction.DEADLINE_CANCELLED,
}


def mark_notifications_done(*, deadline_ids: list[int]) -> int:
    """The obligations are met or no longer needed: their notifications stop asking anyone to act."""
    return Notification.objects.filter(deadline_id__in=deadline_ids, done_at__isnull=True).update(done_at=Now())


def close_deadlines(*, kind: str, concern=None, subject=None, outcome: str = "met", actor=None) -> int:
    """Close the open deadlines of one obligation; returns how many were closed.

    ``outcome`` is "met" (done) or "cancelled" (no longer needed). Locks the rows first, so a
    sweep cannot alert for them after this transaction commits. Call it before changing the
    rest of the obligation's state in the same transaction.
    """
    if outcome not in DEADLINE_CLOSED_ACTIONS:
        raise ValueError("outcome must be 'met' or 'cancelled'.")
    with transaction.atomic():
        rows = lock_open_deadlines(kind=kind, concern=concern, subject=subject)
        if not rows:
            return 0
        Deadline.objects.filter(pk__in=[d.pk for d in rows]).update(state=outcome, closed_at=Now(), next_fire_at=None)
        mark_notifications_done(deadline_ids=[d.pk for d in rows])
        for deadline in rows:
            record_event(
                action=DEADLINE_CLOSED_ACTIONS[outcome],
                actor=actor,
                subject_type="alerts.deadline",
                subject_id=deadline.pk,
                subject_ref=deadline.subject_ref,
                details={"kind": kind, "due_at": deadline.due_at.isoformat(), "steps_fired": deadline.step},
            )
    return len(rows)

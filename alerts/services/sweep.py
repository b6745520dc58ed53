"""The sweep: fire due escalation steps, exactly once each, and republish undelivered messages.

Safe to run anywhere and any number of times at once (Celery beat, ``manage.py sweep_alerts``,
two stray beats, three sweepers): correctness rests on PostgreSQL alone.

1. Claim a batch of due deadlines: ``SELECT ... FOR UPDATE SKIP LOCKED``. Another sweeper
   takes other rows; an acknowledgement holding a row's lock makes us skip it.
2. With the row locked, re-check that the obligation is still open (for an acknowledgement:
   the concern's ``acknowledged_at`` is still null). A fresh statement sees the latest commit.
3. Record the ``Alert`` for (deadline, step) under a unique constraint, its audit event and its
   outbox messages, and move ``next_fire_at`` to the next step, all in one transaction. The
   step's audience skips everyone the concern must never reach (``excluded_people``) and falls
   back along the chain in ``alerts.selectors`` so that it is never addressed to no one.
4. Republish outbox messages whose time has come (lost broker messages, retries) and return
   messages whose sending lease expired (a worker died mid-send) to retry.
5. Record the ``sweep`` heartbeat: /healthz and the "alerting is delayed" banner read it.
"""

import logging
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alerts.models import (
    Alert,
    Deadline,
    DeadlineState,
    DeliveryAttempt,
    ObligationKind,
    OutboxMessage,
    OutboxStatus,
    RecipientRole,
)
from alerts.policies import ResolvedPolicy, resolve_policy
from alerts.selectors import AudienceSource, audience_for
from alerts.services.deadlines import mark_notifications_done
from alerts.services.outbox import (
    absolute_link,
    outbox_rows,
    publish,
    published_together,
    requeue_delay,
    save_outbox_rows,
)
from audit.actions import AuditAction
from audit.services import events_written_last, record_event
from concerns.models import Concern, ConcernStatus
from concerns.selectors import excluded_people_by_concern
from health.services import ClockTimestamp, record_heartbeat

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    alerts: int = 0
    closed: int = 0
    requeued: int = 0
    leases_expired: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def batch_size() -> int:
    return int(settings.SWEEP_BATCH_SIZE)


def _policy_for(deadline: Deadline, cache: dict) -> ResolvedPolicy:
    key = (deadline.policy_id, deadline.kind, deadline.urgency, deadline.jurisdiction)
    if key not in cache:
        cache[key] = resolve_policy(
            kind=deadline.kind,
            urgency=deadline.urgency,
            jurisdiction=deadline.jurisdiction,
            policy_id=deadline.policy_id,
        )
    return cache[key]


def _describe_overdue(seconds: int) -> str:
    minutes = max(seconds, 0) // 60
    if minutes < 1:
        return "due now"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) + " overdue"


AUDIENCE: dict[str, str] = {
    RecipientRole.DUTY_LEADS: "as the owner or the lead or deputy on duty",
    RecipientRole.SAFEGUARDING_MANAGER: "as a safeguarding manager, because it was not dealt with in time",
    RecipientRole.NAMED_LEAD: "as the named lead, because it is still not dealt with",
}
# When the step's usual people could not be reached, the message says who the reader stands in
# for (never why a particular person was skipped: that would hint at what the concern is about).
STANDING_IN = {
    AudienceSource.TEAM_LEADS: gettext_lazy("as a lead or deputy covering the team (nobody is on the duty rota)"),
    AudienceSource.ORGANISATION_LEADS: gettext_lazy(
        "as an organisation-wide lead, because none of the team's leads could be told"
    ),
    AudienceSource.MANAGERS: gettext_lazy("as a safeguarding manager, because none of the team's leads could be told"),
    AudienceSource.ALLEGATIONS_MANAGER: gettext_lazy("as the allegations manager, because nobody else could be told"),
}
USUAL_SOURCES: dict[str, set[str]] = {
    RecipientRole.DUTY_LEADS: {AudienceSource.OWNER, AudienceSource.ROTA},
    RecipientRole.SAFEGUARDING_MANAGER: {AudienceSource.MANAGERS},
    RecipientRole.NAMED_LEAD: {AudienceSource.NAMED},
}


def audience_phrase(recipients: str, source: str) -> str:
    """Why the reader receives a message: the step's audience, or whom they stand in for."""
    if source in USUAL_SOURCES.get(recipients, set()) or source not in STANDING_IN:
        return AUDIENCE.get(recipients, "")
    return str(STANDING_IN[source])


def _alert_message(
    deadline: Deadline, concern, step_number: int, step_count: int, audience: str, overdue_seconds: int
) -> tuple[str, str, str]:
    """Subject, body and link. Reference, urgency, team, how overdue, a link: nothing else."""
    ref = deadline.subject_ref or f"#{deadline.subject_id}"
    what = ObligationKind(deadline.kind).label.lower()
    overdue = _describe_overdue(overdue_seconds)
    urgency = deadline.urgency.replace("_", " ") if deadline.urgency else ""
    team = deadline.team.name if deadline.team is not None else ""
    link = concern.get_absolute_url() if concern is not None else "/notifications/"
    subject = f"[{overdue}] {ref}: {what}"
    facts = "; ".join(p for p in [f"urgency {urgency}" if urgency else "", f"team {team}" if team else ""] if p)
    due_local = timezone.localtime(deadline.due_at)
    body = (
        f"Safeguarding {ref} needs action: {what}.\n"
        f"{facts + chr(10) if facts else ''}"
        f"It was due at {due_local:%H:%M on %a %d %b %Y} and is {overdue}.\n"
        f"Escalation step {step_number} of {step_count}: you receive this {audience}.\n\n"
        f"Open it (sign-in needed): {absolute_link(link)}\n"
    )
    return subject, body, link


def _obligation_states(due: list[Deadline]) -> dict[int, str]:
    """Deadline id -> the state to close it with, for the batch's obligations no longer open.

    One statement for the batch, after the claim: it sees every acknowledgement or closure
    committed before it (an acknowledgement waits for our row locks, so none lands after).
    """
    concern_ids = {d.concern_id for d in due if d.concern_id is not None}
    rows = {
        row["pk"]: row for row in Concern.objects.filter(pk__in=concern_ids).values("pk", "acknowledged_at", "status")
    }
    states: dict[int, str] = {}
    for deadline in due:
        if deadline.concern_id is None:
            continue
        row = rows.get(deadline.concern_id)
        if row is None or row["status"] == ConcernStatus.CLOSED:
            states[deadline.pk] = DeadlineState.CANCELLED
        elif deadline.kind == ObligationKind.ACKNOWLEDGE_CONCERN and row["acknowledged_at"] is not None:
            states[deadline.pk] = DeadlineState.MET
    return states


def _insert_alerts(firing: list[tuple[Deadline, Any, int]]) -> dict[tuple[int, int], int]:
    """One INSERT ... ON CONFLICT DO NOTHING for the batch: (deadline id, step) -> new alert id.

    A step already alerted (by an earlier sweep that committed) is absent from the answer.
    """
    if not firing:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Alert._meta.db_table} (deadline_id, step, recipients, overdue_seconds)"
            " SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::varchar[], %s::integer[])"
            " ON CONFLICT (deadline_id, step) DO NOTHING RETURNING id, deadline_id, step",
            [
                [deadline.pk for deadline, _step, _overdue in firing],
                [step.number for _deadline, step, _overdue in firing],
                [step.recipients for _deadline, step, _overdue in firing],
                [max(overdue, 0) for _deadline, _step, overdue in firing],
            ],
        )
        return {(deadline_id, step): alert_id for alert_id, deadline_id, step in cursor.fetchall()}


def _move_deadlines(moves: list[tuple[int, int, Any]]) -> None:
    """One UPDATE for the batch: each deadline's step and when its next step fires (or None)."""
    if not moves:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} AS deadline SET step = moved.step, next_fire_at = moved.next_fire_at"
            " FROM unnest(%s::bigint[], %s::smallint[], %s::timestamptz[]) AS moved(id, step, next_fire_at)"
            " WHERE deadline.id = moved.id",
            [[m[0] for m in moves], [m[1] for m in moves], [m[2] for m in moves]],
        )


def _send_alert(
    deadline: Deadline,
    step,
    policy: ResolvedPolicy,
    alert: Alert,
    overdue_seconds: int,
    recipients_cache: dict,
    barred: frozenset[int],
) -> list[OutboxMessage]:
    """The alert's audit event; returns its unsaved outbox messages (the caller writes the
    batch's together, in-app notifications included)."""
    concern = deadline.concern if deadline.concern_id else None
    owner = concern.owner if concern else None
    # Everyone in one sweep pass sees the same rota: look each audience up once.
    key = (step.recipients, deadline.team_id, owner.pk if owner else None, step.step_id, barred)
    if key not in recipients_cache:
        recipients_cache[key] = audience_for(
            recipients=step.recipients, team=deadline.team, owner=owner, step_id=step.step_id, excluded=barred
        )
    audience = recipients_cache[key]
    people = audience.people
    subject, body, link = _alert_message(
        deadline,
        concern,
        step.number,
        len(policy.steps),
        audience_phrase(step.recipients, audience.source),
        overdue_seconds,
    )
    rows = outbox_rows(
        people=people,
        key=f"alert:{alert.pk}",
        subject=subject,
        body=body,
        link=link,
        concern=concern,
        alert=alert,
        barred=barred,
    )
    record_event(
        action=AuditAction.ALERT_CREATED,
        subject_type="alerts.alert",
        subject_id=alert.pk,
        subject_ref=deadline.subject_ref,
        details={
            "deadline_id": deadline.pk,
            "kind": deadline.kind,
            "step": step.number,
            "recipients": step.recipients,
            "recipient_ids": [p.pk for p in people],
            "routed_to": audience.source,
            "overdue_seconds": max(overdue_seconds, 0),
        },
    )
    if audience.source == AudienceSource.NOBODY:
        logger.error("Alert %s for deadline %s has nobody to go to", alert.pk, deadline.pk)
    return rows


def _fire_batch(due: list[Deadline], policies: dict, recipients_cache: dict, result: SweepResult) -> None:
    """Fire a claimed batch with set-based statements: one re-check of the obligations, one
    UPDATE per closing state, one INSERT of the alerts, one of their outbox messages, one of
    the in-app notifications and one of their delivery attempts, one UPDATE marking those sent,
    one UPDATE of the deadlines; the alerts' audit events are written together at the end
    (``events_written_last``)."""
    closing = _obligation_states(due)
    now = timezone.now()
    firing: list[tuple[Deadline, Any, int]] = []
    moves: list[tuple[int, int, Any]] = []
    for deadline in due:
        if deadline.pk in closing:
            continue
        policy = _policy_for(deadline, policies)
        step = policy.step_after(deadline.step)
        if step is None:
            moves.append((deadline.pk, deadline.step, None))
            continue
        firing.append((deadline, step, int((now - deadline.due_at).total_seconds())))
        following = policy.step_after(step.number)
        next_fire_at = deadline.due_at + timedelta(minutes=following.delay_minutes) if following else None
        moves.append((deadline.pk, step.number, next_fire_at))
    for state in {*closing.values()}:
        ids = [pk for pk, closed_as in closing.items() if closed_as == state]
        Deadline.objects.filter(pk__in=ids).update(state=state, closed_at=Now(), next_fire_at=None)
    if closing:
        mark_notifications_done(deadline_ids=list(closing))
        result.closed += len(closing)
    created = _insert_alerts(firing)
    excluded = excluded_people_by_concern({d.concern_id for d, _step, _overdue in firing if d.concern_id})
    messages: list[tuple[OutboxMessage, int | None]] = []
    for deadline, step, overdue_seconds in firing:
        alert_id = created.get((deadline.pk, step.number))
        if alert_id is None:
            continue  # this step was alerted already
        alert = Alert(
            pk=alert_id,
            deadline=deadline,
            step=step.number,
            recipients=step.recipients,
            overdue_seconds=max(overdue_seconds, 0),
        )
        barred = excluded.get(deadline.concern_id, frozenset()) if deadline.concern_id else frozenset()
        rows = _send_alert(
            deadline, step, _policy_for(deadline, policies), alert, overdue_seconds, recipients_cache, barred
        )
        # The in-app notification is done once this deadline is met.
        messages.extend((row, deadline.pk) for row in rows)
        result.alerts += 1
    save_outbox_rows(messages, fresh=True)
    _move_deadlines(moves)


def fire_due_deadlines(result: SweepResult, *, max_batches: int = 1000) -> None:
    policies: dict = {}
    recipients_cache: dict = {}
    size = batch_size()
    for _ in range(max_batches):
        # The batch's audit events are written last, under one short hold of the chain lock;
        # its messages are published together after commit, in delivery batches.
        with transaction.atomic(), events_written_last(), published_together():
            due = list(
                Deadline.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("concern", "concern__owner", "team")
                # now() (the transaction's start, on the database clock) is stable, so it bounds
                # the partial index scan; clock_timestamp() would be checked row by row.
                .filter(state=DeadlineState.OPEN, next_fire_at__lte=Now())
                .order_by("next_fire_at")[:size]
            )
            _fire_batch(due, policies, recipients_cache, result)
        if len(due) < size:
            return


def recover_expired_leases(result: SweepResult) -> None:
    """A worker that died mid-send left its message in ``sending``: record it and retry."""
    with transaction.atomic():
        stuck = list(
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(
                status=OutboxStatus.SENDING, lease_until__lt=ClockTimestamp()
            )[:500]
        )
        for message in stuck:
            DeliveryAttempt.objects.create(
                message=message,
                number=message.attempts,
                succeeded=False,
                error="Lease expired: the worker stopped before recording the outcome.",
            )
        if stuck:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in stuck]).update(
                status=OutboxStatus.RETRY, lease_until=None, next_attempt_at=ClockTimestamp()
            )
        result.leases_expired = len(stuck)


REQUEUE_CAP_SECONDS = 300


def requeue_undelivered(result: SweepResult, *, limit: int = 2000) -> None:
    """Republish messages whose delivery is overdue (a lost broker message is only a delay)."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status__in=[OutboxStatus.PENDING, OutboxStatus.RETRY], next_attempt_at__lte=ClockTimestamp())
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            # Claimable at once (pending). The next republish waits as long as the message has
            # already waited (at least the requeue delay, at most REQUEUE_CAP): a worker that is
            # only busy with a backlog is not flooded with copies of the same task, while a
            # message the broker really lost is republished after a short delay.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {OutboxMessage._meta.db_table} SET status = %s, next_attempt_at = clock_timestamp()"
                    " + LEAST(GREATEST(make_interval(secs => %s), clock_timestamp() - created_at),"
                    " make_interval(secs => %s)) WHERE id = ANY(%s)",
                    [OutboxStatus.PENDING, requeue_delay().total_seconds(), REQUEUE_CAP_SECONDS, ids],
                )
    if ids:
        result.requeued = publish(ids)


def run_sweep() -> SweepResult:
    """One pass: due steps, stuck leases, undelivered messages, then the heartbeat."""
    started = time.monotonic()
    result = SweepResult()
    fire_due_deadlines(result)
    recover_expired_leases(result)
    requeue_undelivered(result)
    result.seconds = round(time.monotonic() - started, 3)
    record_heartbeat(name="sweep", details=result.as_dict())
    if result.alerts or result.requeued or result.leases_expired:
        logger.info("Sweep: %s", result.as_dict())
    return result

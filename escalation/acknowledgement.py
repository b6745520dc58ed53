"""Acknowledging a concern: "I take responsibility" (domain.md 4.4).

An acknowledgement is not agreement and not a decision: it records who owns the next decision.
From its commit on, no acknowledgement reminder for that concern goes to anyone.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.selectors import covered_team_ids
from audit.services import record_event
from concerns.models import Concern, ConcernStatus
from escalation.clocks import close_deadlines, lock_open_deadlines
from escalation.links import concern_link
from escalation.models import Channel, ObligationKind
from escalation.outbox import absolute_link, queue_message
from health.services import ClockTimestamp


class AcknowledgementError(Exception):
    """Base class: the acknowledgement was not recorded."""


class AlreadyAcknowledged(AcknowledgementError):
    """Someone else acknowledged first (the loser of a race gets this, naming the winner)."""

    def __init__(self, concern: Concern):
        self.concern = concern
        self.acknowledged_by = concern.acknowledged_by
        self.acknowledged_at = concern.acknowledged_at
        who = concern.acknowledged_by.get_full_name() if concern.acknowledged_by else "someone"
        when = f" at {concern.acknowledged_at:%H:%M on %d %b %Y}" if concern.acknowledged_at else ""
        super().__init__(f"{concern.reference} was already acknowledged by {who}{when}.")


class ConcernClosed(AcknowledgementError):
    def __init__(self, concern: Concern):
        super().__init__(f"{concern.reference} is closed; reopen it before acknowledging.")


def _may_acknowledge(actor, concern: Concern) -> bool:
    if not actor.is_authenticated or not actor.is_lead:
        return False
    team_ids = covered_team_ids(actor)
    return team_ids is None or concern.team_id in team_ids


def acknowledge_concern(*, actor, concern_id: int) -> Concern:
    """Record that ``actor`` takes responsibility for the concern.

    Only a lead or deputy covering the concern's team may acknowledge (PermissionDenied
    otherwise). Order matters: the concern's acknowledgement deadlines are locked first
    (waiting for a sweep that holds them), then the concern is compare-and-set on
    ``acknowledged_at IS NULL``; the loser of a race gets ``AlreadyAcknowledged``.
    """
    concern = Concern.objects.select_related("team").filter(pk=concern_id).first()
    if concern is None or not _may_acknowledge(actor, concern):
        raise PermissionDenied("Only a lead covering this concern's team may acknowledge it.")
    with transaction.atomic():
        lock_open_deadlines(kind=ObligationKind.ACKNOWLEDGE_CONCERN, concern=concern)
        updated = (
            Concern.objects.filter(pk=concern_id, acknowledged_at__isnull=True)
            .exclude(status=ConcernStatus.CLOSED)
            .update(
                acknowledged_at=ClockTimestamp(),
                acknowledged_by=actor,
                owner=Coalesce(F("owner"), Value(actor.pk)),
                status=Case(
                    When(status=ConcernStatus.SUBMITTED, then=Value(ConcernStatus.ACKNOWLEDGED)),
                    default=F("status"),
                ),
            )
        )
        concern = Concern.objects.select_related("acknowledged_by", "owner", "reporter").get(pk=concern_id)
        if not updated:
            if concern.acknowledged_at is not None:
                raise AlreadyAcknowledged(concern)
            raise ConcernClosed(concern)
        close_deadlines(kind=ObligationKind.ACKNOWLEDGE_CONCERN, concern=concern, outcome="met", actor=actor)
        record_event(
            action="concern.acknowledged",
            actor=actor,
            subject=concern,
            details={"acknowledged_at": concern.acknowledged_at.isoformat(), "owner_id": concern.owner_id},
        )
        # Tell the reporter who picked it up (a name and a reference: nothing sensitive).
        subject = f"{concern.reference} was picked up by {actor.get_full_name()}"
        link = concern_link(concern)
        body = (
            f"Your safeguarding concern {concern.reference} was acknowledged by {actor.get_full_name()} "
            f"at {timezone.localtime(concern.acknowledged_at):%H:%M on %d %b %Y}.\n\nSee it: {absolute_link(link)}"
        )
        for channel in (Channel.IN_APP, Channel.EMAIL):
            queue_message(
                channel=channel,
                idempotency_key=f"ack:{concern.pk}:{concern.reporter_id}:{channel}",
                subject=subject,
                body=body,
                recipient=concern.reporter,
                link=link,
                concern=concern,
            )
    return concern

"""Receivers of the signals from lower layers. They run inside the sender's transaction."""

import logging

from django.db import transaction

from alerts.calendar import opening_on_or_after
from alerts.intake import first_deadline
from alerts.models import ObligationKind, RecipientRole
from alerts.selectors import audience_for, obligation_nation
from alerts.services.deadlines import close_deadlines, open_deadline
from alerts.services.outbox import absolute_link, queue_for_people
from concerns.selectors import excluded_people

logger = logging.getLogger(__name__)

REVIEW_KINDS = {
    "client_informed_review": ObligationKind.CLIENT_INFORMED_REVIEW,
    "sharing_review": ObligationKind.SHARING_REVIEW,
    "limits_revisit": ObligationKind.LIMITS_REVISIT,
}


def start_concern_clocks(sender, *, concern, actor=None, **kwargs):
    """A new concern: open its acknowledgement deadline and tell the on-duty lead at once.

    The same chain as an alert's first step (alerts.selectors): a team nobody covers is heard by
    the organisation-wide leads, then the managers; nobody the concern must never reach is told.
    The notification is the acknowledgement's: it shows as done once someone acknowledges.

    The concern was written in this same transaction (``concern_submitted``'s contract): it has
    no deadline and no message yet, so both are inserted without looking for one first, and a
    failure fails the submit, so no savepoint is kept to roll back to.
    """
    with transaction.atomic(savepoint=False):
        # The deadline the concern's row was written with (``alerts.intake.first_deadline``).
        first = first_deadline(concern)
        deadline = open_deadline(
            kind=first.kind,
            concern=concern,
            due_at=first.due_at,
            jurisdiction=first.jurisdiction,
            policy=first.policy,
            actor=actor,
            fresh=True,
        )
        barred = frozenset(excluded_people(concern))
        people = audience_for(recipients=RecipientRole.DUTY_LEADS, team=concern.team, excluded=barred).people
        if not people:
            logger.error("New concern %s has nobody to go to", concern.reference)
        link = concern.get_absolute_url()
        urgency = concern.get_urgency_display()
        subject = f"New {urgency.lower()} safeguarding concern {concern.reference}"
        body = (
            f"A new safeguarding concern {concern.reference} was submitted for {concern.team.name}.\n"
            f"Urgency: {urgency}. Please acknowledge it by "
            f"{_local(deadline.due_at)}.\n\n"
            f"Open it (sign-in needed): {absolute_link(link)}\n"
        )
        queue_for_people(
            people=people,
            key=f"new-concern:{concern.pk}",
            subject=subject,
            body=body,
            link=link,
            concern=concern,
            deadline=deadline,
            excluded=barred,
            fresh=True,
        )


def open_review_deadline(sender, *, obligation, subject, due_on, concern=None, actor=None, **kwargs):
    """consent.signals.review_date_set: a review date was set (or cleared with due_on=None)."""
    kind = REVIEW_KINDS.get(str(obligation))
    if kind is None:
        logger.warning("Unknown review obligation %r; no deadline opened", obligation)
        return
    with transaction.atomic():
        close_deadlines(kind=kind, subject=subject, outcome="cancelled", actor=actor)
        if due_on is None:
            return
        # A review date is the team's leads' to keep: it opens on the team's working calendar.
        team = _team_of(subject, concern)
        nation = obligation_nation(kind, concern=concern, team=team)
        open_deadline(
            kind=kind,
            concern=concern,
            subject=subject,
            due_at=opening_on_or_after(due_on, nation),
            jurisdiction=nation,
            team=team,
            actor=actor,
        )


def _team_of(subject, concern):
    """The team whose leads keep a review: the concern's, else the record's client's."""
    if concern is not None:
        return concern.team
    client = getattr(subject, "client", None)
    return getattr(subject, "team", None) or getattr(client, "team", None)


def _local(value) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(value):%H:%M on %a %d %b %Y}"

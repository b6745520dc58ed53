"""What the person filing a concern is told, from the escalation policies and alerts in force.

Intake (the concerns app) sits below this layer, so it reads these through the providers it
lets higher layers register (``concerns.selectors.register_intake_information``): the words
always follow the policy rows an administrator edits, never a copy of them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.calendar import compute_due_at, working_day_minutes
from alerts.models import Deadline, DurationBasis, ObligationKind, OutboxMessage
from alerts.policies import ResolvedPolicy, resolve_policy
from alerts.selectors import obligation_nation


def _duration(minutes: int, basis: str) -> str:
    """ "15 minutes, at any hour", "1 working hour", "1 working day"."""
    if basis == DurationBasis.WORKING:
        day = working_day_minutes()
        if minutes % day == 0:
            return ngettext("%(n)d working day", "%(n)d working days", minutes // day) % {"n": minutes // day}
        if minutes % 60 == 0:
            return ngettext("%(n)d working hour", "%(n)d working hours", minutes // 60) % {"n": minutes // 60}
        return ngettext("%(n)d working minute", "%(n)d working minutes", minutes) % {"n": minutes}
    if minutes % 60 == 0:
        text = ngettext("%(n)d hour", "%(n)d hours", minutes // 60) % {"n": minutes // 60}
    else:
        text = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return _("%(duration)s, at any hour") % {"duration": text}


def urgency_meanings(*, team=None) -> dict[str, str]:
    """Each urgency's real meaning for a team: how soon a lead must acknowledge it and decide."""
    meanings = {}
    for urgency in ("immediate", "same_day", "routine"):
        acknowledge = resolve_policy(
            kind=ObligationKind.ACKNOWLEDGE_CONCERN,
            urgency=urgency,
            jurisdiction=obligation_nation(ObligationKind.ACKNOWLEDGE_CONCERN, team=team),
        )
        decide = resolve_policy(
            kind=ObligationKind.DECIDE_CONCERN,
            urgency=urgency,
            jurisdiction=obligation_nation(ObligationKind.DECIDE_CONCERN, team=team),
        )
        meanings[urgency] = _(
            "A lead must acknowledge it within %(acknowledge)s, and decide what to do within %(decide)s after that."
        ) % {
            "acknowledge": _duration(acknowledge.duration_minutes, acknowledge.duration_basis),
            "decide": _duration(decide.duration_minutes, decide.duration_basis),
        }
    return meanings


@dataclass(frozen=True)
class FirstNotice:
    """Who was actually told of a new concern, and by when it must be acknowledged."""

    told: list[str]
    acknowledge_by: datetime | None
    meaning: str


def first_notice(concern) -> FirstNotice:
    """The people the new-concern alert was addressed to (after every fallback and exclusion),
    read from the outbox rows written with the concern, and the acknowledgement's due time."""
    rows = (
        OutboxMessage.objects.filter(idempotency_key__startswith=f"new-concern:{concern.pk}:", recipient__isnull=False)
        .order_by("recipient__full_name", "recipient_id")
        .values_list("recipient_id", "recipient__full_name")
    )
    # One row per channel: each person once.
    told = dict(rows).values()
    deadline = Deadline.objects.filter(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN).order_by("pk").first()
    return FirstNotice(
        told=list(dict.fromkeys(told)),
        acknowledge_by=deadline.due_at if deadline else None,
        meaning=urgency_meanings(team=concern.team).get(concern.urgency, ""),
    )


@dataclass(frozen=True)
class FirstDeadline:
    """A new concern's first obligation: a lead must acknowledge it by ``due_at``."""

    kind: str
    due_at: datetime
    jurisdiction: str
    policy: ResolvedPolicy


# Kept on the concern being submitted, so that the deadline opened for it after its INSERT
# (``alerts.receivers.start_concern_clocks``) is the one its row was written with.
_FIRST_DEADLINE = "_alerts_first_deadline"


def first_deadline(concern) -> FirstDeadline:
    """The acknowledgement deadline a concern about to be written will open, from the policy in
    force for its urgency and its team's nation, counted from its submission.

    The submit writes the concern with this time and kind as its next deadline. When the
    deadline then opens, the trigger that keeps the queue's order finds nothing to change, where
    it used to rewrite the row just written, and every queue index with it.
    """
    known = getattr(concern, _FIRST_DEADLINE, None)
    if known is not None:
        return known
    kind = ObligationKind.ACKNOWLEDGE_CONCERN
    jurisdiction = obligation_nation(kind, concern=concern, team=concern.team)
    policy = resolve_policy(kind=kind, urgency=concern.urgency or "", jurisdiction=jurisdiction)
    due_at = compute_due_at(
        concern.submitted_at,
        minutes=policy.duration_minutes,
        basis=policy.duration_basis,
        jurisdiction=jurisdiction,
    )
    first = FirstDeadline(kind=kind, due_at=due_at, jurisdiction=jurisdiction, policy=policy)
    setattr(concern, _FIRST_DEADLINE, first)
    return first

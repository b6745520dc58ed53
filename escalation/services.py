"""Writes for the lead's workflow: assign, triage, refer, record a response, close, reopen,
break-glass and the LADO task.

Every service takes the acting user, runs in one transaction that also writes the audit
event, and queues anything that leaves the process (messages) through the outbox, which
delivers after commit. A concern's status moves only by compare-and-set: the UPDATE names the
status the lead saw, and if another lead moved it first nothing changes and the lead is told.

``acknowledge_concern`` is the one way a concern is acknowledged ("I take responsibility"):
not agreement and not a decision, it records who owns the next decision. From its commit on, no
acknowledgement reminder for that concern goes to anyone.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.selectors import covered_team_ids
from alerts.models import Channel, Deadline, DeadlineState, ObligationKind, RecipientRole
from alerts.selectors import AudienceSource, audience_for
from alerts.services.deadlines import close_deadlines, lock_open_deadlines, open_deadline
from alerts.services.outbox import absolute_link, queue_for_people
from audit.actions import AuditAction
from audit.services import record_break_glass, record_event
from concerns.models import AllegedPerson, Concern, ConcernStatus, Jurisdiction, YesNoUnknown
from concerns.selectors import excluded_people, is_about_staff
from escalation.models import (
    Agency,
    AssignmentRecord,
    BreakGlassGrant,
    ClosureOutcome,
    ClosureRecord,
    ExternalReferral,
    LadoTask,
    ReferralMethod,
    ReporterFeedback,
    RiskRating,
    TriageDecision,
    TriageRecord,
)
from escalation.selectors import assignable_leads, break_glass_candidate, concern_for_lead
from health.services import ClockTimestamp

# How long a break-glass grant lasts: one working session.
BREAK_GLASS_GRANT_DURATION = timedelta(hours=8)

# Where each step may start from. Closed concerns are reopened before anything else.
WORKING_STATUSES = (
    ConcernStatus.ACKNOWLEDGED,
    ConcernStatus.TRIAGED,
    ConcernStatus.REFERRED,
    ConcernStatus.MONITORING,
    ConcernStatus.REOPENED,
)
DECISION_STATUS = {
    TriageDecision.REFER: ConcernStatus.TRIAGED,  # becomes REFERRED when the referral is recorded
    TriageDecision.ADVICE_MONITORING: ConcernStatus.MONITORING,
    TriageDecision.NO_FURTHER_ACTION: ConcernStatus.TRIAGED,
}


class WorkflowError(Exception):
    """A refusal with a message for the lead (the view shows it and keeps their input)."""


class WorkflowConflict(WorkflowError):
    """Someone else changed the concern first (compare-and-set found a different status)."""


class ConcernNotAvailable(WorkflowError):
    """The lead may not (or may no longer) work on this concern: the same answer whether it
    exists or not. Views answer 404 before calling a service, so this is the race where a
    break-glass grant ran out or cover changed in between."""

    def __init__(self):
        super().__init__("That concern is not available to you.")


def _concern_for(actor: User, concern_id: int) -> Concern:
    concern = concern_for_lead(actor, concern_id)
    if concern is None:
        raise ConcernNotAvailable()
    return concern


# --- Helpers ----------------------------------------------------------------------------------


def _move_status(concern: Concern, *, expected: str, allowed_from, new: str, **fields) -> None:
    """Compare-and-set: UPDATE ... WHERE id = %s AND status = <what the lead saw>.

    Zero rows means another lead acted first; nothing is written and the lead is told the
    current state.
    """
    if expected not in allowed_from:
        raise WorkflowConflict(_not_now_message(concern, expected))
    updated = Concern.objects.filter(pk=concern.pk, status=expected).update(status=new, **fields)
    if updated != 1:
        current = Concern.objects.filter(pk=concern.pk).values_list("status", flat=True).get()
        raise WorkflowConflict(
            f"{concern.reference} was changed by someone else while you were working: it is now "
            f"“{ConcernStatus(current).label}”. Nothing was saved; check the chronology and try again."
        )
    concern.status = new
    for name, value in fields.items():
        setattr(concern, name, value)


def _not_now_message(concern: Concern, status: str) -> str:
    if status == ConcernStatus.SUBMITTED:
        return f"{concern.reference} must be acknowledged first."
    if status == ConcernStatus.CLOSED:
        return f"{concern.reference} is closed. Reopen it with a reason first."
    return f"That step is not possible while {concern.reference} is “{ConcernStatus(status).label}”."


def _concern_link(concern: Concern) -> str:
    return reverse("escalation:concern", args=[concern.pk])


def notify(*, recipient: User, concern: Concern, key: str, subject: str, text: str) -> None:
    """Tell one person, in the portal and by email, through the outbox (delivered after commit).

    Messages carry no sensitive detail: the reference, the team, what happened, a link.
    """
    queue_for_people(
        people=[recipient],
        key=key,
        subject=subject,
        body=text,
        link=_concern_link(concern),
        concern=concern,
    )


# --- Addenda ------------------------------------------------------------------------------------


def notify_about_addendum(*, concern: Concern, addendum, actor=None) -> list:
    """Tell the owner (or the leads on duty when nobody owns the concern or the owner is away)
    that an addendum was added; never its author, never anyone the concern must not reach.
    Runs inside the addendum's transaction; delivery follows the commit (the outbox)."""
    barred = set(excluded_people(concern))
    if actor is not None:
        barred.add(actor.pk)
    audience = audience_for(
        recipients=RecipientRole.DUTY_LEADS, team=concern.team, owner=concern.owner, excluded=barred
    )
    people = audience.people
    if audience.source == AudienceSource.OWNER:
        # The owner answers for the concern: the deputies on duty need not hear of every addendum.
        people = [person for person in people if person.pk == concern.owner_id]
    subject = gettext("New information added to %(reference)s") % {"reference": concern.reference}
    body = gettext(
        "An addendum was added to safeguarding concern %(reference)s (%(team)s).\n"
        "Read it on the case file (sign-in needed): %(link)s\n"
    ) % {"reference": concern.reference, "team": concern.team.name, "link": absolute_link(_concern_link(concern))}
    return queue_for_people(
        people=people,
        key=f"addendum:{addendum.pk}",
        subject=subject,
        body=body,
        link=_concern_link(concern),
        concern=concern,
        excluded=frozenset(barred),
        fresh=True,
    )


# --- Acknowledge ---------------------------------------------------------------------------------


class AcknowledgementError(WorkflowError):
    """The acknowledgement was not recorded."""


class NotCoveringLead(AcknowledgementError):
    """Only a lead or deputy covering the concern's team takes responsibility for it."""

    def __init__(self):
        super().__init__("Only a lead or deputy covering this concern's team can acknowledge it.")


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

    Only a lead or deputy covering the concern's team may acknowledge (``NotCoveringLead``
    otherwise, whether or not the concern exists). Order matters: the concern's acknowledgement
    deadlines are locked first (waiting for a sweep that holds them), then the concern is
    compare-and-set on
    ``acknowledged_at IS NULL``; the loser of a race gets ``AlreadyAcknowledged``.
    """
    concern = Concern.objects.select_related("team").filter(pk=concern_id).first()
    if concern is None or not _may_acknowledge(actor, concern):
        raise NotCoveringLead()
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
        assert concern.acknowledged_at is not None  # for the type checker: the UPDATE above set it
        close_deadlines(kind=ObligationKind.ACKNOWLEDGE_CONCERN, concern=concern, outcome="met", actor=actor)
        record_event(
            action=AuditAction.CONCERN_ACKNOWLEDGED,
            actor=actor,
            subject=concern,
            details={"acknowledged_at": concern.acknowledged_at.isoformat(), "owner_id": concern.owner_id},
        )
        # The next obligation: decide what to do, on the team's calendar, per urgency.
        _open_decision_clock(concern, starts_at=concern.acknowledged_at, actor=actor)
        # Tell the reporter who picked it up (a name and a reference: nothing sensitive).
        _tell_reporter(
            concern,
            key=f"ack:{concern.pk}",
            subject=f"{concern.reference} was picked up by {actor.get_full_name()}",
            text=(
                f"Your safeguarding concern {concern.reference} was acknowledged by {actor.get_full_name()} "
                f"at {timezone.localtime(concern.acknowledged_at):%H:%M on %d %b %Y}."
            ),
        )
    return concern


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %d %b %Y}"


def _tell_reporter(concern: Concern, *, key: str, subject: str, text: str) -> None:
    """A message to the clinician who raised the concern: news and a link to their concern page.

    Never any of the concern's content or the lead's reasons: what they may read is on the
    page, at the level the lead chose (ReporterFeedback).
    """
    link = concern.get_absolute_url()
    queue_for_people(
        people=[concern.reporter],
        key=key,
        subject=subject,
        body=f"{text}\n\n{gettext('See it (sign-in needed):')} {absolute_link(link)}",
        link=link,
        concern=concern,
        channels=(Channel.IN_APP, Channel.EMAIL),
    )


def _open_decision_clock(concern: Concern, *, starts_at: datetime, actor: User) -> None:
    """Decide what to do (refer, advise and monitor, or no further action): due by the policy for
    the concern's urgency, counted on the team's working calendar, met by a triage decision."""
    open_deadline(kind=ObligationKind.DECIDE_CONCERN, concern=concern, starts_at=starts_at, actor=actor)


# --- Assign -----------------------------------------------------------------------------------


def assign_concern(*, actor: User, concern_id: int, new_owner_id: int, note: str = "") -> AssignmentRecord:
    """Give the concern to another lead covering its team; the new owner is told."""
    with transaction.atomic():
        concern = _concern_for(actor, concern_id)
        concern = Concern.objects.select_for_update(of=("self",)).select_related("team", "owner").get(pk=concern.pk)
        if concern.status == ConcernStatus.CLOSED:
            raise WorkflowError(_not_now_message(concern, concern.status))
        new_owner = assignable_leads(concern).filter(pk=new_owner_id).first()
        if new_owner is None:
            raise WorkflowError("Choose a lead or deputy who covers this concern's team.")
        if new_owner.pk == concern.owner_id:
            raise WorkflowError(f"{new_owner.get_full_name()} already owns {concern.reference}.")
        previous = concern.owner
        Concern.objects.filter(pk=concern.pk).update(owner=new_owner)
        record = AssignmentRecord.objects.create(
            concern=concern,
            previous_owner=previous,
            new_owner=new_owner,
            note=note.strip(),
            assigned_by=actor,
            assigned_at=timezone.now(),
        )
        record_event(
            action=AuditAction.CONCERN_ASSIGNED,
            actor=actor,
            subject=concern,
            details={
                "previous_owner_id": previous.pk if previous else None,
                "new_owner_id": new_owner.pk,
                "new_owner_name": new_owner.get_full_name(),
            },
        )
        if new_owner.pk != actor.pk:
            notify(
                recipient=new_owner,
                concern=concern,
                key=f"concern-assigned:{record.pk}",
                subject=f"{concern.reference} has been assigned to you",
                text=f"{actor.get_full_name()} assigned {concern.reference} ({concern.team.name}) to you.",
            )
        return record


# --- Triage -----------------------------------------------------------------------------------


def record_triage(
    *,
    actor: User,
    concern_id: int,
    expected_status: str,
    risk_rating: str,
    rating_rationale: str,
    change_reason: str = "",
    decision: str = "",
    decision_rationale: str = "",
    review_date: date | None = None,
    reporter_feedback: str = ReporterFeedback.OUTCOME,
) -> TriageRecord:
    """Rate the risk (a change needs a reason) and, optionally, decide what happens next.

    A decision meets the concern's "decide what to do" deadline and tells the clinician who
    raised it that there is news; ``reporter_feedback`` is how much of the decision they may
    read on their concern page (by default the kind of outcome and the agency).
    """
    risk_rating = RiskRating(risk_rating)
    rating_rationale, change_reason = rating_rationale.strip(), change_reason.strip()
    decision_rationale = decision_rationale.strip()
    if not rating_rationale:
        raise WorkflowError("Say why you chose this risk rating.")
    if decision:
        decision = TriageDecision(decision)
        if not decision_rationale:
            raise WorkflowError("Give the rationale for the decision.")
        if decision == TriageDecision.ADVICE_MONITORING and review_date is None:
            raise WorkflowError("Advice and monitoring needs a review date.")
    feedback = ReporterFeedback(reporter_feedback or ReporterFeedback.OUTCOME) if decision else ""
    with transaction.atomic():
        concern = _concern_for(actor, concern_id)
        if decision:
            # The clock's rows first (contracts: lock deadlines before changing anything else).
            _close_clocks(concern=concern, kind=ObligationKind.DECIDE_CONCERN, subject=concern, actor=actor)
        previous = concern.triage_records.order_by("-id").values_list("risk_rating", flat=True).first() or ""
        if previous and previous != risk_rating and not change_reason:
            raise WorkflowError(f"The risk rating was {RiskRating(previous).label}. Give a reason for changing it.")
        if decision == TriageDecision.REFER and expected_status == ConcernStatus.REFERRED:
            new_status: str = ConcernStatus.REFERRED  # already referred; another referral may follow
        elif decision:
            new_status = DECISION_STATUS[decision]
        elif expected_status in (ConcernStatus.ACKNOWLEDGED, ConcernStatus.REOPENED):
            new_status = ConcernStatus.TRIAGED
        else:
            new_status = expected_status  # a re-rating alone keeps the stage (still compare-and-set)
        _move_status(concern, expected=expected_status, allowed_from=WORKING_STATUSES, new=new_status)
        now = timezone.now()
        record = TriageRecord.objects.create(
            concern=concern,
            risk_rating=risk_rating,
            rating_rationale=rating_rationale,
            previous_rating=previous,
            change_reason=change_reason if previous and previous != risk_rating else "",
            decision=decision or "",
            decision_rationale=decision_rationale if decision else "",
            review_date=review_date if decision == TriageDecision.ADVICE_MONITORING else None,
            reporter_feedback=feedback,
            recorded_by=actor,
            recorded_at=now,
        )
        if previous and previous != risk_rating:
            record_event(
                action=AuditAction.CONCERN_RISK_CHANGED,
                actor=actor,
                subject=concern,
                # The reason is typed text: it stays in the triage record (the chronology reads it there).
                details={"previous_rating": previous, "risk_rating": risk_rating, "triage_record_id": record.pk},
            )
        elif not previous:
            record_event(
                action=AuditAction.CONCERN_TRIAGED, actor=actor, subject=concern, details={"risk_rating": risk_rating}
            )
        if decision:
            record_event(
                action=AuditAction.CONCERN_DECIDED,
                actor=actor,
                subject=concern,
                details={
                    "decision": decision,
                    "decision_label": TriageDecision(decision).label,
                    "review_on": review_date,
                    "triage_record_id": record.pk,
                    "reporter_feedback": feedback,
                },
            )
            _tell_reporter(
                concern,
                key=f"decided:{record.pk}",
                subject=gettext("A decision was recorded on %(reference)s") % {"reference": concern.reference},
                text=gettext("%(lead)s recorded the safeguarding decision on your concern %(reference)s at %(when)s.")
                % {"lead": actor.get_full_name(), "reference": concern.reference, "when": _when(now)},
            )
        return record


# --- External referrals -------------------------------------------------------------------------


def record_referral(
    *,
    actor: User,
    concern_id: int,
    expected_status: str,
    agency: str,
    area: str,
    method: str,
    referred_at: datetime,
    agency_other: str = "",
    contact_name: str = "",
    their_reference: str = "",
    shared_summary: str = "",
    sharing_decision=None,
    response_due_at: datetime | None = None,
) -> ExternalReferral:
    """Record a referral made to an outside agency and start its response clock.

    The response is due by the policy's default for the agency and nation (the clock engine
    computes it) unless the lead gives a date. A referral to the LADO completes the concern's
    open LADO task.
    """
    agency = Agency(agency)
    if agency == Agency.OTHER and not agency_other.strip():
        raise WorkflowError("Name the agency.")
    if referred_at > timezone.now() + timedelta(minutes=5):
        raise WorkflowError("The referral time cannot be in the future.")
    with transaction.atomic():
        concern = _concern_for(actor, concern_id)
        if sharing_decision is not None and sharing_decision.concern_id != concern.pk:
            raise WorkflowError("That information-sharing decision belongs to another concern.")
        _move_status(concern, expected=expected_status, allowed_from=WORKING_STATUSES, new=ConcernStatus.REFERRED)
        referral = ExternalReferral.objects.create(
            sharing_decision=sharing_decision,
            concern=concern,
            agency=agency,
            agency_other=agency_other.strip(),
            area=area.strip(),
            method=method,
            referred_at=referred_at,
            contact_name=contact_name.strip(),
            their_reference=their_reference.strip(),
            shared_summary=shared_summary.strip(),
            made_by=actor,
            created_at=timezone.now(),
        )
        referral.response_due_at = _open_referral_clock(referral, concern=concern, due_at=response_due_at, actor=actor)
        ExternalReferral.objects.filter(pk=referral.pk).update(response_due_at=referral.response_due_at)
        record_event(
            action=AuditAction.CONCERN_REFERRED,
            actor=actor,
            subject=concern,
            details={
                "referral_id": referral.pk,
                "agency": agency,
                "agency_label": referral.get_agency_display(),
                "method": method,
                "response_due_at": referral.response_due_at,
            },
        )
        if agency == Agency.LADO:
            _complete_lado_tasks(concern=concern, referral=referral, actor=actor)
        return referral


def record_referral_response(
    *, actor: User, referral_id: int, received_at: datetime, response_summary: str, outcome: str = ""
) -> ExternalReferral:
    """The agency answered: record it and stop the response clock (no more "chase")."""
    if not response_summary.strip():
        raise WorkflowError("Summarise the agency's response.")
    with transaction.atomic():
        referral = ExternalReferral.objects.get(pk=referral_id)
        concern = _concern_for(actor, referral.concern_id)
        # The clock's rows first (contracts: lock deadlines before changing anything else).
        _close_clocks(concern=concern, kind=ObligationKind.REFERRAL_RESPONSE, subject=referral, actor=actor)
        referral = ExternalReferral.objects.select_for_update().get(pk=referral_id)
        if referral.response_received_at is not None:
            raise WorkflowConflict(
                f"A response to this referral was already recorded at "
                f"{timezone.localtime(referral.response_received_at):%d %b %Y %H:%M}."
            )
        referral.response_received_at = received_at
        referral.response_summary = response_summary.strip()
        referral.outcome = outcome.strip()
        referral.save(update_fields=["response_received_at", "response_summary", "outcome"])
        record_event(
            action=AuditAction.REFERRAL_RESPONSE_RECORDED,
            actor=actor,
            subject=concern,
            details={"referral_id": referral.pk, "agency_label": referral.get_agency_display()},
        )
        return referral


def confirm_referral_in_writing(*, actor: User, referral_id: int, confirmed_at: datetime) -> ExternalReferral:
    """A phoned referral was confirmed in writing: stop its 24-hour clock."""
    with transaction.atomic():
        referral = ExternalReferral.objects.get(pk=referral_id)
        concern = _concern_for(actor, referral.concern_id)
        _close_clocks(concern=concern, kind=ObligationKind.WRITTEN_CONFIRMATION, subject=referral, actor=actor)
        referral = ExternalReferral.objects.select_for_update().get(pk=referral_id)
        if referral.confirmed_in_writing_at is not None:
            raise WorkflowConflict("This referral was already confirmed in writing.")
        referral.confirmed_in_writing_at = confirmed_at
        referral.save(update_fields=["confirmed_in_writing_at"])
        record_event(
            action=AuditAction.REFERRAL_CONFIRMED_IN_WRITING,
            actor=actor,
            subject=concern,
            details={"referral_id": referral.pk, "agency_label": referral.get_agency_display()},
        )
        return referral


# --- LADO task (position of trust) ---------------------------------------------------------------


def position_of_trust_reason(concern: Concern) -> str | None:
    """Why a LADO referral is needed, without names; None when nobody alleged needs one.

    A concern about one of our own staff always needs one, whatever its position-of-trust
    answer: the person works here, so the allegations procedure applies.
    """
    if is_about_staff(concern):
        return "Alleged person works or volunteers here"
    person = (
        AllegedPerson.objects.filter(concern=concern, position_of_trust=YesNoUnknown.YES).order_by("position").first()
    )
    if person is None:
        return None
    role = person.get_role_display() if person.role else "works, volunteers or cares for children"
    return f"Alleged person in a position of trust: {role.lower() if person.role else role}"


def open_lado_task_if_needed(*, concern: Concern, actor: User | None) -> LadoTask | None:
    """On submission: an alleged person in a position of trust, or one of our own staff, means
    the LADO (England) or the designated officer (Wales) must be told, with its own deadline
    on the concern's nation's clock. Idempotent: call it again when a staff member is linked
    to a concern after submission.
    """
    reason = position_of_trust_reason(concern)
    if reason is None:
        return None
    existing = LadoTask.objects.filter(concern=concern, completed_at__isnull=True).first()
    if existing is not None:
        return existing
    now = timezone.now()
    with transaction.atomic():
        task = LadoTask.objects.create(
            concern=concern,
            reason=reason,
            jurisdiction=concern.jurisdiction,
            due_at=now,  # replaced by the clock's due time just below
            created_at=now,
        )
        task.due_at = _open_lado_clock(task, concern=concern, actor=actor)
        LadoTask.objects.filter(pk=task.pk).update(due_at=task.due_at)
        record_event(
            action=AuditAction.CONCERN_LADO_TASK_CREATED,
            actor=actor,
            subject=concern,
            details={"lado_task_id": task.pk, "due_at": task.due_at, "jurisdiction": concern.jurisdiction},
        )
    return task


def _complete_lado_tasks(*, concern: Concern, referral: ExternalReferral, actor: User) -> None:
    for task in LadoTask.objects.select_for_update().filter(concern=concern, completed_at__isnull=True):
        _close_clocks(concern=concern, kind=ObligationKind.LADO_TASK, subject=task, actor=actor)
        task.completed_at = timezone.now()
        task.completed_by = actor
        task.referral = referral
        task.save(update_fields=["completed_at", "completed_by", "referral"])


def lado_officer_label(jurisdiction: str) -> str:
    return "designated officer" if jurisdiction == Jurisdiction.WALES else "LADO"


# --- Close and reopen -----------------------------------------------------------------------------


def close_concern(
    *,
    actor: User,
    concern_id: int,
    expected_status: str,
    outcome: str,
    rationale: str,
    reporter_feedback: str = ReporterFeedback.OUTCOME,
) -> ClosureRecord:
    """Close with an outcome and a rationale. Every open deadline of the concern stops.

    The clinician who raised it is told it is closed; ``reporter_feedback`` is how much of the
    closure they may read on their concern page (by default the kind of outcome and the agency).
    """
    outcome = ClosureOutcome(outcome)
    feedback = ReporterFeedback(reporter_feedback or ReporterFeedback.OUTCOME)
    if not rationale.strip():
        raise WorkflowError("Give the rationale for closing.")
    with transaction.atomic():
        concern = _concern_for(actor, concern_id)
        _close_clocks(concern=concern, kind=None, subject=None, actor=actor, outcome="cancelled")
        now = timezone.now()
        _move_status(
            concern, expected=expected_status, allowed_from=WORKING_STATUSES, new=ConcernStatus.CLOSED, closed_at=now
        )
        record = ClosureRecord.objects.create(
            concern=concern,
            kind=ClosureRecord.Kind.CLOSE,
            outcome=outcome,
            rationale=rationale.strip(),
            reporter_feedback=feedback,
            recorded_by=actor,
            recorded_at=now,
        )
        record_event(
            action=AuditAction.CONCERN_CLOSED,
            actor=actor,
            subject=concern,
            details={
                "outcome": outcome,
                "outcome_label": outcome.label,
                "closure_record_id": record.pk,
                "reporter_feedback": feedback,
            },
        )
        _tell_reporter(
            concern,
            key=f"closed:{record.pk}",
            subject=gettext("%(reference)s was closed") % {"reference": concern.reference},
            text=gettext("%(lead)s closed your safeguarding concern %(reference)s at %(when)s.")
            % {"lead": actor.get_full_name(), "reference": concern.reference, "when": _when(now)},
        )
        return record


def reopen_concern(*, actor: User, concern_id: int, reason: str) -> ClosureRecord:
    """New information: reopen a closed concern, with the reason in the chronology."""
    if not reason.strip():
        raise WorkflowError("Say why the concern is being reopened.")
    with transaction.atomic():
        concern = _concern_for(actor, concern_id)
        _move_status(
            concern,
            expected=ConcernStatus.CLOSED,
            allowed_from=[ConcernStatus.CLOSED],
            new=ConcernStatus.REOPENED,
            closed_at=None,
        )
        record = ClosureRecord.objects.create(
            concern=concern,
            kind=ClosureRecord.Kind.REOPEN,
            rationale=reason.strip(),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        # The reason is typed text: it stays in the closure record (the chronology reads it there).
        record_event(
            action=AuditAction.CONCERN_REOPENED, actor=actor, subject=concern, details={"closure_record_id": record.pk}
        )
        # New information needs a new decision, on the same clock as after an acknowledgement.
        _open_decision_clock(concern, starts_at=record.recorded_at, actor=actor)
        return record


# --- Break-glass ----------------------------------------------------------------------------------


def break_glass(*, actor: User, concern_id: int, reason: str) -> BreakGlassGrant:
    """A lead opens a concern of a team they do not cover, with a stated reason.

    Writes the managers' review entry and audit event (audit.services.record_break_glass),
    grants this lead access to this concern for a working session, and tells the leads who
    cover that team.
    """
    reason = reason.strip()
    if not reason:
        raise WorkflowError("State why you need to open this concern.")
    with transaction.atomic():
        concern = break_glass_candidate(actor, concern_id=concern_id)
        if concern is None:
            raise ConcernNotAvailable()
        record_break_glass(actor=actor, concern_reference=concern.reference, team=concern.team, reason=reason)
        now = timezone.now()
        grant = BreakGlassGrant.objects.create(
            user=actor, concern=concern, reason=reason, granted_at=now, expires_at=now + BREAK_GLASS_GRANT_DURATION
        )
        for lead in assignable_leads(concern):
            notify(
                recipient=lead,
                concern=concern,
                key=f"break-glass:{grant.pk}",
                subject=f"{concern.reference} was opened from outside {concern.team.name}",
                text=(
                    f"{actor.get_full_name()} opened {concern.reference} ({concern.team.name}) through "
                    "break-glass. The reason is in the managers' review list."
                ),
            )
        return grant


# --- The clock engine (alerts.services.deadlines) ---------------------------------------------------------


def _open_referral_clock(
    referral: ExternalReferral, *, concern: Concern, due_at: datetime | None, actor: User
) -> datetime:
    """The agency's response is due by the policy (one working day by default) or the lead's date.

    A phoned referral also has to be confirmed in writing (24 hours, its own deadline).
    """
    deadline = open_deadline(
        kind=ObligationKind.REFERRAL_RESPONSE,
        concern=concern,
        subject=referral,
        due_at=due_at,
        starts_at=referral.referred_at,
        actor=actor,
    )
    if referral.method == ReferralMethod.PHONE:
        open_deadline(
            kind=ObligationKind.WRITTEN_CONFIRMATION,
            concern=concern,
            subject=referral,
            starts_at=referral.referred_at,
            actor=actor,
        )
    return deadline.due_at


def _open_lado_clock(task: LadoTask, *, concern: Concern, actor: User | None) -> datetime:
    """England: the LADO within one working day; Wales: the designated officer within 24 hours
    (policy data, by the concern's nation), counted from submission.
    """
    deadline = open_deadline(
        kind=ObligationKind.LADO_TASK, concern=concern, subject=task, starts_at=concern.submitted_at, actor=actor
    )
    return deadline.due_at


def _close_clocks(*, concern: Concern, kind: str | None, subject, actor: User, outcome: str = "met") -> None:
    """Stop deadlines (locks their rows first, so no alert follows). ``kind`` None: all of the concern's."""
    if kind is not None:
        close_deadlines(kind=kind, concern=concern, subject=subject, outcome=outcome, actor=actor)
        return
    kinds = Deadline.objects.filter(concern=concern, state=DeadlineState.OPEN).values_list("kind", flat=True).distinct()
    for open_kind in sorted(set(kinds)):
        close_deadlines(kind=open_kind, concern=concern, outcome=outcome, actor=actor)

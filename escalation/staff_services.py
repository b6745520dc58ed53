"""Writes for allegations against our own people and conflicts of interest.

- ``link_alleged_person_to_staff``: a lead identifies an alleged person as one of our own people
  after submission (a new append-only ``StaffLink``: who, when, why). The submitted alleged
  person is never changed.
- ``declare_conflict_of_interest``: a lead or deputy says they must not work on a concern.
- ``refuse_break_glass``: someone the concern is hidden from tried to break the glass into it.

From the commit of a link or a declaration the concern is hidden from that person everywhere
(``concerns.selectors.concern_ids_hidden_from``) and nothing about it reaches them
(``excluded_people``). Each service runs in one transaction with its audit event; messages go
through the outbox, after commit.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import users_with_role
from alerts.services.outbox import queue_for_people
from audit.actions import AuditAction
from audit.services import record_event
from concerns.models import AllegedPerson, Concern, ConflictOfInterest, StaffLink
from concerns.selectors import excluded_people
from escalation.services import ConcernNotAvailable, WorkflowError, _concern_for, open_lado_task_if_needed


class AlreadyIdentified(WorkflowError):
    def __init__(self):
        super().__init__(gettext("This alleged person is already linked to a member of staff."))


class NotAnAllegedPersonOfThisConcern(WorkflowError):
    def __init__(self):
        super().__init__(gettext("Choose one of the alleged people of this concern."))


class NoSuchStaffMember(WorkflowError):
    def __init__(self):
        super().__init__(gettext("Choose an active member of staff."))


class ReasonRequired(WorkflowError):
    def __init__(self):
        super().__init__(gettext("Say why, in a few words."))


def _step_aside(concern: Concern, person_id: int) -> bool:
    """Someone the concern is now hidden from cannot stay its owner: the concern goes back to
    the queue unowned (a workflow column, written by compare-and-set on the owner)."""
    return bool(Concern.objects.filter(pk=concern.pk, owner_id=person_id).update(owner=None))


def link_alleged_person_to_staff(
    *, actor: User, concern_id: int, alleged_person_id: int, staff_member_id: int, reason: str
) -> StaffLink:
    """Identify an alleged person as one of our own people, after submission.

    Hides the concern from them from this commit, takes them off it as owner, and opens the LADO
    (designated officer) task if it is not open yet: the allegations procedure applies to our
    own people whatever the position-of-trust answer.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        concern = _concern_for(actor, concern_id)
        alleged = AllegedPerson.objects.filter(concern=concern, pk=alleged_person_id).first()
        if alleged is None:
            raise NotAnAllegedPersonOfThisConcern()
        staff_member = User.objects.filter(pk=staff_member_id, is_active=True).first()
        if staff_member is None:
            raise NoSuchStaffMember()
        # The row lock makes two leads linking the same person at once queue up: the second is
        # told it is already done (the unique constraint is the last word).
        AllegedPerson.objects.select_for_update().filter(pk=alleged.pk).first()
        if alleged.staff_member_id is not None or StaffLink.objects.filter(alleged_person=alleged).exists():
            raise AlreadyIdentified()
        link = StaffLink.objects.create(
            concern=concern, alleged_person=alleged, staff_member=staff_member, linked_by=actor, reason=reason
        )
        was_owner = _step_aside(concern, staff_member.pk)
        record_event(
            action=AuditAction.CONCERN_STAFF_IDENTIFIED,
            actor=actor,
            subject=concern,
            details={
                "alleged_person_id": alleged.pk,
                "staff_member_id": staff_member.pk,
                "owner_removed": was_owner,
                # The typed reason stays on the link; audit details hold references only.
                "staff_link_id": link.pk,
            },
        )
        open_lado_task_if_needed(concern=concern, actor=actor)
    return link


def declare_conflict_of_interest(*, actor: User, concern_id: int, reason: str) -> ConflictOfInterest:
    """A lead or deputy declares that they must not work on (or see) this concern."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        concern = _concern_for(actor, concern_id)
        conflict = ConflictOfInterest.objects.create(concern=concern, person=actor, declared_by=actor, reason=reason)
        was_owner = _step_aside(concern, actor.pk)
        record_event(
            action=AuditAction.CONCERN_CONFLICT_DECLARED,
            actor=actor,
            subject=concern,
            # The typed reason stays on the declaration; audit details hold references only.
            details={"person_id": actor.pk, "owner_removed": was_owner, "conflict_id": conflict.pk},
        )
    return conflict


def refuse_break_glass(*, actor: User, concern_id: int, reason: str = "") -> None:
    """Record a refused break-glass into a concern hidden from ``actor`` and tell the managers.

    The caller answers exactly as for a concern that does not exist; only the managers (never
    anyone the concern is hidden from) learn that it was tried.
    """
    concern = Concern.objects.select_related("team").filter(pk=concern_id).first()
    if concern is None:
        raise ConcernNotAvailable()
    with transaction.atomic():
        event = record_event(
            action=AuditAction.CONCERN_BREAK_GLASS_REFUSED,
            actor=actor,
            subject=concern,
            # Only the attempt is kept: audit details never hold text people typed.
            details={"team": concern.team.name},
        )
        queue_for_people(
            people=list(users_with_role(Role.MANAGER)),
            key=f"break-glass-refused:{event.pk}",
            subject=gettext("Break-glass refused on %(reference)s") % {"reference": concern.reference},
            body=gettext(
                "%(person)s tried to open %(reference)s through break-glass. It is hidden from them "
                "(they are named in it or declared a conflict of interest), so it was refused."
            )
            % {"person": actor.get_full_name(), "reference": concern.reference},
            link=reverse("audit:concern_access_log", args=[concern.reference]),
            concern=concern,
            excluded=excluded_people(concern),
        )

"""Reads of the clock engine: the duty rota (who an alert step goes to) and the bell.

The rota: who is on duty now, and who an alert step goes to.

Alerts go to the people on duty when the step fires (not when the deadline opened). When the
rota has nobody for a team, every lead and deputy covering the team hears, so an alert is never
addressed to no one.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import leads_covering_team, users_with_role
from alerts.models import DutyRole, DutyShift, EscalationStep, Leave, Notification, RecipientRole


def _not_on_leave(users: QuerySet[User], at: datetime) -> QuerySet[User]:
    away = Leave.objects.filter(user=OuterRef("pk"), starts_at__lte=at, ends_at__gt=at)
    return users.filter(~Exists(away))


def on_duty(*, team=None, at: datetime | None = None, role: str | None = None) -> QuerySet[User]:
    """People on a shift at ``at`` for ``team`` (a shift without a team covers all their teams)."""
    at = at or timezone.now()
    shifts = DutyShift.objects.filter(starts_at__lte=at, ends_at__gt=at)
    if role:
        shifts = shifts.filter(role=role)
    if team is not None:
        covers = (
            Q(team=team)
            | Q(team__isnull=True, user__covers_all_teams=True)
            | Q(team__isnull=True, user__covered_teams=team)
        )
        shifts = shifts.filter(covers)
    users = User.objects.filter(is_active=True, pk__in=shifts.values("user_id"))
    return _not_on_leave(users, at)


def duty_leads(*, team=None, at: datetime | None = None) -> list[User]:
    """The on-duty lead and deputies for a team; covering leads when the rota is empty."""
    at = at or timezone.now()
    people = list(on_duty(team=team, at=at).order_by("full_name"))
    if people:
        return people
    fallback = leads_covering_team(team) if team is not None else users_with_role(Role.LEAD, Role.DEPUTY)
    present = list(_not_on_leave(fallback, at).order_by("full_name"))
    return present or list(fallback.order_by("full_name"))


def managers() -> list[User]:
    return list(users_with_role(Role.MANAGER).order_by("full_name"))


def named_leads(step_id: int | None = None) -> list[User]:
    if step_id is not None:
        step = EscalationStep.objects.filter(pk=step_id).first()
        named = list(step.named_people.filter(is_active=True).order_by("full_name")) if step else []
        if named:
            return named
    emails = [e.lower() for e in settings.ESCALATION_NAMED_LEAD_EMAILS]
    named = list(User.objects.filter(is_active=True, email__in=emails).order_by("full_name")) if emails else []
    # Nobody named: the safeguarding managers hear rather than no one.
    return named or managers()


def recipients_for(
    *, recipients: str, team=None, owner=None, step_id: int | None = None, at: datetime | None = None
) -> list[User]:
    if recipients == RecipientRole.DUTY_LEADS:
        people = duty_leads(team=team, at=at)
        if owner is not None and owner.is_active:
            # The owner answers for the concern; deputies on duty hear as well.
            deputies = [p for p in on_duty(team=team, at=at, role=DutyRole.DEPUTY) if p.pk != owner.pk]
            return [owner, *deputies]
        return people
    if recipients == RecipientRole.SAFEGUARDING_MANAGER:
        return managers() or duty_leads(team=team, at=at)
    if recipients == RecipientRole.NAMED_LEAD:
        return named_leads(step_id)
    raise ValueError(f"Unknown recipients {recipients!r}")


# --- The bell ---------------------------------------------------------------------------------


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    """One indexed count (notification_unread_idx)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()

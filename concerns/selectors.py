"""Reads of concerns, including the access checks (404 for what the user may not see)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.selectors import covered_team_ids
from concerns.models import Concern


def concerns_visible_to(user) -> QuerySet[Concern]:
    """Need to know: authors see their own; leads see the teams they cover."""
    if not user.is_authenticated:
        return Concern.objects.none()
    visible = Q(reporter=user)
    if user.is_lead:
        team_ids = covered_team_ids(user)
        visible |= Q() if team_ids is None else Q(team_id__in=team_ids)
    return Concern.objects.filter(visible)


def get_concern_for_user(user, *, concern_id: int) -> Concern:
    try:
        return concerns_visible_to(user).get(pk=concern_id)
    except Concern.DoesNotExist:
        raise Http404("No such concern.") from None

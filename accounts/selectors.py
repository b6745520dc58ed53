"""Reads about people, teams and roles."""

from django.db.models import QuerySet

from accounts.models import Team, User
from accounts.roles import Role


def covered_team_ids(user: User) -> list[int] | None:
    """Ids of the teams a lead covers; None means every team."""
    if user.covers_all_teams:
        return None
    return list(user.covered_teams.values_list("id", flat=True))


def users_with_role(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def leads_covering_team(team: Team) -> QuerySet[User]:
    """Leads and deputies who answer for a team's concerns (including organisation-wide leads)."""
    from django.db.models import Q

    return users_with_role(Role.LEAD, Role.DEPUTY).filter(Q(covers_all_teams=True) | Q(covered_teams=team)).distinct()

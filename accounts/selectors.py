"""Reads about people, teams, roles and the organisation's settings."""

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Organisation, Team, User
from accounts.roles import LEAD_ROLES


def covered_team_ids(user: User) -> list[int] | None:
    """Ids of the teams a lead covers; None means every team.

    Read once per request: the queue's rows, its filters and its count each ask. Kept on the
    person's object (the request's user), which a change to their covered teams clears
    (``accounts.access``).
    """
    if user.covers_all_teams:
        return None
    memo = user.__dict__.get("_covered_team_ids")
    if memo is None:
        memo = user.__dict__["_covered_team_ids"] = list(user.covered_teams.values_list("id", flat=True))
    return list(memo)


# Every team's (id, name), by name: an organisation-wide lead's list of teams on every visit
# of the queue. Kept in the cache and dropped at each change through the model
# (``forget_team_names``, connected in accounts.apps); the timeout bounds any other path.
TEAM_NAMES_KEY = "accounts:team-names:v1"
TEAM_NAMES_SECONDS = 300


def every_team_name() -> list[tuple[int, str]]:
    names = cache.get(TEAM_NAMES_KEY)
    if names is None:
        names = list(Team.objects.order_by("name", "id").values_list("id", "name"))
        cache.set(TEAM_NAMES_KEY, names, TEAM_NAMES_SECONDS)
    return names


def forget_team_names(**kwargs) -> None:
    """At once, and again when the change commits, so a read of the old rows while it was in
    flight cannot keep them."""
    cache.delete(TEAM_NAMES_KEY)
    transaction.on_commit(lambda: cache.delete(TEAM_NAMES_KEY))


def covered_team_names(user: User, *, every_team: list[tuple[int, str]] | None = None) -> list[tuple[int, str]]:
    """(id, name) of the teams a lead covers, by name (every team for an organisation-wide lead:
    ``every_team`` when the caller has read every_team_name() already).

    For a lead of some teams, one statement, which also answers ``covered_team_ids`` for the
    rest of the request: the queue asks for both. Written out: the ORM took twice as long to
    build this join of two tables as PostgreSQL took to run it, on every visit of the queue.
    """
    if user.covers_all_teams:
        return list(every_team_name() if every_team is None else every_team)
    team, link = Team._meta.db_table, User.covered_teams.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT team.id, team.name FROM {team} AS team JOIN {link} AS link ON link.team_id = team.id"
            " WHERE link.user_id = %s ORDER BY team.name, team.id",
            [user.pk],
        )
        names = cursor.fetchall()
    user.__dict__.setdefault("_covered_team_ids", [pk for pk, _name in names])
    return names


def users_with_role(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def leads_covering_team(team: Team) -> QuerySet[User]:
    """Leads and deputies who answer for a team's concerns (including organisation-wide leads)."""
    return users_with_role(*LEAD_ROLES).filter(Q(covers_all_teams=True) | Q(covered_teams=team)).distinct()


def team_leads(team: Team) -> QuerySet[User]:
    """The leads and deputies who cover this team by name (not the organisation-wide leads)."""
    return users_with_role(*LEAD_ROLES).filter(covered_teams=team).distinct()


def organisation_wide_leads() -> QuerySet[User]:
    """Leads and deputies who cover every team: the first fallback for a team without cover."""
    return users_with_role(*LEAD_ROLES).filter(covers_all_teams=True)


def covering_leads() -> QuerySet[User]:
    """For ``Exists``: the active leads and deputies covering the outer team by name."""
    return User.objects.filter(is_active=True, groups__name__in=LEAD_ROLES, covered_teams=OuterRef("pk"))


def teams_without_cover() -> QuerySet[Team]:
    """Teams that no active lead or deputy covers by name.

    Their alerts still reach someone (the organisation-wide leads, then the managers), but
    nobody answers for the team day to day: the admin and /healthz show the gap.
    """
    return Team.objects.filter(~Exists(covering_leads())).order_by("name")


def organisation() -> Organisation:
    return Organisation.current()


def team_nation(team: Team | None) -> str:
    """The nation whose working calendar a team follows: its own, else the organisation's."""
    if team is not None and team.nation:
        return team.nation
    return organisation().nation


def allegations_manager() -> User | None:
    """The person named in the admin to hear alerts when everyone else must not (may be None)."""
    manager = (
        Organisation.objects.filter(pk=Organisation.SINGLETON_ID).values_list("allegations_manager", flat=True).first()
    )
    if manager is None:
        return None
    return User.objects.filter(pk=manager, is_active=True).first()

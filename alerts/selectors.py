"""Reads of the clock engine: who an alert step goes to (the duty rota and its fallbacks),
whose calendar an obligation follows, the gaps in cover and in the rota, and the bell.

Who hears an alert step (docs/alerts.md, "Who is told"):

- Alerts go to the people on duty when the step fires (not when the deadline opened), never to
  anyone on leave while someone else can be reached, and never to anyone the concern must
  never reach (``excluded``: ``concerns.selectors.excluded_people``, e.g. the colleague the
  concern is about).
- Each audience is a chain of levels; the first level with someone in it is told:
  the owner (and the deputies on duty), or the on-duty lead and deputies; the leads and
  deputies covering the team by name; the organisation-wide leads; the safeguarding managers;
  the allegations manager named in the admin. A managers' step starts at the managers, a named
  lead's step at the people named on the step.
- Only when every level is empty of present, permitted people does the chain run again
  ignoring leave: an alert is never addressed to no one while anyone permitted exists.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import Organisation, Team, User
from accounts.roles import LEAD_ROLES, Role
from accounts.selectors import (
    team_nation,
    teams_without_cover,
)
from alerts.models import (
    CALENDAR_OF_KIND,
    CalendarOf,
    Deadline,
    DutyRole,
    DutyShift,
    EscalationStep,
    Leave,
    Notification,
    OutboxMessage,
    RecipientRole,
)
from concerns.selectors import concern_ids_hidden_from, concern_ids_hidden_from_sql
from health.selectors import ComponentState

# --- Whose calendar ---------------------------------------------------------------------------


def obligation_nation(kind: str, *, concern=None, team=None) -> str:
    """The nation whose policy row and working days an obligation follows.

    The leads' own obligations (acknowledge, decide, review dates) follow the team's working
    calendar: its nation, or the organisation's. Agency clocks (referral response, written
    confirmation, LADO) follow the concern's nation, where the person at risk lives. An
    obligation without a concern (a client's limits revisit) follows its team.
    """
    team = team if team is not None else getattr(concern, "team", None)
    if CALENDAR_OF_KIND.get(kind, CalendarOf.TEAM) == CalendarOf.CONCERN and concern is not None:
        return concern.jurisdiction or team_nation(team)
    return team_nation(team)


# --- The rota ---------------------------------------------------------------------------------


def _not_on_leave(users: QuerySet[User], at: datetime) -> QuerySet[User]:
    away = Leave.objects.filter(user=OuterRef("pk"), starts_at__lte=at, ends_at__gt=at)
    return users.filter(~Exists(away))


def _shifts_covering(team: Team | None) -> QuerySet[DutyShift]:
    """Shifts that count for ``team``: its own, or a shift without a team of someone covering it."""
    shifts = DutyShift.objects.all()
    if team is None:
        return shifts
    return shifts.filter(
        Q(team=team)
        | Q(team__isnull=True, user__covers_all_teams=True)
        | Q(team__isnull=True, user__covered_teams=team)
    )


def on_duty(*, team=None, at: datetime | None = None, role: str | None = None) -> QuerySet[User]:
    """People on a shift at ``at`` for ``team`` (a shift without a team covers all their teams)."""
    at = at or timezone.now()
    shifts = _shifts_covering(team).filter(starts_at__lte=at, ends_at__gt=at)
    if role:
        shifts = shifts.filter(role=role)
    users = User.objects.filter(is_active=True, pk__in=shifts.values("user_id"))
    return _not_on_leave(users, at)


def _named(step_id: int | None) -> QuerySet[User]:
    if step_id is not None:
        step_people = EscalationStep.named_people.through.objects.filter(escalationstep_id=step_id)
        if step_people.exists():
            return User.objects.filter(is_active=True, pk__in=step_people.values("user_id"))
    emails = [e.lower() for e in settings.ESCALATION_NAMED_LEAD_EMAILS]
    return User.objects.filter(is_active=True, email__in=emails) if emails else User.objects.none()


class AudienceSource:
    """Which level of a chain an alert reached (recorded with the alert, so managers can see why)."""

    OWNER = "owner"
    ROTA = "rota"
    TEAM_LEADS = "team_leads"
    ORGANISATION_LEADS = "organisation_leads"
    MANAGERS = "managers"
    NAMED = "named"
    ALLEGATIONS_MANAGER = "allegations_manager"
    NOBODY = "nobody"


@dataclass(frozen=True)
class Audience:
    people: list[User]
    source: str
    # True when everyone present was excluded or missing and people on leave were told.
    on_leave: bool = False
    excluded: frozenset[int] = field(default_factory=frozenset)


DUTY_CHAIN = (
    AudienceSource.ROTA,
    AudienceSource.TEAM_LEADS,
    AudienceSource.ORGANISATION_LEADS,
    AudienceSource.MANAGERS,
    AudienceSource.ALLEGATIONS_MANAGER,
)
MANAGER_CHAIN = (
    AudienceSource.MANAGERS,
    AudienceSource.ALLEGATIONS_MANAGER,
    AudienceSource.ROTA,
    AudienceSource.TEAM_LEADS,
    AudienceSource.ORGANISATION_LEADS,
)

# Each person of a level, and whether they are on leave at the moment asked about.
People = list[tuple[User, bool]]


def _away(at: datetime) -> Exists:
    return Exists(Leave.objects.filter(user=OuterRef("pk"), starts_at__lte=at, ends_at__gt=at))


@cache
def _levels_sql() -> str:
    """Every level of the chains after an owner, in one statement written by hand.

    Each level holds the people its own definition names: ``on_duty`` (the rota, nobody on
    leave), ``team_leads`` (or every lead without a team), ``organisation_wide_leads``, the
    managers (``users_with_role``) and the organisation's allegations manager. A test holds the
    two to the same answers. Built through the ORM a level at a time, they were a fifth of a
    submit's time in Python; as one statement of the ORM's, its planning cost more than the
    levels it replaced.
    """
    names = {
        "user": User._meta.db_table,
        "user_groups": User.groups.through._meta.db_table,
        "group": User.groups.field.related_model._meta.db_table,
        "covered": User.covered_teams.through._meta.db_table,
        "shift": DutyShift._meta.db_table,
        "leave": Leave._meta.db_table,
        "organisation": Organisation._meta.db_table,
    }
    t = {key: connection.ops.quote_name(name) for key, name in names.items()}
    on_leave = (
        f"EXISTS (SELECT 1 FROM {t['leave']} l WHERE l.user_id = u.id AND l.starts_at <= %(at)s AND l.ends_at > %(at)s)"
    )
    return f"""
WITH roles AS (
  SELECT ug.user_id, g.name FROM {t["user_groups"]} ug JOIN {t["group"]} g ON g.id = ug.group_id
   WHERE g.name = ANY(%(roles)s)
), chain (user_id, source) AS (
  SELECT s.user_id, %(rota)s FROM {t["shift"]} s
   WHERE s.starts_at <= %(at)s AND s.ends_at > %(at)s
     AND (%(team)s::bigint IS NULL OR s.team_id = %(team)s OR (s.team_id IS NULL AND (
          EXISTS (SELECT 1 FROM {t["user"]} o WHERE o.id = s.user_id AND o.covers_all_teams)
          OR EXISTS (SELECT 1 FROM {t["covered"]} c WHERE c.user_id = s.user_id AND c.team_id = %(team)s))))
  UNION
  SELECT r.user_id, %(team_leads)s FROM roles r
   WHERE r.name = ANY(%(lead_roles)s) AND (%(team)s::bigint IS NULL
         OR EXISTS (SELECT 1 FROM {t["covered"]} c WHERE c.user_id = r.user_id AND c.team_id = %(team)s))
  UNION
  SELECT r.user_id, %(organisation_leads)s FROM roles r JOIN {t["user"]} o ON o.id = r.user_id
   WHERE r.name = ANY(%(lead_roles)s) AND o.covers_all_teams
  UNION
  SELECT r.user_id, %(managers)s FROM roles r WHERE r.name = %(manager_role)s
  UNION
  SELECT o.allegations_manager_id, %(allegations_manager)s FROM {t["organisation"]} o
   WHERE o.id = %(organisation)s AND o.allegations_manager_id IS NOT NULL
)
SELECT u.*, chain.source AS chain_source, {on_leave} AS chain_away
  FROM chain JOIN {t["user"]} u ON u.id = chain.user_id
 WHERE u.is_active AND NOT (u.id = ANY(%(excluded)s))
   AND NOT (chain.source = %(rota)s AND {on_leave})
 ORDER BY u.full_name, u.id
"""  # noqa: S608 - the models' own table names


def _read_levels(team: Team | None, at: datetime, excluded: frozenset[int]) -> dict[str, People]:
    """Every level's people in one statement, by source, each level in name order."""
    params = {
        "at": at,
        "team": getattr(team, "pk", None),
        "excluded": sorted(excluded),
        "roles": [*LEAD_ROLES, Role.MANAGER],
        "lead_roles": list(LEAD_ROLES),
        "manager_role": Role.MANAGER,
        "organisation": Organisation.SINGLETON_ID,
        "rota": AudienceSource.ROTA,
        "team_leads": AudienceSource.TEAM_LEADS,
        "organisation_leads": AudienceSource.ORGANISATION_LEADS,
        "managers": AudienceSource.MANAGERS,
        "allegations_manager": AudienceSource.ALLEGATIONS_MANAGER,
    }
    levels: dict[str, People] = {}
    for person in User.objects.raw(_levels_sql(), params):
        # The statement's two columns of its own, taken off the person it returns.
        source, away = person.__dict__.pop("chain_source"), person.__dict__.pop("chain_away")
        levels.setdefault(source, []).append((person, away))
    return levels


# A level of a chain: its source and how to read its people (once, when a chain reaches it).
Level = tuple[str, Callable[[], People]]


def _chain(order: tuple[str, ...], team: Team | None, at: datetime, excluded: frozenset[int]) -> list[Level]:
    @cache
    def every_level() -> dict[str, People]:
        return _read_levels(team, at, excluded)

    def level(source: str) -> Callable[[], People]:
        return lambda: every_level().get(source, [])

    return [(source, level(source)) for source in order]


def _named_level(step_id: int | None, at: datetime, excluded: frozenset[int]) -> Level:
    def people() -> People:
        named = _named(step_id).exclude(pk__in=excluded).annotate(chain_away=_away(at)).order_by("full_name", "pk")
        return [(person, person.chain_away) for person in named]

    return (AudienceSource.NAMED, people)


def _first_audience(levels: list[Level], *, at: datetime, excluded: frozenset[int]) -> Audience:
    read: dict[str, People] = {}

    def people_of(source: str, load: Callable[[], People]) -> People:
        if source not in read:
            read[source] = load()
        return read[source]

    for source, load in levels:
        present = [person for person, away in people_of(source, load) if not away]
        if present:
            return Audience(present, source, excluded=excluded)
    for source, load in levels:
        anyone = [person for person, _away in people_of(source, load)]
        if anyone:
            return Audience(anyone, source, on_leave=True, excluded=excluded)
    return Audience([], AudienceSource.NOBODY, excluded=excluded)


def duty_leads(*, team=None, at: datetime | None = None, excluded: Iterable[int] = ()) -> list[User]:
    """The on-duty lead and deputies for a team, else the next level of the chain (module doc)."""
    at = at or timezone.now()
    excluded = frozenset(excluded)
    return _first_audience(_chain(DUTY_CHAIN, team, at, excluded), at=at, excluded=excluded).people


def audience_for(
    *,
    recipients: str,
    team=None,
    owner=None,
    step_id: int | None = None,
    at: datetime | None = None,
    excluded: Iterable[int] = (),
) -> Audience:
    """Who an alert step (or a new concern's first notice) goes to, and which level that was."""
    at = at or timezone.now()
    excluded = frozenset(excluded)
    if recipients == RecipientRole.DUTY_LEADS:
        owner_reachable = (
            owner is not None
            and owner.is_active
            and owner.pk not in excluded
            and not Leave.objects.filter(user=owner, starts_at__lte=at, ends_at__gt=at).exists()
        )
        if owner_reachable:
            # The owner answers for the concern; deputies on duty hear as well.
            deputies = on_duty(team=team, at=at, role=DutyRole.DEPUTY).exclude(pk__in={owner.pk, *excluded})
            return Audience([owner, *deputies.order_by("full_name", "pk")], AudienceSource.OWNER, excluded=excluded)
        return _first_audience(_chain(DUTY_CHAIN, team, at, excluded), at=at, excluded=excluded)
    if recipients == RecipientRole.SAFEGUARDING_MANAGER:
        return _first_audience(_chain(MANAGER_CHAIN, team, at, excluded), at=at, excluded=excluded)
    if recipients == RecipientRole.NAMED_LEAD:
        levels = [_named_level(step_id, at, excluded), *_chain(MANAGER_CHAIN, team, at, excluded)]
        return _first_audience(levels, at=at, excluded=excluded)
    raise ValueError(f"Unknown recipients {recipients!r}")


def recipients_for(
    *,
    recipients: str,
    team=None,
    owner=None,
    step_id: int | None = None,
    at: datetime | None = None,
    excluded: Iterable[int] = (),
) -> list[User]:
    return audience_for(recipients=recipients, team=team, owner=owner, step_id=step_id, at=at, excluded=excluded).people


# --- Gaps in cover and in the rota --------------------------------------------------------------

ROTA_LOOKAHEAD = timedelta(days=14)


@dataclass(frozen=True)
class RotaGap:
    team: Team
    starts_at: datetime
    ends_at: datetime


def rota_gaps(*, now: datetime | None = None, horizon: timedelta = ROTA_LOOKAHEAD) -> list[RotaGap]:
    """Stretches of the next ``horizon`` when nobody present is on duty for a team.

    Counted at every hour, because an immediate-danger concern can arrive at any hour. A gap is
    not silence (alerts then go to the leads covering the team, then the fallbacks), but it is
    the administrator's to fill. Teams that use no rota at all in the window are left out: for
    them the covering leads are the plan, and ``teams_without_cover`` watches those.
    Five queries, whatever the number of teams and shifts.
    """
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    end = now + horizon
    shifts = list(
        DutyShift.objects.filter(starts_at__lt=end, ends_at__gt=now, user__is_active=True).select_related("team")
    )
    if not shifts:
        return []
    user_ids = {s.user_id for s in shifts}
    leave: dict[int, list[tuple[datetime, datetime]]] = {}
    for user_id, starts, ends in Leave.objects.filter(
        user_id__in=user_ids, starts_at__lt=end, ends_at__gt=now
    ).values_list("user_id", "starts_at", "ends_at"):
        leave.setdefault(user_id, []).append((starts, ends))
    covered_by = {
        user.pk: (None if user.covers_all_teams else {team.pk for team in user.covered_teams.all()})
        for user in User.objects.filter(pk__in=user_ids).prefetch_related("covered_teams")
    }
    gaps: list[RotaGap] = []
    for team in Team.objects.order_by("name"):
        intervals: list[tuple[datetime, datetime]] = []
        for shift in shifts:
            if shift.team_id is not None:
                counts = shift.team_id == team.pk
            else:
                teams = covered_by.get(shift.user_id, set())
                counts = teams is None or team.pk in teams
            if counts:
                intervals.extend(
                    _minus_leave((max(shift.starts_at, now), min(shift.ends_at, end)), leave.get(shift.user_id, []))
                )
        if not intervals:
            continue
        cursor = now
        for starts, ends in sorted(intervals):
            if starts > cursor:
                gaps.append(RotaGap(team, cursor, starts))
            cursor = max(cursor, ends)
        if cursor < end:
            gaps.append(RotaGap(team, cursor, end))
    return gaps


def _minus_leave(
    interval: tuple[datetime, datetime], away: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    pieces = [interval]
    for away_from, away_to in away:
        next_pieces = []
        for starts, ends in pieces:
            if away_to <= starts or away_from >= ends:
                next_pieces.append((starts, ends))
                continue
            if away_from > starts:
                next_pieces.append((starts, away_from))
            if away_to < ends:
                next_pieces.append((away_to, ends))
        pieces = next_pieces
    return [(s, e) for s, e in pieces if e > s]


@dataclass(frozen=True)
class CoverWarnings:
    teams_without_cover: list[Team]
    rota_gaps: list[RotaGap]

    def __bool__(self) -> bool:
        return bool(self.teams_without_cover or self.rota_gaps)


def cover_health() -> ComponentState:
    """/healthz: teams no lead covers by name make the portal degraded (never 503: see health.views).

    Only a count: /healthz is public, the admin names the teams.
    """
    count = teams_without_cover().count()
    if not count:
        return ComponentState("cover", True, "ok", critical=False)
    detail = ngettext("%(count)d team without cover", "%(count)d teams without cover", count) % {"count": count}
    return ComponentState("cover", False, detail, critical=False)


def cover_warnings(*, now: datetime | None = None) -> CoverWarnings:
    """What the admin warns about: teams no lead covers, and rota gaps in the next 14 days."""
    return CoverWarnings(list(teams_without_cover()), rota_gaps(now=now))


# --- The bell ---------------------------------------------------------------------------------


def _without_hidden_concerns(notifications: QuerySet[Notification], user) -> QuerySet[Notification]:
    """A notification written before its concern was hidden from its reader (a staff member
    linked, a conflict declared later) disappears from the list and the count from that commit."""
    hidden = concern_ids_hidden_from(user)
    return notifications.exclude(message__concern_id__in=hidden).exclude(deadline__concern_id__in=hidden)


def notifications_for(user) -> QuerySet[Notification]:
    return _without_hidden_concerns(Notification.objects.filter(user=user).select_related("deadline"), user).order_by(
        "-created_at", "-pk"
    )


def unread_count(user) -> int:
    """An indexed count (notification_unread_idx): unread, not already done by someone, and not
    about a concern hidden from the reader.

    Every signed-in page shows it and polls it, so it is one statement whose text is fixed but
    for the hidden-concern rule (``concern_ids_hidden_from``, compiled once per process):
    building it through the ORM's joins and excludes cost more CPU than the count itself.
    """
    if not user.is_authenticated:
        return 0
    hidden_sql, hidden_params = concern_ids_hidden_from_sql(user)
    notification, message, deadline = (model._meta.db_table for model in (Notification, OutboxMessage, Deadline))
    # The hidden concerns are read once, as an array; when there are none (nearly always), the
    # checks per notification are skipped: probing each one's message and deadline cost more
    # than the count (3.5 ms for a lead with 600 unread notifications, 0.3 ms without).
    # MATERIALIZED: inlined, the array's subquery was planned once for each of its three uses,
    # and planning took three times as long as running the count (0.31 ms against 0.09).
    sql = (
        f"WITH hidden(ids) AS MATERIALIZED (SELECT ARRAY({hidden_sql}))"
        f" SELECT count(*) FROM {notification} AS n CROSS JOIN hidden"
        " WHERE n.user_id = %s AND n.read_at IS NULL AND n.done_at IS NULL"
        " AND (cardinality(hidden.ids) = 0 OR ("
        f"NOT EXISTS (SELECT 1 FROM {message} AS m WHERE m.id = n.message_id AND m.concern_id = ANY(hidden.ids))"
        f" AND NOT EXISTS (SELECT 1 FROM {deadline} AS d WHERE d.id = n.deadline_id AND d.concern_id = ANY(hidden.ids))"
        "))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*hidden_params, user.pk])
        (count,) = cursor.fetchone()
    return count

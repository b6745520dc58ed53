"""Reads for the lead's side: the queue, one concern for a lead (need to know, break-glass),
the chronology and possible links. Each read issues a fixed number of queries, whatever
the number of rows.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import TrigramSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Now
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.access import person_cache_key
from accounts.models import User
from accounts.roles import LEAD_ROLES, Role
from accounts.selectors import (
    TEAM_NAMES_KEY,
    covered_team_ids,
    covered_team_names,
    leads_covering_team,
    users_with_role,
)
from alerts.models import ObligationKind
from audit.actions import AuditAction, AuditKind, action_kind, action_label, readable_details, spec_for
from audit.models import AuditEvent
from concerns.models import (
    OPEN_STATUSES,
    RISK_ORDER,
    STATUS_ORDER,
    URGENCY_ORDER,
    Addendum,
    AllegedPerson,
    Concern,
    ConcernStatus,
    ConflictOfInterest,
    StaffLink,
    risk_rank,
    status_rank,
    urgency_rank,
)
from concerns.selectors import (
    ACTIVE_CATEGORIES_KEY,
    concern_ids_hidden_from,
    concerns_visible_to,
    every_category,
    excluded_people,
)
from concerns.selectors import is_hidden_from as concern_is_hidden_from
from consent.models import ClientInformedRecord, SharingDecision
from consent.selectors import client_informed_for_concern, sharing_decisions_for_concern
from escalation.kept_statements import KeptStatements
from escalation.models import (
    BreakGlassGrant,
    ClosureRecord,
    ExternalReferral,
    LadoTask,
    ReporterFeedback,
    TriageRecord,
)
from escalation.packs.models import ReferralPack

# --- The queue ----------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50
# Counts stop here: a lead needs "more than 1000", not an exact count over every open concern.
COUNT_CAP = 1000
# Concerns a search may match before visibility and filters apply (the list shows the cap).
SEARCH_MATCH_CAP = 2000

STATUS_CLOSED = ConcernStatus.CLOSED.value
OWNER_MINE = "mine"
OWNER_NOBODY = "none"
RISK_NOT_RATED = "none"

# What "Time left" counts down to, in the fewest words ("LADO: 3 h left").
DEADLINE_SHORT_LABELS = {
    ObligationKind.ACKNOWLEDGE_CONCERN: gettext_lazy("Acknowledge"),
    ObligationKind.DECIDE_CONCERN: gettext_lazy("Decision"),
    ObligationKind.REFERRAL_RESPONSE: gettext_lazy("Response"),
    ObligationKind.WRITTEN_CONFIRMATION: gettext_lazy("Written confirmation"),
    ObligationKind.LADO_TASK: gettext_lazy("LADO"),
    ObligationKind.CLIENT_INFORMED_REVIEW: gettext_lazy("Telling the client"),
    ObligationKind.SHARING_REVIEW: gettext_lazy("Sharing review"),
    ObligationKind.LIMITS_REVISIT: gettext_lazy("Limits review"),
}


def deadline_short_label(kind: str) -> str:
    return str(DEADLINE_SHORT_LABELS.get(kind, gettext_lazy("Deadline")))  # type: ignore[call-overload]


def _due_order() -> tuple:
    return (F("next_due_at").asc(nulls_last=True), F("submitted_at").asc(), F("id").asc())


# Each column's order, ascending; descending is the exact reverse, so one index serves both
# (read backwards). A ranked column (urgency, status, risk) orders by the same expression its
# index is built on (concerns.models.QUEUE_INDEXES), then by the earliest deadline.
QUEUE_SORTS: dict[str, Callable[[], tuple]] = {
    "due": _due_order,
    "reference": lambda: (F("reference").asc(),),
    "received": lambda: (F("submitted_at").asc(), F("id").asc()),
    "urgency": lambda: (urgency_rank().asc(), *_due_order()),
    "team": lambda: (F("team__name").asc(), F("team_id").asc(), *_due_order()),
    "reporter": lambda: (F("reporter__full_name").asc(), F("reporter_id").asc(), *_due_order()),
    "status": lambda: (status_rank().asc(), *_due_order()),
    "risk": lambda: (risk_rank().asc(), *_due_order()),
    "owner": lambda: (F("owner__full_name").asc(nulls_last=True), F("owner_id").asc(nulls_last=True), *_due_order()),
}
DEFAULT_SORT = "due"


def _reversed(order: OrderBy) -> OrderBy:
    copy = order.copy()
    copy.reverse_ordering()
    return copy


@dataclass(frozen=True)
class QueueFilters:
    """What the lead asked the queue for; every field comes from (and goes back into) the URL."""

    status: str = ""  # "": every open status; one status; or "closed"
    closed_from: date | None = None
    closed_to: date | None = None
    urgency: str = ""
    nation: str = ""
    team: int | None = None
    category: str = ""
    risk: str = ""  # a RiskRating, or RISK_NOT_RATED
    owner: str = ""  # OWNER_MINE, OWNER_NOBODY, or a lead's id
    due_kind: str = ""  # the kind of deadline due next (an ObligationKind)
    overdue: bool = False
    chase: bool = False  # an agency's response to a referral is overdue
    search: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False

    @property
    def closed(self) -> bool:
        return self.status == STATUS_CLOSED


# What a queue row shows (escalation/queue/_rows.html), and nothing else.
QUEUE_ROW_FIELDS = (
    "reference",
    "submitted_at",
    "urgency",
    "jurisdiction",
    "status",
    "acknowledged_at",
    "closed_at",
    "next_due_at",
    "next_due_kind",
    "risk_rating",
    "category_codes",
    "team__name",
    "reporter__full_name",
    "reporter__email",
    "owner__full_name",
    "owner__email",
)
# The same, as values for the page's rows (escalation.queue_rows), with the row's annotation.
QUEUE_ROW_VALUES = ("id", *QUEUE_ROW_FIELDS, "owner_id", "chase")


def _lead_concerns(user: User) -> QuerySet[Concern]:
    """The concerns of the teams ``user`` covers that they may see: need to know and the
    staff-allegation rule come from concerns_visible_to alone (a break-glass grant opens one
    concern's page; it does not put the concern in the queue)."""
    concerns = concerns_visible_to(user)
    team_ids = covered_team_ids(user)
    if team_ids is not None:
        concerns = concerns.filter(team_id__any_of=team_ids)
    return concerns


def _overdue_referral(now: datetime) -> Exists:
    """Per row, for the 50 rows a page shows (the "Chase" badge)."""
    return Exists(
        ExternalReferral.objects.filter(
            concern=OuterRef("pk"), response_received_at__isnull=True, response_due_at__lt=now
        )
    )


def _concerns_to_chase(now: datetime) -> QuerySet:
    """The ids of concerns waiting on an overdue agency response, read from the referrals' own
    partial index: as a filter or a count, an EXISTS per concern would pass over every open
    concern to find the few that match."""
    return (
        ExternalReferral.objects.filter(response_received_at__isnull=True, response_due_at__lt=now)
        .order_by()
        .values("concern_id")
    )


def search_matches(term: str) -> QuerySet:
    """Ids of concerns a search term may mean, any of: a reference (or its beginning), a client's
    reference or pseudonym ("Client 123"), an alleged person's name (pg_trgm: a name with a part
    spelt like the term, GIN trigram index) or a reporter's name or email. Only ids: the caller applies visibility."""
    term = " ".join(term.split())
    client_reference = term[len("client ") :] if term.lower().startswith("client ") else term
    # No ordering in the parts of a union: the models' default orders would add joins and sorts.
    concerns = Concern.objects.order_by()
    by_reference = concerns.filter(reference__startswith=term.upper()).values_list("id", flat=True)
    by_client = concerns.filter(client__reference__iexact=client_reference).values_list("id", flat=True)
    reporters = User.objects.order_by().filter(Q(full_name__icontains=term) | Q(email__iexact=term)).values("id")
    by_reporter = concerns.filter(reporter_id__in=reporters).values_list("id", flat=True)
    # Both operators use the trigram index: %> for a name with a part spelt like the term (word
    # similarity: "Jonathon Smithers" and "smithers" find "Jonathan Smithers", where whole-name
    # similarity also matched thousands of names sharing only a first name), and a case-blind
    # regular expression of the escaped term for part of a name (``icontains`` would compare
    # upper() of the name, which the index does not hold).
    by_alleged = (
        AllegedPerson.objects.order_by()
        .filter(Q(name__trigram_word_similar=term) | Q(name__iregex=re.escape(term)))
        .values_list("concern_id", flat=True)
    )
    return by_reference.union(by_client, by_reporter, by_alleged)


class _ArrayOf(Func):
    """``ARRAY(subquery)``: a subquery that refers to nothing outside it, which PostgreSQL runs
    once (an InitPlan) before the statement around it reads a row."""

    template = "ARRAY(%(expressions)s)"


def search_match_array(term: str) -> _ArrayOf:
    """The ids of the concerns ``term`` may mean (search_matches, up to SEARCH_MATCH_CAP), as one
    array inside the rows' (or the total's) own statement: its concerns are then probed by
    primary key. As ``IN (subquery)`` the planner ran the search inside the page's walk of its
    index; read first as a statement of its own, it was a round trip more on every search."""
    return _ArrayOf(Subquery(search_matches(term)[:SEARCH_MATCH_CAP]))


def queue_for_lead(
    user: User,
    filters: QueueFilters | None = None,
    *,
    now: datetime | None = None,
    counting: bool = False,
) -> QuerySet:
    """The concerns of the teams ``user`` covers, as ``filters`` ask: open ones earliest unmet
    deadline first by default; closed ones most recently closed first.

    Starts from concerns_visible_to, so a concern the lead may not know of (another team's, or
    one about the lead themselves as alleged person) never appears. Everything each row shows
    is joined, annotated or prefetched: a fixed number of queries for any number of rows (a
    search's matches are read inside the same statement). ``counting`` plans it for a capped
    count instead of a page (it only changes how the chase filter is read).
    """
    filters = filters or QueueFilters()
    now = now or timezone.now()
    concerns = _lead_concerns(user)
    if filters.closed:
        concerns = concerns.filter(status=STATUS_CLOSED)
        if filters.closed_from:
            concerns = concerns.filter(closed_at__gte=_start_of(filters.closed_from))
        if filters.closed_to:
            concerns = concerns.filter(closed_at__lt=_start_of(filters.closed_to + timedelta(days=1)))
    else:
        concerns = concerns.filter(status__in=OPEN_STATUSES)
        if filters.status:
            concerns = concerns.alias(status_rank=status_rank()).filter(status_rank=_rank(STATUS_ORDER, filters.status))
    concerns = (
        concerns.select_related("team", "reporter", "owner")
        # A row shows a handful of columns: the concern's account (its longest text) stays in the table.
        # Its categories are the codes on the row, named from the cached category lists.
        .only(*QUEUE_ROW_FIELDS)
        # next_due_at and next_due_kind are the earliest open deadline, kept by a trigger on the
        # deadline table: orders and filters come from the queue's indexes, not a subquery per row.
        .annotate(due_at=F("next_due_at"), chase=_overdue_referral(now))
    )
    if filters.urgency:
        concerns = concerns.alias(urgency_rank=urgency_rank()).filter(
            urgency_rank=_rank(URGENCY_ORDER, filters.urgency)
        )
    if filters.nation:
        concerns = concerns.filter(jurisdiction=filters.nation)
    if filters.team:
        concerns = concerns.filter(team_id=filters.team)
    if filters.category:
        # The row's copy of its codes, from the open concerns' GIN index: a search of the links
        # hashed every link of the category, closed concerns' included.
        concerns = concerns.filter(category_codes__contains=[filters.category])
    if filters.risk:
        rating = "" if filters.risk == RISK_NOT_RATED else filters.risk
        concerns = concerns.alias(risk_rank=risk_rank()).filter(risk_rank=_rank(RISK_ORDER, rating))
    if filters.owner == OWNER_MINE:
        concerns = concerns.filter(owner=user)
    elif filters.owner == OWNER_NOBODY:
        concerns = concerns.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        concerns = concerns.filter(owner_id=int(filters.owner))
    if filters.due_kind:
        concerns = concerns.filter(next_due_kind=filters.due_kind)
    if filters.overdue:
        concerns = concerns.filter(next_due_at__lt=now)
    if filters.chase:
        chased = _concerns_to_chase(now)
        # The page's rows walk the order's index and keep those an overdue referral names (a
        # hashed set; it stops after a page). A count up to the cap instead probes the concerns
        # the referrals name: the walk would pass over nearly every open concern to reach it.
        concerns = concerns.filter(_is_one_of(chased) if counting else _is_in_hashed_set(chased))
    if filters.search.strip():
        # One array (any_of): the primary key is probed for each id, so a capped count stops early.
        concerns = concerns.filter(pk__any_of=search_match_array(filters.search))
    return concerns.order_by(*_queue_order(filters))


# The queue's page statements, compiled once and kept per process: a lead asks for the same
# page again (its refresh, going back to it after a concern), and only the time moves.
_queue_pages = KeptStatements()


def queue_page_rows(user: User, filters: QueueFilters, *, now: datetime, first: int, top: int) -> list[dict]:
    """Rows ``first`` to ``top`` (exclusive) of queue_for_lead(user, filters) at ``now``, as
    dictionaries of QUEUE_ROW_VALUES.

    The key of a kept statement is everything it is built from but the time: the person and
    what decides their access (their roles, whether they cover every team, which teams), the
    filters, the rows asked for, and the time zone that turns the closed-date filters into moments.
    """
    if not user.is_authenticated:
        return []
    team_ids = covered_team_ids(user)
    key = (
        user.pk,
        user.role_names,
        user.covers_all_teams,
        None if team_ids is None else tuple(team_ids),
        filters,
        first,
        top,
        timezone.get_current_timezone_name(),
    )

    def build(at: datetime) -> QuerySet:
        concerns = queue_for_lead(user, filters, now=at)
        return first_rows_of(concerns, filters, top)[first:top].values(*QUEUE_ROW_VALUES)

    return _queue_pages.rows(key, build, now=now)


def queue_total(user: User, filters: QueueFilters, *, now: datetime | None = None) -> int:
    """How many concerns ``filters`` select for ``user`` (queue_for_lead's rows), counted up to
    COUNT_CAP + 1: a lead needs "more than 1000", not a count of every open concern.

    The queue page does not wait for it: the page reads one row more than it shows to know
    whether a next page exists, and loads this count beside itself (escalation.views.queue_total).
    """
    concerns = queue_for_lead(user, filters, now=now, counting=True)
    # No ORDER BY: a sliced count keeps its order, which for an order by a name sorted every
    # row; how many there are (up to the cap) does not depend on the order.
    return concerns.order_by().values("pk")[: COUNT_CAP + 1].count()


def first_rows_of(concerns: QuerySet, filters: QueueFilters, rows: int) -> QuerySet:
    """``concerns`` (from queue_for_lead with the same filters) narrowed to at least its first
    ``rows`` rows in the asked order, so that a page up to that row reads from an index.

    Only an order by a joined name needs it: ``_first_by_name`` walks the teams or people in
    name order. Every other order already reads its first page from an index.
    """
    if filters.sort not in NAME_SORTS:
        return concerns
    return concerns.filter(pk__in=_first_by_name(concerns.order_by(), filters, rows))


# Orders by a joined name: (the table walked in name order, the concern's column naming it).
NAME_SORTS = {
    "team": ("accounts_team", "name", "team_id"),
    "reporter": ("accounts_user", "full_name", "reporter_id"),
    "owner": ("accounts_user", "full_name", "owner_id"),
}


def _first_by_name(concerns: QuerySet, filters: QueueFilters, limit: int) -> RawSQL:
    """The ids of the first ``limit`` concerns in a name order, found by walking the teams or
    people in name order and reading each one's concerns from its queue index (a LATERAL join):
    ordering by a joined name otherwise sorts every concern the lead may see.

    The page's own ORDER BY then sorts these few rows. Unowned concerns (the owner order's
    NULLs) come after the owners, or first when reversed.
    """
    table, name_column, concern_column = NAME_SORTS[filters.sort]
    direction = "DESC" if filters.descending else "ASC"
    due = [f"next_due_at {direction} NULLS {'FIRST' if filters.descending else 'LAST'}"]
    due += [f"submitted_at {direction}", f"id {direction}"]
    limit = int(limit)
    ids_only = concerns.order_by().values("id", "next_due_at", "submitted_at")
    per_walked, per_walked_params = ids_only.filter(**{concern_column: RawSQL("walked.id", ())}).query.sql_with_params()
    walk = (
        f"SELECT walked.{name_column} AS name, walked.id AS walked_id, named.*"
        # Ordering by the (constant) naming column too makes its queue index the natural path.
        f" FROM {table} AS walked CROSS JOIN LATERAL ({per_walked}"
        f" ORDER BY {concern_column} {direction}, {', '.join(due)} LIMIT {limit}) AS named"
        # Most people own or report nothing: skip them by the foreign key's index.
        f" WHERE EXISTS (SELECT 1 FROM {Concern._meta.db_table} AS any_concern"
        f" WHERE any_concern.{concern_column} = walked.id)"
        f" ORDER BY walked.{name_column} {direction}, walked.id {direction}, {', '.join(f'named.{o}' for o in due)}"
        f" LIMIT {limit}"
    )
    params = list(per_walked_params)
    if filters.sort == "owner":
        nobody, nobody_params = ids_only.filter(owner__isnull=True).query.sql_with_params()
        nobody_first = filters.descending
        walk = (
            f"SELECT id FROM (SELECT {1 if nobody_first else 0} AS grp, * FROM ({walk}) AS owned"
            f" UNION ALL SELECT {0 if nobody_first else 1}, NULL, NULL, * FROM ({nobody}"
            f" ORDER BY owner_id {direction}, {', '.join(due)} LIMIT {limit}) AS unowned) AS both_groups"
            f" ORDER BY grp, name {direction}, walked_id {direction}, {', '.join(due)} LIMIT {limit}"
        )
        params += list(nobody_params)
    else:
        walk = f"SELECT id FROM ({walk}) AS walked_in_order"
    # Compiled from querysets and fixed names; every value is a parameter.
    return RawSQL(walk, params)  # noqa: S611  # nosec B611


def _queue_order(filters: QueueFilters) -> tuple:
    if filters.closed and filters.sort == DEFAULT_SORT:
        # The closed list reads newest closure first from its own index.
        order = (F("closed_at").desc(), F("id").desc())
        return tuple(_reversed(o) for o in order) if filters.descending else order
    order = QUEUE_SORTS.get(filters.sort, QUEUE_SORTS[DEFAULT_SORT])()
    return tuple(_reversed(o) for o in order) if filters.descending else order


def _rank(order: list, value: str) -> int:
    values = [str(v) for v in order]
    return values.index(value) if value in values else len(values)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class QueueCount:
    key: str
    label: str
    count: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


@dataclass(frozen=True)
class QueueCounts:
    by_status: list[QueueCount]
    overdue_by_kind: list[QueueCount]
    chase: QueueCount


def _id_condition(template: str, ids: QuerySet) -> RawSQL:
    """A condition on the concern's id against the ids ``ids`` selects: ``template`` places the
    id column as ``{id}`` and the compiled subquery as ``{ids}``."""
    sql, params = ids.query.sql_with_params()
    column = f'"{Concern._meta.db_table}"."id"'
    # Compiled from a queryset; every value is a parameter.
    return RawSQL(  # noqa: S611  # nosec B611
        template.format(id=column, ids=sql), params, output_field=BooleanField()
    )


def _is_one_of(ids: QuerySet) -> RawSQL:
    """``id = ANY(ARRAY(ids))``: the planner probes the concerns' primary key for each id and a
    capped count stops early, where ``id IN (ids)`` was planned as a pass over every concern."""
    return _id_condition("{id} = ANY(ARRAY({ids}))", ids)


def _is_in_hashed_set(ids: QuerySet) -> RawSQL:
    """``(id IN (ids)) IS TRUE``: the ids are read once into a hashed set that each row of an
    index walk is checked against. A bare ``IN`` is planned as a join instead, and with a
    million concerns (nine in ten closed) the planner misjudged how many open ones a lead sees
    and joined every one of them before sorting (290 ms, against 4 ms for the walk)."""
    return _id_condition("(({id} IN ({ids})) IS TRUE)", ids)


def _compiled_where(queryset: QuerySet) -> tuple[str, list]:
    """``SELECT id FROM concerns_concern WHERE ...`` of ``queryset``, ending in its WHERE clause so
    that a caller can add conditions: compiling the visibility check is most of a count's CPU."""
    query = queryset.order_by().values("pk").query
    # Unsliced, unordered, ungrouped: nothing comes after the WHERE clause. Django puts a clause
    # of more than one condition in parentheses, so an added ``AND`` applies to all of it.
    if query.is_sliced or query.group_by or not query.where:
        raise ValueError("Only a filtered, unsliced query of rows can take more conditions.")
    sql, params = query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def queue_counts(user: User, *, now: datetime | None = None) -> QueueCounts:
    """How many of the lead's open concerns are in each status, how many are overdue by the
    kind of deadline due next, and how many wait on an overdue agency response: each capped at
    COUNT_CAP + 1, all in one query. Built on the same visibility as the rows.

    Planning fifteen copies of the visibility check cost more than running them: the statuses
    share one correlated count, run once per status, and the kinds another. The check is
    compiled once; each part adds its own condition to it.
    """
    now = now or timezone.now()
    visible, visible_params = _compiled_where(_lead_concerns(user).filter(status__in=OPEN_STATUSES))
    chased, chased_params = _concerns_to_chase(now).query.sql_with_params()
    table = Concern._meta.db_table
    limit = f" LIMIT {COUNT_CAP + 1}"
    statuses = [str(s) for s in STATUS_ORDER if s in OPEN_STATUSES]
    kinds = [str(kind) for kind in DEADLINE_SHORT_LABELS]
    # Each part is the visible concerns' WHERE clause, AND one condition of its own; every value
    # is a parameter (the visibility's own, then the part's).
    sql = (
        f"SELECT 'status', wanted.value, (SELECT count(*) FROM ({visible}"
        f' AND "{table}"."status" = wanted.value{limit}) AS part)'
        " FROM unnest(%s::text[]) AS wanted(value)"
        f" UNION ALL SELECT 'overdue', wanted.value, (SELECT count(*) FROM ({visible}"
        f' AND "{table}"."next_due_kind" = wanted.value AND "{table}"."next_due_at" < %s{limit}) AS part)'
        " FROM unnest(%s::text[]) AS wanted(value)"
        f" UNION ALL SELECT 'chase', 'chase', (SELECT count(*) FROM ({visible}"
        f' AND "{table}"."id" = ANY(ARRAY({chased})){limit}) AS part)'
    )
    params = [*visible_params, statuses, *visible_params, now, kinds, *visible_params, *chased_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    labels = dict(ConcernStatus.choices)
    counted = {(group, key): count for group, key, count in rows}
    return QueueCounts(
        by_status=[QueueCount(key, str(labels[key]), counted[("status", key)]) for key in statuses],
        overdue_by_kind=[QueueCount(key, deadline_short_label(key), counted[("overdue", key)]) for key in kinds],
        chase=QueueCount("chase", gettext("Agency response overdue"), counted[("chase", "chase")]),
    )


# The queue's owner filter lists the leads who may own the concerns: the same list at every
# sort, filter and refresh, and its query was a tenth of the page's time. A new lead, or a
# changed name, reaches the list within this many seconds; the filter itself reads the concerns.
OWNER_CHOICES_SECONDS = 60


def _owner_choices_key(user: User) -> str:
    return person_cache_key("queue-owner-choices:v1", user.pk, user.date_joined)


def queue_owner_choices(user: User) -> list[tuple[int, str]]:
    """(id, name) of the leads and deputies who may own the concerns of the teams ``user`` covers,
    kept for OWNER_CHOICES_SECONDS."""
    key = _owner_choices_key(user)
    cached = cache.get(key)
    if cached is not None:
        return cached
    team_ids = covered_team_ids(user)
    leads = users_with_role(*LEAD_ROLES)
    if team_ids is not None:
        leads = leads.filter(Q(covers_all_teams=True) | Q(covered_teams__in=team_ids))
    rows = leads.distinct().order_by("full_name", "email").values_list("pk", "full_name", "email")
    choices = [(pk, full_name or email) for pk, full_name, email in rows]
    cache.set(key, choices, OWNER_CHOICES_SECONDS)
    return choices


@dataclass(frozen=True)
class QueueFilterLists:
    """What the queue's filter form offers ``user``: their teams, every category (retired ones
    too, which the rows still name), and the people who may own their concerns."""

    teams: list[tuple[int, str]]
    categories: list
    owners: list[tuple[int, str]]


def queue_filter_lists(user: User) -> QueueFilterLists:
    """The three lists, asked of the cache in one round trip; each one missing is read as its
    own selector reads it (and kept). A lead of some teams reads theirs from PostgreSQL."""
    owners_key = _owner_choices_key(user)
    keys = [ACTIVE_CATEGORIES_KEY, owners_key]
    if user.covers_all_teams:
        keys.append(TEAM_NAMES_KEY)
    found = cache.get_many(keys)
    categories = found[ACTIVE_CATEGORIES_KEY] if ACTIVE_CATEGORIES_KEY in found else every_category()
    owners = found[owners_key] if owners_key in found else queue_owner_choices(user)
    return QueueFilterLists(
        teams=covered_team_names(user, every_team=found.get(TEAM_NAMES_KEY)),
        categories=categories,
        owners=owners,
    )


# --- One concern, for a lead ----------------------------------------------------------------


def is_hidden_from(user: User, concern_id: int) -> bool:
    """A concern about ``user`` (or one they declared a conflict on) is never shown to them,
    break-glass or not (``concerns.selectors.concern_ids_hidden_from``)."""
    return concern_is_hidden_from(user, concern_id)


def break_glass_concern_ids(user: User):
    """A lead's live break-glass grants open the concern page too: registered with
    concerns.selectors.register_extra_access, so concerns need not import this layer."""
    if not user.is_lead:
        return None
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=Now()).values("concern_id")


def concern_for_lead(user: User, concern_id: int) -> Concern | None:
    """A concern the lead may work on (their covered teams, or a live break-glass grant), or None.

    concerns_visible_to already includes live grants (registered access provider) and excludes
    any concern about the lead themselves.
    """
    if not user.is_authenticated or not user.is_lead:
        return None
    return (
        concerns_visible_to(user)
        .select_related("team", "reporter", "owner", "acknowledged_by", "client")
        .filter(pk=concern_id)
        .first()
    )


def get_concern_for_lead(user: User, concern_id: int) -> Concern:
    """For views: the concern, or 404 exactly as for a concern that does not exist."""
    concern = concern_for_lead(user, concern_id)
    if concern is None:
        raise Http404("No such concern.")
    return concern


def is_case_file_reader(user: User) -> bool:
    """Leads work on a case file; managers read it (oversight: they must be able to check what
    was decided and why), never act on it."""
    return user.is_authenticated and (user.is_lead or user.has_role(Role.MANAGER))


def case_file_concern(user: User, concern_id: int) -> Concern | None:
    """The concern whose case file ``user`` may read, or None.

    A lead: exactly the concerns they may work on. A manager: any concern of the organisation
    except one about themselves (as for everyone, a concern naming them is hidden from them).
    """
    if not user.is_authenticated:
        return None
    if user.is_lead:
        concern = concern_for_lead(user, concern_id)
        if concern is not None or not user.has_role(Role.MANAGER):
            return concern
    if not user.has_role(Role.MANAGER):
        return None
    return (
        Concern.objects.exclude(pk__in=concern_ids_hidden_from(user))
        .select_related("team", "reporter", "owner", "acknowledged_by", "client")
        .filter(pk=concern_id)
        .first()
    )


def get_case_file_concern(user: User, concern_id: int) -> Concern:
    """For views: the concern, or 404 exactly as for a concern that does not exist."""
    concern = case_file_concern(user, concern_id)
    if concern is None:
        raise Http404("No such concern.")
    return concern


def can_act_on(user: User, concern: Concern) -> bool:
    """Whether the case file offers its workflow actions: only to a lead who may work on it."""
    return user.is_lead and concern_for_lead(user, concern.pk) is not None


def concern_named_by_url(match) -> Concern | None:
    """The concern a referral's or a referral pack's URL is about (audit.subjects), to record a
    refused attempt against it. No access check: nothing of it is shown."""
    concern_id: int | None
    if isinstance(match.kwargs.get("referral_id"), int):
        concern_id = (
            ExternalReferral.objects.filter(pk=match.kwargs["referral_id"]).values_list("concern_id", flat=True).first()
        )
    elif isinstance(match.kwargs.get("pack_id"), int):
        concern_id = (
            ReferralPack.objects.filter(pk=match.kwargs["pack_id"]).values_list("concern_id", flat=True).first()
        )
    else:
        return None
    return None if concern_id is None else Concern.objects.filter(pk=concern_id).only("id", "reference").first()


def break_glass_candidate(user: User, *, concern_id: int) -> Concern | None:
    """A concern this lead could open only through break-glass; None for anything else."""
    if not user.is_lead or is_hidden_from(user, concern_id):
        return None
    concern = Concern.objects.select_related("team").filter(pk=concern_id).first()
    if concern is None or concerns_visible_to(user).filter(pk=concern_id).exists():
        return None
    return concern


def find_concern_by_reference(reference: str) -> Concern | None:
    return Concern.objects.filter(reference__iexact=reference.strip()).only("id", "team_id").first()


def assignable_leads(concern: Concern) -> QuerySet[User]:
    """Leads and deputies who may own the concern: its team's, never anyone it must not reach."""
    return leads_covering_team(concern.team).exclude(pk__in=excluded_people(concern)).order_by("full_name", "email")


# --- The concern's workflow state -----------------------------------------------------------


@dataclass
class WorkflowState:
    triage: TriageRecord | None
    referrals: list[ExternalReferral]
    lado_tasks: list[LadoTask]

    @property
    def open_lado_task(self) -> LadoTask | None:
        return next((t for t in self.lado_tasks if t.completed_at is None), None)


def workflow_state(concern: Concern) -> WorkflowState:
    """The latest triage, the referrals and the LADO tasks: three queries."""
    triage = concern.triage_records.select_related("recorded_by").order_by("-id").first()
    referrals = list(concern.external_referrals.select_related("made_by").order_by("referred_at", "id"))
    lado_tasks = list(concern.lado_tasks.order_by("due_at"))
    return WorkflowState(triage=triage, referrals=referrals, lado_tasks=lado_tasks)


def triage_form_initial(triage: TriageRecord | None) -> dict:
    """ "Update triage" opens on the triage in force: its rating, decision and rationales."""
    if triage is None:
        return {}
    return {
        "risk_rating": triage.risk_rating,
        "rating_rationale": triage.rating_rationale,
        "decision": triage.decision,
        "decision_rationale": triage.decision_rationale,
        "review_date": triage.review_date,
        "reporter_feedback": triage.reporter_feedback or ReporterFeedback.OUTCOME,
    }


def referral_sharing_decisions(concern: Concern) -> QuerySet[SharingDecision]:
    return concern.sharing_decisions.order_by("-decided_at", "-id")


def sharing_decision_in_force(decisions: Iterable[SharingDecision]) -> SharingDecision | None:
    """The newest decision that no later decision supersedes."""
    decisions = list(decisions)
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    live = [d for d in decisions if d.pk not in superseded]
    return max(live, key=lambda d: (d.decided_at, d.pk), default=None)


# --- The case file ----------------------------------------------------------------------------


@dataclass
class CaseFile:
    """Everything recorded on a concern that a lead (or a manager) reads back on one page."""

    triage_records: list[TriageRecord]
    referrals: list[ExternalReferral]
    sharing_decisions: list[SharingDecision]
    superseded_ids: set[int]
    informed_records: list[ClientInformedRecord]
    closures: list[ClosureRecord]


def case_file(concern: Concern) -> CaseFile:
    """The rationales, rating changes, sharing decisions in full, client-informed records,
    referrals and closures of a concern, oldest first. Six queries, whatever the history."""
    decisions = list(sharing_decisions_for_concern(concern))
    return CaseFile(
        triage_records=list(concern.triage_records.select_related("recorded_by").order_by("recorded_at", "id")),
        referrals=list(
            concern.external_referrals.select_related("made_by", "sharing_decision").order_by("referred_at", "id")
        ),
        sharing_decisions=decisions,
        superseded_ids={d.supersedes_id for d in decisions if d.supersedes_id},
        informed_records=list(client_informed_for_concern(concern)),
        closures=list(concern.closure_records.select_related("recorded_by").order_by("recorded_at", "id")),
    )


@dataclass(frozen=True)
class NewAddenda:
    """Addenda the owner has not seen: added after the owner's last view of the concern."""

    owner: User | None
    owner_last_viewed_at: datetime | None
    addenda: list[Addendum]


def addenda_new_since_owner_view(concern: Concern) -> NewAddenda:
    """Read before the current view is recorded, so the owner's own visit still sees the marks
    once. With nobody owning the concern, every addendum since submission is new. Two queries."""
    owner = concern.owner
    last_view = None
    if owner is not None:
        last_view = (
            AuditEvent.objects.filter(action=AuditAction.CONCERN_VIEWED, actor=owner, subject_ref=concern.reference)
            .order_by("-id")
            .values_list("occurred_at", flat=True)
            .first()
        )
    addenda = concern.addenda.select_related("author").order_by("created_at", "id")
    if last_view is not None:
        addenda = addenda.filter(created_at__gt=last_view)
    return NewAddenda(owner=owner, owner_last_viewed_at=last_view, addenda=list(addenda))


# --- What the clinician who raised it may read -------------------------------------------------


@dataclass(frozen=True)
class ReporterNews:
    """A decision or a closure as the reporter may read it (``ReporterFeedback`` level)."""

    what: str  # "decision" or "closure"
    recorded_at: datetime
    recorded_by: str
    outcome: str  # "" below the OUTCOME level
    agencies: tuple[str, ...]  # "" below the OUTCOME level
    rationale: str  # "" below the DETAIL level


def _news(what, record, outcome_label: str, rationale: str, agencies: tuple[str, ...]) -> ReporterNews:
    level = record.reporter_feedback or ReporterFeedback.DECISION_ONLY
    shows_outcome = level in (ReporterFeedback.OUTCOME, ReporterFeedback.DETAIL)
    return ReporterNews(
        what=what,
        recorded_at=record.recorded_at,
        recorded_by=record.recorded_by.get_full_name(),
        outcome=outcome_label if shows_outcome else "",
        agencies=agencies if shows_outcome else (),
        rationale=rationale if level == ReporterFeedback.DETAIL else "",
    )


def reporter_news(concern: Concern) -> list[ReporterNews]:
    """The decisions and closures of a concern, oldest first, each at the level its lead chose.

    The agencies are those referred to by the time of the record. Three queries.
    """
    referrals = list(concern.external_referrals.order_by("referred_at", "id"))

    def agencies_by(moment: datetime) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.agency_label for r in referrals if r.created_at <= moment))

    news = [
        _news("decision", t, t.get_decision_display(), t.decision_rationale, agencies_by(t.recorded_at))
        for t in concern.triage_records.exclude(decision="").select_related("recorded_by")
    ]
    news += [
        _news("closure", c, c.get_outcome_display(), c.rationale, agencies_by(c.recorded_at))
        for c in concern.closure_records.filter(kind=ClosureRecord.Kind.CLOSE).select_related("recorded_by")
    ]
    return sorted(news, key=lambda n: n.recorded_at)


# --- Chronology ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: datetime
    action: str
    # An audit.actions.AuditKind ("" for a code no longer registered), to filter the story by.
    kind: str
    label: str
    actor: str
    summary: str


def _chronology_entry(
    event: AuditEvent, typed_reasons: dict | None = None, other_agencies: dict | None = None
) -> ChronologyEntry:
    stored = _with_typed_reason(event, typed_reasons or {})
    # An "other" agency's name was typed: the event says "Other", the referral has the name.
    agency_name = (other_agencies or {}).get(stored.get("referral_id"))
    if agency_name and stored.get("agency") == "other":
        stored = {**stored, "agency": agency_name}
    elif agency_name and "agency" not in stored:
        stored = {**stored, "agency_label": agency_name}
    details = readable_details(event.action, stored)
    known = spec_for(event.action) is not None
    return ChronologyEntry(
        occurred_at=event.occurred_at,
        action=event.action,
        kind=action_kind(event.action) or "",
        label=action_label(event.action),
        actor=(event.actor.get_full_name() if event.actor else (event.actor_email or gettext("The portal"))),
        # The action's sentence; an old code without one shows its details as "key: value".
        summary=details.sentence if known else str(details),
    )


def concern_chronology(concern: Concern) -> list[ChronologyEntry]:
    """Every event about the concern, oldest first, read from the audit trail.

    One query for the events, and one each for the typed texts they refer to (reasons, an
    "other" agency's name), which stay in their own records.

    Labels and sentences come from the audit registry (audit.actions), like the managers' trail.
    """
    events = AuditEvent.objects.filter(subject_ref=concern.reference).select_related("actor").order_by("id")
    typed_reasons = {
        ("triage_record_id", pk): text
        for pk, text in concern.triage_records.exclude(change_reason="").values_list("pk", "change_reason")
    } | {
        ("closure_record_id", pk): text
        for pk, text in concern.closure_records.filter(kind=ClosureRecord.Kind.REOPEN).values_list("pk", "rationale")
    }
    other_agencies = dict(concern.external_referrals.exclude(agency_other="").values_list("pk", "agency_other"))
    return [_chronology_entry(event, typed_reasons, other_agencies) for event in events]


def _with_typed_reason(event: AuditEvent, typed_reasons: dict) -> dict:
    """The event's details with the reason a person typed, read from its own record.

    Audit details hold references, never typed text (they are kept forever); the chronology,
    shown to those who may read the concern, puts the reason back from the record.
    """
    details = event.details if isinstance(event.details, dict) else {}
    for key in ("triage_record_id", "closure_record_id"):
        text = typed_reasons.get((key, details.get(key)))
        if text is not None and "reason" not in details:
            return {**details, "reason": text}
    return details


@dataclass(frozen=True)
class ChronologyLine:
    """One line of the chronology: an event, or a run of views by one person collapsed into one
    ("viewed 5 times by Cara Clinician, 04:13 to 04:14") whose views expand underneath."""

    first: ChronologyEntry
    entries: tuple[ChronologyEntry, ...]

    @property
    def kind(self) -> str:
        return self.first.kind

    @property
    def occurred_at(self) -> datetime:
        return self.first.occurred_at

    @property
    def last_at(self) -> datetime:
        return self.entries[-1].occurred_at

    @property
    def is_collapsed(self) -> bool:
        return len(self.entries) > 1


def collapse_views(entries: Iterable[ChronologyEntry]) -> list[ChronologyLine]:
    """Runs of views by the same person, with nothing else between them, become one line."""
    lines: list[list[ChronologyEntry]] = []
    for entry in entries:
        previous = lines[-1][-1] if lines else None
        if (
            previous is not None
            and entry.action == previous.action == AuditAction.CONCERN_VIEWED
            and entry.actor == previous.actor
        ):
            lines[-1].append(entry)
        else:
            lines.append([entry])
    return [ChronologyLine(first=run[0], entries=tuple(run)) for run in lines]


def chronology_kinds(entries: Iterable[ChronologyEntry]) -> list[tuple[str, str]]:
    """The kinds (AuditKind) present in a chronology, in the registry's order, for its filter."""
    present = {entry.kind for entry in entries}
    return [(value, str(label)) for value, label in AuditKind.choices if value in present]


# --- Possible links ----------------------------------------------------------------------------

NAME_SIMILARITY_THRESHOLD = 0.4


@dataclass(frozen=True)
class PossibleLink:
    reference: str
    concern_id: int
    why: str


def possible_links(concern: Concern, *, viewer: User | None = None, limit: int = 20) -> list[PossibleLink]:
    """Other concerns that may be about the same people: references and a reason only, no content.

    Same client; an alleged person with a similar name (pg_trgm similarity, GIN trigram index);
    or an alleged person with the same date of birth. Four queries. A concern hidden from
    ``viewer`` (about them, or one they declared a conflict on) is never offered.
    """
    links: dict[int, list[str]] = {}
    references: dict[int, str] = {}
    hidden = (
        set(Concern.objects.filter(pk__in=concern_ids_hidden_from(viewer)).values_list("pk", flat=True))
        if viewer is not None
        else set()
    )

    def add(concern_id, reference, why):
        if concern_id == concern.pk or concern_id in hidden:
            return
        references[concern_id] = reference
        links.setdefault(concern_id, [])
        if why not in links[concern_id]:
            links[concern_id].append(why)

    if concern.client_id:
        for cid, ref in (
            Concern.objects.filter(client_id=concern.client_id)
            .exclude(pk=concern.pk)
            .values_list("id", "reference")[:limit]
        ):
            add(cid, ref, "same client")

    alleged = list(concern.alleged_persons.values("name", "date_of_birth"))
    names = [a["name"] for a in alleged if a["name"]]
    dobs = [a["date_of_birth"] for a in alleged if a["date_of_birth"]]
    if names:
        # The % operator (trigram_similar) can use the GIN trigram index; the similarity
        # annotation then applies the stricter threshold.
        near = Q()
        for name in names:
            near |= Q(name__trigram_similar=name)
        similarities = [TrigramSimilarity("name", name) for name in names]
        rows: Iterable[tuple[int, str]] = (
            AllegedPerson.objects.filter(near)
            .exclude(concern_id=concern.pk)
            .annotate(similarity=similarities[0] if len(similarities) == 1 else Greatest(*similarities))
            .filter(similarity__gt=NAME_SIMILARITY_THRESHOLD)
            .values_list("concern_id", "concern__reference")
            .distinct()[:limit]
        )
        for cid, ref in rows:
            add(cid, ref, "alleged person with a similar name")
    if dobs:
        rows = (
            AllegedPerson.objects.filter(date_of_birth__in=dobs)
            .exclude(concern_id=concern.pk)
            .values_list("concern_id", "concern__reference")
            .distinct()[:limit]
        )
        for cid, ref in rows:
            add(cid, ref, "alleged person with the same date of birth")
    return [PossibleLink(reference=references[cid], concern_id=cid, why=", ".join(whys)) for cid, whys in links.items()]


def status_choices():
    return [(s, label) for s, label in ConcernStatus.choices if s in OPEN_STATUSES]


# --- Our own people and conflicts of interest ---------------------------------------------------


@dataclass(frozen=True)
class StaffIdentification:
    alleged: str
    staff: str
    by: str  # "" when named at intake
    when: datetime | None
    reason: str


def staff_panel(concern: Concern) -> dict:
    """Who among the alleged people works here (named at intake or linked later), the conflicts
    of interest declared, and whether anyone is left to link. Three queries."""
    alleged_people = list(concern.alleged_persons.select_related("staff_member").order_by("position", "id"))
    links = {
        link.alleged_person_id: link
        for link in StaffLink.objects.filter(concern=concern).select_related("staff_member", "linked_by")
    }
    identifications = []
    for person in alleged_people:
        if person.staff_member is not None:
            identifications.append(
                StaffIdentification(
                    alleged=str(person),
                    staff=person.staff_member.get_full_name(),
                    by=gettext("the person who raised it"),
                    when=concern.submitted_at,
                    reason="",
                )
            )
        elif person.pk in links:
            link = links[person.pk]
            identifications.append(
                StaffIdentification(
                    alleged=str(person),
                    staff=link.staff_member.get_full_name(),
                    by=link.linked_by.get_full_name(),
                    when=link.linked_at,
                    reason=link.reason,
                )
            )
    return {
        "concern": concern,
        "links": identifications,
        "conflicts": list(
            ConflictOfInterest.objects.filter(concern=concern).select_related("person").order_by("declared_at")
        ),
        "can_link": any(p.staff_member_id is None and p.pk not in links for p in alleged_people),
    }

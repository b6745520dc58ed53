"""Reads of concerns, including the access checks (404 for what the user may not see)."""

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import Team, User
from accounts.selectors import covered_team_ids
from concerns.models import (
    Addendum,
    AllegedPerson,
    Concern,
    ConcernCategory,
    ConcernDraft,
    ConflictOfInterest,
    StaffLink,
    YesNoUnknown,
)
from consent.selectors import clients_for_user

# Higher layers may grant further, time-limited access (escalation's break-glass) without this
# layer importing them: each registered provider returns a queryset of concern ids, never a list
# read in Python. The queryset is read when its statement runs, and a compiled statement may be
# kept and run again later (the queue's pages are).
_extra_access_providers: list = []


def register_extra_access(provider) -> None:
    """Register ``provider(user) -> QuerySet of concern ids | None`` (called from AppConfig.ready)."""
    if provider not in _extra_access_providers:
        _extra_access_providers.append(provider)


# What the person filing is told about timescales and who was alerted comes from the escalation
# policies and the alerts, which sit above this layer: the alerts app registers its provider here
# (AppConfig.ready). Without one (this layer alone), intake says nothing it cannot know.
_intake_information: dict = {}


def register_intake_information(*, urgency_meanings, first_notice, first_deadline=None) -> None:
    """Register ``urgency_meanings(*, team) -> {urgency: words}`` (each urgency's real times under
    the policies in force), ``first_notice(concern)`` (an object with ``told``: the names of the
    people actually alerted, ``acknowledge_by``: a datetime or None, ``meaning``: the urgency's
    words) and ``first_deadline(concern)`` (an object with ``kind`` and ``due_at``: the deadline a
    concern about to be written will open, which its row is written with)."""
    _intake_information.update(
        urgency_meanings=urgency_meanings, first_notice=first_notice, first_deadline=first_deadline
    )


def knows_urgency_meanings() -> bool:
    """Whether ``urgency_meanings`` has anything to say (a provider is registered), without asking it."""
    return "urgency_meanings" in _intake_information


def urgency_meanings(*, team=None) -> dict[str, str]:
    provider = _intake_information.get("urgency_meanings")
    return provider(team=team) if provider else {}


def first_notice(concern: Concern):
    provider = _intake_information.get("first_notice")
    return provider(concern) if provider else None


def first_deadline(concern: Concern):
    provider = _intake_information.get("first_deadline")
    return provider(concern) if provider else None


# The category lists change only when an administrator edits them, yet the queue lists them
# in its category filter and names each row's categories on every visit. Kept in the cache,
# dropped at each change through the model (``forget_active_categories``); the timeout bounds
# what any other path could leave stale.
ACTIVE_CATEGORIES_KEY = "concerns:categories:v2"
ACTIVE_CATEGORIES_SECONDS = 300


def every_category() -> list[tuple[str, str, str, list[str], bool]]:
    """(code, label, population, nations, active) of every category, retired ones too, in the
    lists' order. A page that both lists and names categories reads this once and passes it on."""
    rows = cache.get(ACTIVE_CATEGORIES_KEY)
    if rows is None:
        every = ConcernCategory.objects.order_by("order", "label")
        rows = list(every.values_list("code", "label", "population", "nations", "active"))
        cache.set(ACTIVE_CATEGORIES_KEY, rows, ACTIVE_CATEGORIES_SECONDS)
    return rows


def active_categories(every=None) -> list[tuple[str, str, str, list[str]]]:
    """(code, label, population, nations) of every active category, in the lists' order."""
    return [
        (code, label, population, nations)
        for code, label, population, nations, active in (every_category() if every is None else every)
        if active
    ]


def category_labels(every=None) -> dict[str, str]:
    """Each category's label by its code, retired categories' too (older concerns keep them)."""
    return {code: label for code, label, *_ in (every_category() if every is None else every)}


def forget_active_categories(**kwargs) -> None:
    """Connected to ConcernCategory's saves and deletes: at once, and again when the change
    commits, so a read of the old rows while it was in flight cannot keep them."""
    cache.delete(ACTIVE_CATEGORIES_KEY)
    transaction.on_commit(lambda: cache.delete(ACTIVE_CATEGORIES_KEY))


def intake_team(user):
    """The team a new concern goes to before a client is chosen (as the submit service decides)."""
    return user.teams.order_by("name").first()


def concern_ids_hidden_from(user) -> QuerySet:
    """Ids of the concerns that must never reach ``user``, whatever else they are: those naming
    them as an alleged person (at intake or identified later) and those they declared a conflict
    of interest on. The one place this rule lives: every reader of concerns (lists, counts, search,
    open by reference, client pages, possible links, the trail, dashboards, notifications) goes
    through it, directly or through ``concerns_visible_to``.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Concern.objects.none().values("pk")
    # A union of three index lookups by person, never a pass over every concern: readers use it
    # as ``exclude(pk__in=...)`` on every list, count and badge.
    named = AllegedPerson.objects.filter(staff_member=user).order_by().values("concern_id")
    linked = StaffLink.objects.filter(staff_member=user).order_by().values("concern_id")
    conflicted = ConflictOfInterest.objects.filter(person=user).order_by().values("concern_id")
    return named.union(linked, conflicted, all=True)


# concern_ids_hidden_from's text is the same for every person: only their id varies, once per
# part. Compiled here once per process (the text, and how many times the id appears).
_hidden_from_sql: tuple[str, int] | None = None


def concern_ids_hidden_from_sql(user) -> tuple[str, list]:
    """``concern_ids_hidden_from(user)`` as SQL and parameters: for ``concerns_visible_to`` and
    the statements written by hand (the bell's count on every page and poll, the dashboards).
    Compiling its three-part union through the ORM cost more CPU than the bell's count."""
    global _hidden_from_sql
    if user is None or not getattr(user, "is_authenticated", False):
        sql, params = concern_ids_hidden_from(user).query.sql_with_params()
        return sql, list(params)
    if _hidden_from_sql is None:
        sql, params = concern_ids_hidden_from(user).query.sql_with_params()
        if list(params) != [user.pk] * len(params):
            # Not the expected shape (the rule grew a parameter of its own): compile every time.
            return sql, list(params)
        _hidden_from_sql = (sql, len(params))
    sql, uses = _hidden_from_sql
    return sql, [user.pk] * uses


def references_hidden_from(user) -> QuerySet:
    """The references of ``concern_ids_hidden_from(user)`` (the audit trail reads by reference)."""
    return Concern.objects.filter(pk__in=concern_ids_hidden_from(user)).values("reference")


def is_hidden_from(user, concern_id) -> bool:
    return Concern.objects.filter(pk=concern_id).filter(pk__in=concern_ids_hidden_from(user)).exists()


def concerns_visible_to(user) -> QuerySet[Concern]:
    """Need to know: authors see their own; leads see the teams they cover.

    A concern about one of our own staff (named at intake or identified later) or on which a
    person declared a conflict of interest is hidden from that person whatever else they are,
    including a lead covering the team or its author (``concern_ids_hidden_from``).
    """
    if not user.is_authenticated:
        return Concern.objects.none()
    visible = Q(reporter=user)
    if user.is_lead:
        team_ids = covered_team_ids(user)
        # An organisation-wide lead (None) covers every team. (An empty Q() would be dropped
        # from the OR and hide everything but their own reports.)
        visible |= Q(pk__isnull=False) if team_ids is None else Q(team_id__any_of=team_ids)
    for provider in _extra_access_providers:
        granted_ids = provider(user)
        if granted_ids is not None:
            visible |= Q(pk__in=granted_ids)
    # The hidden rule as compiled once per process: every list, count and page of concerns
    # starts here, and compiling its three-part union again was a sizeable part of building them.
    # The SQL is the ORM's own; the person's id is a parameter.
    hidden_sql, hidden_params = concern_ids_hidden_from_sql(user)
    hidden = RawSQL(hidden_sql, hidden_params)  # noqa: S611  # nosec B611
    return Concern.objects.filter(visible).exclude(pk__in=hidden)


# Set on a concern by ``as_submitted`` while ``concern_submitted`` is sent: its alleged persons as
# the submit service has just written them.
_AS_SUBMITTED = "_alleged_persons_as_submitted"


@contextmanager
def as_submitted(concern: Concern, *, alleged_persons: Iterable[AllegedPerson]) -> Iterator[None]:
    """While the block runs, the questions below about ``concern`` are answered from the alleged
    persons its submit has just written, not read back. Only the submit service uses it, around
    ``concern_submitted``: a concern its own transaction has only just written has no staff link
    and no conflict of interest yet, so its parts are the whole answer. Its receivers ask both
    questions (who the first notice must never reach, whether a LADO task is needed), and these
    reads were a tenth of the submit's statements. Nothing in the block may link staff to it."""
    setattr(concern, _AS_SUBMITTED, tuple(alleged_persons))
    try:
        yield
    finally:
        delattr(concern, _AS_SUBMITTED)


def excluded_people(concern: Concern) -> set[int]:
    """Ids of the people a concern must never reach: no page, list, count, message or alert.

    Staff named as an alleged person (at intake or identified later) and anyone who declared a
    conflict of interest on it. Everything that notifies, lists or routes people for a concern
    (alerts, assignment, break-glass notices, rota choices) skips these ids.
    """
    submitted = getattr(concern, _AS_SUBMITTED, None)
    if submitted is not None:
        return {person.staff_member_id for person in submitted if person.staff_member_id is not None}
    return set(excluded_people_by_concern([concern.pk])[concern.pk])


def excluded_people_by_concern(concern_ids) -> dict[int, frozenset[int]]:
    """``excluded_people`` for many concerns in one statement (a sweep batch's): the same three
    sources, so a batch can never reach someone a single concern's answer would skip."""
    barred: dict[int, set[int]] = {concern_id: set() for concern_id in concern_ids}
    named = AllegedPerson.objects.filter(concern_id__in=barred, staff_member__isnull=False).values_list(
        "concern_id", "staff_member_id"
    )
    linked = StaffLink.objects.filter(concern_id__in=barred).values_list("concern_id", "staff_member_id")
    conflicted = ConflictOfInterest.objects.filter(concern_id__in=barred).values_list("concern_id", "person_id")
    for concern_id, person_id in named.union(linked, conflicted, all=True):
        barred[concern_id].add(person_id)
    return {concern_id: frozenset(ids) for concern_id, ids in barred.items()}


def is_about_staff(concern: Concern) -> bool:
    """Whether an alleged person is one of our own people: the allegations procedure (the LADO or
    designated officer) applies whatever the position-of-trust answer: staff named as an alleged
    person at intake, one said at intake to work or volunteer here ("works here, I cannot find
    them"), or one identified by a lead after submission."""
    submitted = getattr(concern, _AS_SUBMITTED, None)
    if submitted is not None:
        return any(p.staff_member_id is not None or p.works_here == YesNoUnknown.YES for p in submitted)
    # One statement: a concern asks this again when a lead links staff to it.
    named = AllegedPerson.objects.filter(concern=concern).filter(
        Q(staff_member__isnull=False) | Q(works_here=YesNoUnknown.YES)
    )
    linked = StaffLink.objects.filter(concern=concern)
    return Concern.objects.filter(pk=concern.pk).filter(Exists(named) | Exists(linked)).exists()


def get_concern_for_user(user, *, concern_id: int) -> Concern:
    try:
        return concerns_visible_to(user).select_related("team", "reporter", "client").get(pk=concern_id)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("No such concern.") from None


def concern_with_parts(concern: Concern) -> Concern:
    """Load everything the concern page shows, in a fixed number of queries."""
    return (
        Concern.objects.select_related("team", "reporter", "client", "acknowledged_by", "owner")
        .prefetch_related(
            "categories",
            "persons_at_risk",
            "alleged_persons",
            "other_people",
            "prior_reports",
            Prefetch("addenda", queryset=Addendum.objects.select_related("author").order_by("created_at", "id")),
        )
        .get(pk=concern.pk)
    )


def concerns_reported_by(user) -> QuerySet[Concern]:
    """ "My concerns": newest first, with who acknowledged (constant queries per page)."""
    return (
        Concern.objects.filter(reporter=user).select_related("acknowledged_by", "team").order_by("-submitted_at", "-id")
    )


def drafts_of(user) -> QuerySet[ConcernDraft]:
    return ConcernDraft.objects.filter(author=user).order_by("-updated_at")


def get_draft_for_user(user, *, submission_key) -> ConcernDraft:
    """Drafts are their author's alone: anyone else gets 404."""
    try:
        return ConcernDraft.objects.get(author=user, submission_key=uuid.UUID(str(submission_key)))
    except (ConcernDraft.DoesNotExist, ValueError, TypeError):
        raise Http404("No such draft.") from None


def clients_for_intake(user):
    """Clients the user may file a concern about: those of their own teams (and teams they cover)."""
    return clients_for_user(user).order_by("team__name", "reference")


# The type-ahead over the organisation's people shows their name and team only: nothing else
# about a colleague (email, role) is any of the person filing's business.
STAFF_SEARCH_LIMIT = 10


def staff_matching(query: str) -> list[dict]:
    """Active people whose name contains ``query``: ``{"id", "name", "teams"}`` and nothing more."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    people = (
        User.objects.filter(is_active=True, full_name__icontains=query)
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("full_name", "pk")[:STAFF_SEARCH_LIMIT]
    )
    return [
        {"id": person.pk, "name": person.full_name, "teams": ", ".join(team.name for team in person.teams.all())}
        for person in people
    ]


def staff_label(user_id) -> str:
    """ "Name (Team)" for a chosen colleague, as the type-ahead showed them."""
    person = User.objects.filter(pk=user_id, is_active=True).prefetch_related("teams").first() if user_id else None
    if person is None:
        return ""
    teams = ", ".join(sorted(team.name for team in person.teams.all()))
    return f"{person.full_name} ({teams})" if teams else person.full_name


def concern_named_by_url(match) -> Concern | None:
    """The concern a resolved URL is about (audit.subjects): a ``concern_id`` anywhere, or the
    ``pk`` of this app's concern pages. Looked up without any access check, to record a refused
    attempt against the concern; nothing of it is shown."""
    concern_id = match.kwargs.get("concern_id")
    if concern_id is None and match.namespace == "concerns":
        concern_id = match.kwargs.get("pk")
    if not isinstance(concern_id, int):
        return None
    return Concern.objects.filter(pk=concern_id).only("id", "reference").first()

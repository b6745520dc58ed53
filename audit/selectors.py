"""Reading the trail: filters, keyset pagination, a concern's access log, a person's activity.

Every list is paginated by keyset, newest first: WHERE (occurred_at, id) < (cursor) ORDER BY
occurred_at DESC, id DESC LIMIT n. No OFFSET and no COUNT(*): both cost O(rows) at millions
of events, while a keyset page costs the same on page 1 and page 10,000.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.actions import AuditKind, codes_of_kind
from audit.models import AuditEvent, BreakGlassAccess

PAGE_SIZE = 50

# A manager may themselves be named in a concern, or have declared a conflict of interest on it:
# the trail must then read as if that concern did not exist. Concerns (a higher layer) registers
# ``provider(user) -> QuerySet of references`` from its AppConfig.ready.
_hidden_reference_providers: list = []


def register_hidden_references(provider) -> None:
    if provider not in _hidden_reference_providers:
        _hidden_reference_providers.append(provider)


def hide_from(events: QuerySet, viewer) -> QuerySet:
    """``events`` without any about a concern hidden from ``viewer``: its own events (by
    ``subject_ref``) and the managers' readings that named it (a reference or a filter)."""
    if viewer is None:
        return events
    for provider in _hidden_reference_providers:
        hidden = provider(viewer)
        events = events.alias(named_ref=KT("details__reference"), filtered_ref=KT("details__filter__reference"))
        # Spelt out with IS NOT NULL: NOT (NULL IN (...)) is NULL, which would drop every event
        # without such a key.
        events = events.exclude(subject_ref__in=hidden)
        events = events.exclude(Q(named_ref__isnull=False) & Q(named_ref__in=hidden))
        events = events.exclude(Q(filtered_ref__isnull=False) & Q(filtered_ref__in=hidden))
    return events


def hidden_references(viewer) -> set[str]:
    found: set[str] = set()
    for provider in _hidden_reference_providers:
        found |= {str(ref) for ref in provider(viewer).values_list("reference", flat=True)}
    return found


# "Who has seen this": the access kind of the registry (concern.viewed, printed pages included,
# and concern.break_glass are the ones that carry a concern reference).
ACCESS_ACTIONS = codes_of_kind(AuditKind.ACCESS)


# A bigint has at most 19 digits; a longer "id" is not one of ours.
MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: the next page starts strictly after it."""

    occurred_at: dt.datetime
    event_id: int

    def encode(self) -> str:
        return f"{self.occurred_at.isoformat()}_{self.event_id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """None for an absent or malformed cursor (the first page is shown)."""
        if not value or "_" not in value:
            return None
        stamp, _, event_id = value.rpartition("_")
        try:
            # parse_datetime raises ValueError for a well-formed but impossible date (month 13).
            occurred_at = parse_datetime(stamp)
        except ValueError:
            return None
        if occurred_at is None or not event_id.isascii() or not event_id.isdigit() or len(event_id) > MAX_ID_DIGITS:
            return None
        return cls(occurred_at, int(event_id))


@dataclass(frozen=True)
class TrailFilter:
    person_id: int | None = None
    reference: str = ""
    action: str = ""  # a prefix: "concern." matches concern.viewed and concern.acknowledged
    kind: str = ""  # an audit.actions.AuditKind
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    def as_details(self) -> dict:
        """What the filter was, for the audit.viewed and audit.exported events."""
        return {
            "person_id": self.person_id,
            "reference": self.reference,
            "action": self.action,
            "kind": self.kind,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }

    @property
    def is_empty(self) -> bool:
        return not any(self.as_details().values())


@dataclass
class Page:
    events: list = field(default_factory=list)
    next_cursor: Cursor | None = None
    is_first: bool = True


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_events(trail_filter: TrailFilter, *, viewer=None) -> QuerySet:
    """The trail narrowed by the filter, newest first (the order the indexes serve), without
    anything about a concern hidden from ``viewer``."""
    events = hide_from(AuditEvent.objects.all(), viewer)
    if trail_filter.person_id:
        events = events.filter(actor_id=trail_filter.person_id)
    if trail_filter.reference:
        events = events.filter(subject_ref=trail_filter.reference)
    if trail_filter.action:
        events = events.filter(action__startswith=trail_filter.action)
    if trail_filter.kind:
        events = events.filter(action__in=codes_of_kind(trail_filter.kind))
    if trail_filter.date_from:
        events = events.filter(occurred_at__gte=_local_midnight(trail_filter.date_from))
    if trail_filter.date_to:
        events = events.filter(occurred_at__lt=_local_midnight(trail_filter.date_to + dt.timedelta(days=1)))
    return events.order_by("-occurred_at", "-id")


def _after(events: QuerySet, cursor: Cursor | None) -> QuerySet:
    if cursor is None:
        return events
    # occurred_at <= t bounds the index range scan; the OR only settles ties at t itself.
    return events.filter(
        Q(occurred_at__lte=cursor.occurred_at) & (Q(occurred_at__lt=cursor.occurred_at) | Q(id__lt=cursor.event_id))
    )


def page_of(events: QuerySet, cursor: Cursor | None, *, size: int = PAGE_SIZE) -> Page:
    rows = list(_after(events, cursor).select_related("actor")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = Cursor(rows[-1].occurred_at, rows[-1].id) if has_more and rows else None
    return Page(events=rows, next_cursor=next_cursor, is_first=cursor is None)


def trail_page(trail_filter: TrailFilter, cursor: Cursor | None = None, *, viewer=None, size: int = PAGE_SIZE) -> Page:
    return page_of(filtered_events(trail_filter, viewer=viewer), cursor, size=size)


def concern_access_page(reference: str, cursor: Cursor | None = None, *, viewer=None, size: int = PAGE_SIZE) -> Page:
    """Who has seen this concern: views (on screen or printed) and break-glass openings. Empty,
    exactly as for a reference that does not exist, when the concern is hidden from ``viewer``."""
    events = AuditEvent.objects.filter(subject_ref=reference, action__in=ACCESS_ACTIONS)
    events = hide_from(events, viewer).order_by("-occurred_at", "-id")
    return page_of(events, cursor, size=size)


def _break_glass_known_to(viewer) -> QuerySet:
    accesses = BreakGlassAccess.objects.all()
    if viewer is not None:
        for provider in _hidden_reference_providers:
            accesses = accesses.exclude(concern_reference__in=provider(viewer))
    return accesses


def break_glass_for_concern(reference: str, *, viewer=None) -> QuerySet:
    return _break_glass_known_to(viewer).filter(concern_reference=reference).select_related("actor", "reviewed_by")


def person_activity_page(person_id: int, cursor: Cursor | None = None, *, viewer=None, size: int = PAGE_SIZE) -> Page:
    return trail_page(TrailFilter(person_id=person_id), cursor, viewer=viewer, size=size)


def get_person(person_id: int):
    """The person whose activity is read (404 if there is no such account)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(get_user_model(), pk=person_id)


def people_for_filter() -> QuerySet:
    return get_user_model().objects.order_by("full_name", "email").only("id", "full_name", "email")


def unreviewed_break_glass(*, viewer=None) -> QuerySet:
    return (
        _break_glass_known_to(viewer)
        .filter(reviewed_at__isnull=True)
        .select_related("actor", "team")
        .order_by("opened_at", "id")
    )


def recently_reviewed_break_glass(*, viewer=None, limit: int = 50) -> QuerySet:
    return (
        _break_glass_known_to(viewer)
        .filter(reviewed_at__isnull=False)
        .select_related("actor", "team", "reviewed_by")
        .order_by("-reviewed_at", "-id")[:limit]
    )


def events_for_export(trail_filter: TrailFilter, *, viewer=None, chunk_size: int = 2000):
    """Every event the filter matches (none about a concern hidden from ``viewer``), streamed
    through a server-side cursor."""
    return filtered_events(trail_filter, viewer=viewer).iterator(chunk_size=chunk_size)

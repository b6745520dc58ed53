"""Reads for the lead's side: the queue, one concern for a lead (need to know, break-glass),
the chronology and possible links. Each read issues a fixed number of queries, whatever
the number of rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Greatest, Now
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Team, User
from accounts.selectors import covered_team_ids, leads_covering_team
from audit.actions import action_kind, action_label, readable_details, spec_for
from audit.models import AuditEvent
from concerns.models import OPEN_STATUSES, AllegedPerson, Concern, ConcernCategory, ConcernStatus
from concerns.selectors import concerns_visible_to, excluded_people
from escalation.models import (
    BreakGlassGrant,
    ClosureRecord,
    ExternalReferral,
    LadoTask,
    ReporterFeedback,
    TriageRecord,
)

# --- The queue ----------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    urgency: str = ""
    team: int | None = None
    category: str = ""
    overdue: bool = False
    mine: bool = False


def covered_teams(user: User) -> QuerySet[Team]:
    team_ids = covered_team_ids(user)
    teams = Team.objects.all()
    return teams if team_ids is None else teams.filter(id__in=team_ids)


def queue_for_lead(user: User, filters: QueueFilters | None = None, *, now: datetime | None = None) -> QuerySet:
    """The open concerns of the teams ``user`` covers, earliest unmet deadline first.

    Starts from concerns_visible_to, so a concern about the lead themselves (as alleged person)
    never appears. Everything each row shows is joined, annotated or prefetched: two queries
    (rows, categories) plus one for the page count, for any number of rows.
    """
    filters = filters or QueueFilters()
    now = now or timezone.now()
    concerns = concerns_visible_to(user).filter(status__in=OPEN_STATUSES)
    team_ids = covered_team_ids(user)
    if team_ids is not None:
        concerns = concerns.filter(team_id__in=team_ids)
    overdue_referral = ExternalReferral.objects.filter(
        concern=OuterRef("pk"), response_received_at__isnull=True, response_due_at__lt=now
    )
    concerns = (
        concerns.select_related("team", "reporter", "owner", "acknowledged_by")
        .prefetch_related(Prefetch("categories", queryset=ConcernCategory.objects.order_by("order", "label")))
        # next_due_at is the earliest open deadline, kept by a trigger on the deadline table:
        # the page's order comes from concern_queue_order_idx, not a subquery per open concern.
        .annotate(due_at=F("next_due_at"), chase=Exists(overdue_referral))
    )
    if filters.status:
        concerns = concerns.filter(status=filters.status)
    if filters.urgency:
        concerns = concerns.filter(urgency=filters.urgency)
    if filters.team:
        concerns = concerns.filter(team_id=filters.team)
    if filters.category:
        concerns = concerns.filter(categories__code=filters.category)
    if filters.overdue:
        concerns = concerns.filter(due_at__lt=now)
    if filters.mine:
        concerns = concerns.filter(owner=user)
    return concerns.order_by(F("next_due_at").asc(nulls_last=True), "submitted_at", "id")


# --- One concern, for a lead ----------------------------------------------------------------


def is_hidden_from(user: User, concern_id: int) -> bool:
    """A concern whose alleged person is ``user`` is never shown to them, break-glass or not."""
    return AllegedPerson.objects.filter(concern_id=concern_id, staff_member=user).exists()


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


# --- Possible links ----------------------------------------------------------------------------

NAME_SIMILARITY_THRESHOLD = 0.4


@dataclass(frozen=True)
class PossibleLink:
    reference: str
    concern_id: int
    why: str


def possible_links(concern: Concern, *, limit: int = 20) -> list[PossibleLink]:
    """Other concerns that may be about the same people: references and a reason only, no content.

    Same client; an alleged person with a similar name (pg_trgm similarity, GIN trigram index);
    or an alleged person with the same date of birth. Three queries.
    """
    links: dict[int, list[str]] = {}
    references: dict[int, str] = {}

    def add(concern_id, reference, why):
        if concern_id == concern.pk:
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

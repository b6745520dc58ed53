"""Reads of clients and consent records, including the access checks (404 for what the user may not see)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import covered_team_ids
from consent.models import (
    Client,
    ClientInformedRecord,
    ConfidentialityStatement,
    LawfulBasisKind,
    LawfulBasisOption,
    LimitsRecord,
    SharingDecision,
)

# --- Which concerns a reader may know of ---------------------------------------------------------
# Concerns are a higher layer: it registers its access rules here (ConcernsConfig.ready), so a
# client's pages never show or count a concern the reader may not know exists.
_concern_access: dict[str, Any] = {}


def register_concern_access(*, visible, hidden) -> None:
    """``visible(user)``: the concerns ``user`` may open (a clinician: those they filed);
    ``hidden(user)``: ids of the concerns that must never reach ``user`` (about them, or a
    declared conflict of interest), not even as a date or a count."""
    _concern_access.update(visible=visible, hidden=hidden)


def _concerns_of_client_known_to(user, client_ref):
    """The concerns of a client (an id or ``OuterRef``) that ``user`` may know exist."""
    concern_model: Any = Client._meta.get_field("concerns").related_model
    concerns = concern_model.objects.filter(client=client_ref)
    if user is not None and "hidden" in _concern_access:
        concerns = concerns.exclude(pk__in=_concern_access["hidden"](user))
    return concerns


def concern_references_for_client(user, client: Client) -> list[str]:
    """The references a client's page lists: only concerns ``user`` may open (a clinician sees
    the ones they filed themselves; a lead those of the teams they cover), newest first."""
    if "visible" not in _concern_access:
        return []
    return list(
        _concern_access["visible"](user)
        .filter(client=client)
        .order_by("-submitted_at", "-id")
        .values_list("reference", flat=True)
    )


# --- Clients ------------------------------------------------------------------------------------


def client_team_ids(user) -> list[int] | None:
    """Teams whose clients ``user`` may see: their own teams, plus the teams a lead covers.

    None means every team (an organisation-wide lead). Managers and administrators see no
    clients here: they read the audit trail, not the register.
    """
    if not user.is_authenticated or not user.has_role(Role.CLINICIAN, Role.LEAD, Role.DEPUTY):
        return []
    team_ids = set(user.teams.values_list("id", flat=True))
    if user.is_lead:
        covered = covered_team_ids(user)
        if covered is None:
            return None
        team_ids.update(covered)
    return sorted(team_ids)


def clients_for_user(user) -> QuerySet[Client]:
    team_ids = client_team_ids(user)
    clients = Client.objects.select_related("team")
    return clients if team_ids is None else clients.filter(team_id__in=team_ids)


def get_client_for_user(user, *, client_id) -> Client:
    try:
        return clients_for_user(user).get(pk=int(client_id))
    except (Client.DoesNotExist, TypeError, ValueError):
        raise Http404("No such client.") from None


# --- Statements ---------------------------------------------------------------------------------


def published_statements() -> QuerySet[ConfidentialityStatement]:
    return ConfidentialityStatement.objects.filter(published_at__isnull=False)


def current_statement(*, on: datetime.date | None = None) -> ConfidentialityStatement | None:
    """The version in force on ``on`` (today): the published one that took effect most recently."""
    on = on or timezone.localdate()
    return published_statements().filter(effective_from__lte=on).order_by("-effective_from", "-version").first()


def statement_effective_until(statement: ConfidentialityStatement) -> datetime.date | None:
    """The day before the next published version took effect (None while it is current)."""
    following = (
        published_statements()
        .filter(effective_from__gt=statement.effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    return following - datetime.timedelta(days=1) if following else None


# --- Limits-of-confidentiality records ----------------------------------------------------------


def counting_limits_records() -> QuerySet[LimitsRecord]:
    """Records that count: a record replaced by a correction no longer does."""
    return LimitsRecord.objects.filter(corrections__isnull=True)


def latest_limits_record(client_id: int) -> LimitsRecord | None:
    return (
        counting_limits_records()
        .filter(client_id=client_id)
        .select_related("statement", "explained_by", "client")
        .order_by("-explained_at", "-id")
        .first()
    )


def limits_history(client: Client) -> QuerySet[LimitsRecord]:
    return client.limits_records.select_related("statement", "explained_by", "recorded_by", "corrects").order_by(
        "-explained_at", "-id"
    )


REASON_NEVER = "The limits of confidentiality have never been recorded as explained."
REASON_OLD_VERSION = "Explained with version {old}; version {current} is now in force."
REASON_REVIEW_DUE = "The review date ({date:%d %b %Y}) has been reached."
REASON_CONCERN_SINCE = "A concern was filed about this client after the limits were last explained."


@dataclass
class LimitsStatus:
    """What a clinician needs to know at a glance about a client's limits-of-confidentiality record."""

    latest: LimitsRecord | None
    current: ConfidentialityStatement | None
    reasons: list[str] = field(default_factory=list)

    @property
    def needs_revisit(self) -> bool:
        return bool(self.reasons)


def _revisit_reasons(*, version, review_on, explained_at, last_concern_at, current, today) -> list[str]:
    if version is None:
        return [REASON_NEVER]
    reasons = []
    if current is not None and version < current.version:
        reasons.append(REASON_OLD_VERSION.format(old=version, current=current.version))
    if review_on is not None and review_on <= today:
        reasons.append(REASON_REVIEW_DUE.format(date=review_on))
    if last_concern_at is not None and last_concern_at > explained_at:
        reasons.append(REASON_CONCERN_SINCE)
    return reasons


def _last_concern_at(user):
    # The concerns app is a higher layer: reach its model through the reverse relation
    # (Concern.client, related_name "concerns") rather than by importing it. A concern hidden
    # from the reader does not count: "a concern was filed since" would hint that it exists.
    return Subquery(
        _concerns_of_client_known_to(user, OuterRef("pk")).order_by("-submitted_at").values("submitted_at")[:1]
    )


def limits_status(client: Client, *, viewer=None, today: datetime.date | None = None) -> LimitsStatus:
    """Whether the limits were explained to ``client``; ``viewer`` is who reads it (a concern
    hidden from them never counts as "filed since")."""
    today = today or timezone.localdate()
    current = current_statement(on=today)
    latest = latest_limits_record(client.pk)
    last_concern_at = None
    if latest is not None:
        last_concern_at = (
            _concerns_of_client_known_to(viewer, client.pk)
            .order_by("-submitted_at")
            .values_list("submitted_at", flat=True)
            .first()
        )
    reasons = _revisit_reasons(
        version=latest.statement.version if latest else None,
        review_on=latest.review_on if latest else None,
        explained_at=latest.explained_at if latest else None,
        last_concern_at=last_concern_at,
        current=current,
        today=today,
    )
    return LimitsStatus(latest=latest, current=current, reasons=reasons)


def clients_with_limits_summary(user) -> QuerySet[Client]:
    """The user's clients, each annotated with its latest counting record and last concern."""
    latest = counting_limits_records().filter(client=OuterRef("pk")).order_by("-explained_at", "-id")
    return clients_for_user(user).annotate(
        latest_limits_id=Subquery(latest.values("id")[:1]),
        latest_version=Subquery(latest.values("statement__version")[:1]),
        latest_explained_at=Subquery(latest.values("explained_at")[:1]),
        latest_review_on=Subquery(latest.values("review_on")[:1]),
        last_concern_at=_last_concern_at(user),
    )


def clients_needing_revisit(user, *, today: datetime.date | None = None) -> QuerySet[Client]:
    """The user's clients whose latest limits record is out of date, or who have none.

    Out of date: an older statement version than the one in force, a review date reached,
    or a concern filed about the client after the record.
    """
    today = today or timezone.localdate()
    current = current_statement(on=today)
    out_of_date = (
        Q(latest_limits_id__isnull=True)
        | Q(latest_review_on__lte=today)
        | Q(last_concern_at__gt=F("latest_explained_at"))
    )
    if current is not None:
        out_of_date |= Q(latest_version__lt=current.version)
    return clients_with_limits_summary(user).filter(out_of_date)


def with_revisit_reasons(clients, *, today: datetime.date | None = None) -> list[Client]:
    """Attach ``revisit_reasons`` to clients from ``clients_with_limits_summary``."""
    today = today or timezone.localdate()
    current = current_statement(on=today)
    clients = list(clients)
    for client in clients:
        client.revisit_reasons = _revisit_reasons(
            version=client.latest_version,
            review_on=client.latest_review_on,
            explained_at=client.latest_explained_at,
            last_concern_at=client.last_concern_at,
            current=current,
            today=today,
        )
    return clients


# --- Sharing decisions and client-informed records ----------------------------------------------


def lawful_basis_choices(kind: str) -> QuerySet[LawfulBasisOption]:
    return LawfulBasisOption.objects.filter(kind=kind, active=True)


def lawful_basis_defaults() -> dict[str, LawfulBasisOption]:
    """The safeguarding default of each list, keyed by kind (preselected on the form)."""
    return {option.kind: option for option in LawfulBasisOption.objects.filter(active=True, safeguarding_default=True)}


LAWFUL_BASIS_FIELDS = {
    LawfulBasisKind.ARTICLE_6: "article6_basis",
    LawfulBasisKind.ARTICLE_9: "article9_condition",
    LawfulBasisKind.COMMON_LAW: "common_law_basis",
}


def sharing_decisions_for_concern(concern) -> QuerySet[SharingDecision]:
    return (
        SharingDecision.objects.filter(concern=concern)
        .select_related("decided_by", "article6_basis", "article9_condition", "common_law_basis", "supersedes")
        .prefetch_related("protected_identities")
        .order_by("decided_at", "id")
    )


def client_informed_for_concern(concern) -> QuerySet[ClientInformedRecord]:
    return (
        ClientInformedRecord.objects.filter(concern=concern).select_related("recorded_by").order_by("recorded_at", "id")
    )


@dataclass
class ConcernConsentPanel:
    decisions: list[SharingDecision]
    informed_records: list[ClientInformedRecord]
    client_limits: LimitsRecord | None
    current: ConfidentialityStatement | None

    @property
    def superseded_ids(self) -> set[int]:
        return {d.supersedes_id for d in self.decisions if d.supersedes_id}

    @property
    def latest_informed(self) -> ClientInformedRecord | None:
        return self.informed_records[-1] if self.informed_records else None

    @property
    def limits_out_of_date(self) -> bool:
        latest = self.client_limits
        return bool(latest and self.current and latest.statement.version < self.current.version)


def concern_consent_panel(concern) -> ConcernConsentPanel:
    """Everything the concern page shows about consent and sharing, in a constant number of queries."""
    return ConcernConsentPanel(
        decisions=list(sharing_decisions_for_concern(concern)),
        informed_records=list(client_informed_for_concern(concern)),
        client_limits=latest_limits_record(concern.client_id) if concern.client_id else None,
        current=current_statement(),
    )

"""The queue's rows as plain strings, built in one pass before the template sees them.

A lead's queue shows 50 rows of ten cells. Through template tags and filters each cell paid
for a date format lookup, a choices lookup or a URL resolution of its own: most of the page's
rendering time. Here each row is computed once, with the labels looked up once per page, so
the template only places strings (and escapes them).
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import dateformat, timezone

from concerns.models import ConcernStatus, Urgency
from escalation.models import RiskRating
from escalation.selectors import deadline_short_label
from escalation.templatetags.escalation_tags import due_phrase


@dataclass(frozen=True)
class QueueRow:
    pk: int
    reference: str
    url: str
    acknowledge_url: str  # "" once acknowledged or closed: the row offers "Open" instead
    received_iso: str
    received_text: str
    urgency_label: str
    is_immediate: bool
    categories: str
    team: str
    reporter: str
    due_iso: str
    due_label: str
    due_text: str
    is_overdue: bool
    closed_iso: str
    closed_text: str
    chase: bool
    risk_label: str
    status_label: str
    owner: str


def _url_maker(name: str):
    """reverse() once with a stand-in id, then fill each row's id in: the same URL, without
    resolving the pattern fifty times."""
    stand_in = 987654321
    pattern = reverse(name, args=[stand_in])
    prefix, _, suffix = pattern.partition(str(stand_in))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def queue_rows(concerns, *, now: datetime) -> list[QueueRow]:
    """One QueueRow per concern of the page (as escalation.selectors.queue_for_lead gives them)."""
    concern_url = _url_maker("escalation:concern")
    acknowledge_url = _url_maker("escalation:acknowledge")
    urgencies = dict(Urgency.choices)
    statuses = dict(ConcernStatus.choices)
    risks = dict(RiskRating.choices)
    deadline_labels: dict[str, str] = {}
    rows = []
    for concern in concerns:
        submitted = _local(concern.submitted_at)
        due_at = concern.due_at
        kind = concern.next_due_kind or ""
        if kind not in deadline_labels:
            deadline_labels[kind] = deadline_short_label(kind) if kind else ""
        closed = _local(concern.closed_at) if concern.closed_at else None
        needs_acknowledging = not concern.acknowledged_at and concern.status != ConcernStatus.CLOSED
        rows.append(
            QueueRow(
                pk=concern.pk,
                reference=concern.reference,
                url=concern_url(concern.pk),
                acknowledge_url=acknowledge_url(concern.pk) if needs_acknowledging else "",
                received_iso=submitted.isoformat(),
                received_text=dateformat.format(submitted, "j M Y H:i"),
                urgency_label=str(urgencies.get(concern.urgency, concern.urgency)),
                is_immediate=concern.urgency == Urgency.IMMEDIATE,
                categories=", ".join(category.label for category in concern.categories.all()),
                team=concern.team.name,
                reporter=concern.reporter.get_full_name(),
                due_iso=_local(due_at).isoformat() if due_at else "",
                due_label=deadline_labels[kind],
                due_text=due_phrase(due_at, now, kind) if due_at else "",
                is_overdue=bool(due_at and due_at < now),
                closed_iso=closed.isoformat() if closed else "",
                closed_text=dateformat.format(closed, "j M Y") if closed else "",
                chase=bool(getattr(concern, "chase", False)),
                risk_label=str(risks.get(concern.risk_rating, concern.risk_rating)) if concern.risk_rating else "",
                status_label=str(statuses.get(concern.status, concern.status)),
                owner=concern.owner.get_full_name() if concern.owner_id else "",
            )
        )
    return rows

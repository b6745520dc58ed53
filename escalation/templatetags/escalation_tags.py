"""The lead's workflow panel on the concern page, and the time-left phrase of the queue."""

from datetime import datetime
from functools import cached_property

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from alerts.models import DeadlineState
from escalation import selectors
from escalation.models import RiskRating
from escalation.services import lado_officer_label

register = template.Library()


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@register.simple_tag
def deadline_label(kind: str) -> str:
    """The few words naming a deadline's kind ("LADO", "Response")."""
    return selectors.deadline_short_label(kind)


@register.simple_tag
def risk_label(rating: str) -> str:
    return str(dict(RiskRating.choices).get(rating, rating))


class DuePhrases:
    """due_phrase's words, translated once: the queue words fifty rows with one set (a
    translation lookup per row and per word was a fifth of building the rows)."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}

    # Each word on first use: the concern page asks for one phrase, the queue for fifty.
    @cached_property
    def left(self) -> str:
        return gettext("%(duration)s left")

    @cached_property
    def deadline_overdue_by(self) -> str:
        return gettext("%(deadline)s overdue by %(duration)s")

    @cached_property
    def overdue_by(self) -> str:
        return gettext("overdue by %(duration)s")

    def label(self, kind: str) -> str:
        if kind not in self.labels:
            self.labels[kind] = selectors.deadline_short_label(kind) if kind else ""
        return self.labels[kind]

    def __call__(self, due_at: datetime | None, now: datetime, kind: str = "") -> str:
        """'LADO: 2 h 5 min left' or 'Response overdue by 1 d 3 h', naming the deadline when its
        kind is given (queue.js keeps the same words current in the browser)."""
        if due_at is None:
            return ""
        seconds = (due_at - now).total_seconds()
        label = self.label(kind)
        if seconds >= 0:
            left = self.left % {"duration": _duration(seconds)}
            return f"{label}: {left}" if label else left
        if label:
            return self.deadline_overdue_by % {"deadline": label, "duration": _duration(-seconds)}
        return self.overdue_by % {"duration": _duration(-seconds)}


@register.simple_tag
def due_phrase(due_at: datetime | None, now: datetime | None = None, kind: str = "") -> str:
    """The time left to a deadline, or how long it is overdue (DuePhrases)."""
    return DuePhrases()(due_at, now or timezone.now(), kind)


@register.simple_tag(takes_context=True)
def concern_workflow_panel(context, concern):
    """Leads who may work on the concern: state, actions, triage, sharing, referrals, chronology,
    possible links. Managers: the same, read only. The reporter: the status, who picked it up,
    and the acknowledgement, each decision and closure at the level the lead chose. Anyone
    else: nothing.

    A fixed number of queries whatever the concern's history.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    printing = bool(context.get("printing", False))
    reader_concern = selectors.case_file_concern(user, concern.pk) if selectors.is_case_file_reader(user) else None
    if reader_concern is not None:
        chronology = selectors.concern_chronology(reader_concern)
        kinds = selectors.chronology_kinds(chronology)
        # The chronology's filter is a plain GET form, so it works without JavaScript.
        chosen_kind = request.GET.get("kind", "") if request is not None else ""
        chosen_kind = chosen_kind if chosen_kind in dict(kinds) else ""
        lines = selectors.collapse_views(e for e in chronology if not chosen_kind or e.kind == chosen_kind)
        return render_to_string(
            "escalation/concern/_panel_lead.html",
            {
                "concern": reader_concern,
                # Paper carries what was recorded, never the buttons to change it.
                "can_act": not printing and selectors.can_act_on(user, reader_concern),
                "printing": printing,
                "state": selectors.workflow_state(reader_concern),
                "case_file": selectors.case_file(reader_concern),
                "deadlines": list(reader_concern.deadlines.filter(state=DeadlineState.OPEN).order_by("due_at")),
                "chronology": chronology,
                "chronology_lines": lines,
                "chronology_kinds": kinds,
                "chronology_kind": chosen_kind,
                "links": selectors.possible_links(reader_concern, viewer=user),
                "lado_officer": lado_officer_label(reader_concern.jurisdiction),
                "now": timezone.now(),
            },
            request=request,
        )
    if concern.reporter_id == user.pk:
        return render_to_string(
            "escalation/concern/_panel_reporter.html",
            {"concern": concern, "news": selectors.reporter_news(concern)},
            request=request,
        )
    return ""

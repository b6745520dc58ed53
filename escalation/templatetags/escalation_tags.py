"""The lead's workflow panel on the concern page, and the time-left phrase of the queue."""

from datetime import datetime

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


@register.simple_tag
def due_phrase(due_at: datetime | None, now: datetime | None = None, kind: str = "") -> str:
    """'LADO: 2 h 5 min left' or 'Response overdue by 1 d 3 h', naming the deadline when its
    kind is given (queue.js keeps the same words current in the browser)."""
    if due_at is None:
        return ""
    seconds = (due_at - (now or timezone.now())).total_seconds()
    label = selectors.deadline_short_label(kind) if kind else ""
    if seconds >= 0:
        left = gettext("%(duration)s left") % {"duration": _duration(seconds)}
        return f"{label}: {left}" if label else left
    if label:
        return gettext("%(deadline)s overdue by %(duration)s") % {"deadline": label, "duration": _duration(-seconds)}
    return gettext("overdue by %(duration)s") % {"duration": _duration(-seconds)}


@register.simple_tag(takes_context=True)
def concern_workflow_panel(context, concern):
    """Leads who may work on the concern: state, actions, referrals, chronology, possible links.
    The reporter: the status, who picked it up, and each decision and closure at the level the
    lead chose. Anyone else: nothing.

    A fixed number of queries whatever the concern's history.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    lead_concern = selectors.concern_for_lead(user, concern.pk) if user.is_lead else None
    if lead_concern is not None:
        return render_to_string(
            "escalation/concern/_panel_lead.html",
            {
                "concern": lead_concern,
                "state": selectors.workflow_state(lead_concern),
                "deadlines": list(lead_concern.deadlines.filter(state=DeadlineState.OPEN).order_by("due_at")),
                "chronology": selectors.concern_chronology(lead_concern),
                "links": selectors.possible_links(lead_concern),
                "lado_officer": lado_officer_label(lead_concern.jurisdiction),
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

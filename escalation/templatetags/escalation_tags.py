"""The lead's workflow panel on the concern page, and the time-left phrase of the queue."""

from datetime import datetime

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from alerts.models import DeadlineState
from escalation import selectors
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
def due_phrase(due_at: datetime | None, now: datetime | None = None) -> str:
    """'2 h 5 min left' or 'overdue by 1 d 3 h' (queue.js keeps it current in the browser)."""
    if due_at is None:
        return ""
    seconds = (due_at - (now or timezone.now())).total_seconds()
    if seconds >= 0:
        return f"{_duration(seconds)} left"
    return f"overdue by {_duration(-seconds)}"


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
                "links": selectors.possible_links(lead_concern, viewer=user),
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

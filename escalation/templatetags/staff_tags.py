"""The lead's panel about our own people and conflicts of interest on a concern."""

from django import template
from django.template.loader import render_to_string

from escalation import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_and_conflicts_panel(context, concern):
    """Shown only to a lead who may work on the concern (nobody it is hidden from ever gets here)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_lead:
        return ""
    lead_concern = selectors.concern_for_lead(user, concern.pk)
    if lead_concern is None:
        return ""
    return render_to_string("escalation/staff/_panel.html", selectors.staff_panel(lead_concern), request=request)

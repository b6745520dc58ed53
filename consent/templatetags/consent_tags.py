from django import template
from django.template.loader import render_to_string

from consent.selectors import concern_consent_panel as build_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def concern_consent_panel(context, concern):
    """The concern page's consent and sharing panel: decisions, whether the client was told, and
    the client's latest limits-of-confidentiality record. A constant number of queries."""
    return render_to_string(
        "consent/panels/concern_panel.html",
        {"concern": concern, "panel": build_panel(concern)},
        request=context.get("request"),
    )

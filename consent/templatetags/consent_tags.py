from django import template

register = template.Library()


@register.simple_tag
def concern_consent_panel(concern):
    """The concern page's consent and sharing panel (filled in by the consent work)."""
    return ""

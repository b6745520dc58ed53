from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def concern_workflow_panel(context, concern):
    """The lead's actions and chronology on the concern page (filled in by the queue work)."""
    return ""

"""The bell and the "alerting is delayed" banner, rendered on every page by the base template."""

from django import template

from alerts.selectors import unread_count

register = template.Library()


@register.inclusion_tag("alerts/_bell.html", takes_context=True)
def notification_bell(context):
    user = context.get("user")
    return {"unread": unread_count(user) if user is not None else 0}


@register.inclusion_tag("alerts/_delayed_banner.html", takes_context=True)
def alerting_delayed_banner(context):
    """Leads, deputies and managers see when the sweep (the dead man's switch) is stale."""
    user = context.get("user")
    if user is None or not user.is_authenticated or not (user.is_lead or user.is_manager):
        return {"delayed": False}
    from health.selectors import alerting_is_delayed

    try:
        delayed = alerting_is_delayed()
    except Exception:  # noqa: BLE001 - if we cannot even read the heartbeat, say so
        delayed = True
    return {"delayed": delayed}


@register.inclusion_tag("alerts/_cover_warnings.html")
def cover_warnings_panel(limit: int = 20):
    """The admin's warnings: teams no lead covers, and rota gaps in the next 14 days."""
    from alerts.selectors import cover_warnings

    warnings = cover_warnings()
    return {
        "warnings": warnings,
        "gaps": warnings.rota_gaps[:limit],
        "more_gaps": max(len(warnings.rota_gaps) - limit, 0),
    }

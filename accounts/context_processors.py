from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


@lru_cache(maxsize=32)
def _address(url_name: str, script_prefix: str) -> str:
    # The same on every page of a process (the prefix is part of the key): reversing each entry
    # on each page cost more than the rest of the navigation.
    return reverse(url_name)


def navigation(request):
    """Navigation entries by role, so the base template stays free of role logic: each entry's
    address, label and whether it is the page being shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = []
    if user.has_role(Role.CLINICIAN, Role.LEAD, Role.DEPUTY):
        entries.append(("concerns:mine", _("My concerns")))
        entries.append(("concerns:new", _("New concern")))
        entries.append(("consent:client_list", _("Clients")))
    if user.is_lead:
        entries.append(("escalation:queue", _("Queue")))
    if user.has_role(Role.MANAGER):
        entries.append(("audit:trail", _("Audit trail")))
        entries.append(("escalation:dashboard", _("Dashboards")))
    if user.has_role(Role.ADMINISTRATOR):
        entries.append(("accounts:administration", _("Administration")))
    match = getattr(request, "resolver_match", None)
    shown = match.view_name if match is not None else None
    prefix = get_script_prefix()
    return {
        "nav_items": [
            {"url": _address(url_name, prefix), "label": label, "current": url_name == shown}
            for url_name, label in entries
        ]
    }

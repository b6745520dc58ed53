from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


def navigation(request):
    """Navigation entries by role, so the base template stays free of role logic."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.has_role(Role.CLINICIAN, Role.LEAD, Role.DEPUTY):
        items.append(("concerns:mine", _("My concerns")))
        items.append(("concerns:new", _("New concern")))
        items.append(("consent:client_list", _("Clients")))
    if user.is_lead:
        items.append(("escalation:queue", _("Queue")))
    if user.has_role(Role.MANAGER):
        items.append(("audit:trail", _("Audit trail")))
        items.append(("escalation:dashboard", _("Dashboards")))
    if user.has_role(Role.ADMINISTRATOR):
        items.append(("accounts:administration", _("Administration")))
    return {"nav_items": items}

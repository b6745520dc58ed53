from accounts.roles import Role


def navigation(request):
    """Navigation entries by role, so the base template stays free of role logic."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.has_role(Role.CLINICIAN, Role.LEAD, Role.DEPUTY):
        items.append(("concerns:mine", "My concerns"))
        items.append(("concerns:new", "New concern"))
        items.append(("consent:client_list", "Clients"))
    if user.is_lead:
        items.append(("escalation:queue", "Queue"))
    if user.has_role(Role.MANAGER):
        items.append(("audit:trail", "Audit trail"))
        items.append(("escalation:dashboard", "Dashboards"))
    if user.has_role(Role.ADMINISTRATOR):
        items.append(("accounts:administration", "Administration"))
    return {"nav_items": items}

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from accounts.roles import Role

START_PAGES = {
    Role.LEAD: "escalation:queue",
    Role.DEPUTY: "escalation:queue",
    Role.MANAGER: "audit:trail",
    Role.ADMINISTRATOR: "accounts:administration",
    Role.CLINICIAN: "concerns:mine",
}


@login_required
def home(request):
    """Each role lands on its own start page."""
    return redirect(START_PAGES.get(request.user.primary_role, "concerns:mine"))


@role_required(Role.ADMINISTRATOR)
def administration(request):
    return render(request, "accounts/administration.html")

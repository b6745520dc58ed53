from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

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


@require_http_methods(["GET", "POST"])
def session_status(request):
    """How long this session has left, for the idle dialog (static/js/idle.js).

    GET is the page's background check (it sends X-Background-Request, so it does not extend
    the session); POST is "Stay signed in", a person's action, which does. Answers JSON, never
    a redirect to the sign-in page: a signed-out tab must learn that it is signed out.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "remaining_seconds": 0})
    if request.method == "POST":
        request.session.modified = True  # saved with a fresh expiry by the session middleware
        remaining = request.session.get_expiry_age()
    else:
        stored = Session.objects.filter(session_key=request.session.session_key)
        expires = stored.values_list("expire_date", flat=True).first()
        remaining = max(0, int((expires - timezone.now()).total_seconds())) if expires else 0
    return JsonResponse({"signed_in": remaining > 0, "remaining_seconds": remaining})

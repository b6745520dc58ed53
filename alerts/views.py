"""Notifications: the bell's list, its unread count, and marking them read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from alerts import selectors
from alerts.models import Notification
from alerts.services import notifications as notification_services


@login_required
@require_GET
def notifications(request):
    page = Paginator(selectors.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "alerts/notifications.html", {"page": page})


@never_cache
@login_required
@require_GET
def notification_count(request):
    """The bell's unread count, polled by static/js/notifications.js, with the words a screen
    reader hears for it in the reader's language (the script has no catalogue of its own)."""
    unread = selectors.unread_count(request.user)
    label = ngettext("%(counter)s unread", "%(counter)s unread", unread) % {"counter": unread}
    return JsonResponse({"unread": unread, "label": label})


@login_required
@require_POST
def mark_read(request, notification_id: int):
    try:
        notification = notification_services.mark_notification_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    target = request.POST.get("next") or ""
    if target == "link" and notification.link:
        return redirect(notification.link)
    return redirect("alerts:notifications")


@login_required
@require_POST
def mark_all_read(request):
    notification_services.mark_all_notifications_read(user=request.user)
    return redirect("alerts:notifications")

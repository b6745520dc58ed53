"""Notifications (the bell), and the local mail viewer for development runs."""

from email import message_from_bytes, policy
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from escalation import notifications as notification_services


@login_required
@require_GET
def notifications(request):
    page = Paginator(notification_services.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "escalation/alerts/notifications.html", {"page": page})


@never_cache
@login_required
@require_GET
def notification_count(request):
    """The bell's unread count, polled by static/js/notifications.js."""
    return JsonResponse({"unread": notification_services.unread_count(request.user)})


@login_required
@require_POST
def mark_read(request, notification_id: int):
    notification = notification_services.mark_notification_read(user=request.user, notification_id=notification_id)
    target = request.POST.get("next") or ""
    if target == "link" and notification.link:
        return redirect(notification.link)
    return redirect("escalation:notifications")


@login_required
@require_POST
def mark_all_read(request):
    notification_services.mark_all_notifications_read(user=request.user)
    return redirect("escalation:notifications")


# --- The local SMTP sink's mailbox ---------------------------------------------------------


def _mail_viewer_enabled() -> bool:
    return settings.DEBUG or settings.DEV_MAIL_VIEWER


def _mail_files() -> list[Path]:
    folder = Path(settings.DEV_MAIL_DIR)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), key=lambda p: p.name, reverse=True)


@role_required(Role.ADMINISTRATOR)
@require_GET
def dev_mail(request):
    if not _mail_viewer_enabled():
        raise Http404("The mail viewer is for local runs only.")
    messages = []
    for path in _mail_files()[:200]:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        messages.append({"name": path.stem, "subject": parsed["Subject"], "to": parsed["To"],
                         "date": parsed["Date"], "message_id": parsed["Message-ID"]})
    return render(request, "escalation/alerts/dev_mail.html", {"messages": messages})


@role_required(Role.ADMINISTRATOR)
@require_GET
def dev_mail_message(request, name: str):
    if not _mail_viewer_enabled():
        raise Http404("The mail viewer is for local runs only.")
    path = Path(settings.DEV_MAIL_DIR) / f"{name}.eml"
    if "/" in name or not path.is_file():
        raise Http404("No such message.")
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    return render(request, "escalation/alerts/dev_mail_message.html", {
        "name": name,
        "headers": [(k, parsed[k]) for k in ("From", "To", "Subject", "Date", "Message-ID") if parsed[k]],
        "body": body.get_content() if body else "",
    })


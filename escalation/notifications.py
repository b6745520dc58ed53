"""In-app notifications: reads for the bell and the list, and marking them read."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from escalation.models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    """One indexed count (notification_unread_idx)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_notification_read(*, user, notification_id: int) -> Notification:
    """Only the owner's own notification (404 otherwise); marking twice keeps the first time."""
    notification = get_object_or_404(Notification, pk=notification_id, user=user)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_notifications_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())

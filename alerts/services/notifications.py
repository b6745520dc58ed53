"""Marking in-app notifications read (the bell's list)."""

from django.utils import timezone

from alerts.models import Notification
from alerts.selectors import notifications_for


def mark_notification_read(*, user, notification_id: int) -> Notification:
    """Only the owner's own notification (``Notification.DoesNotExist`` otherwise, as for one that
    does not exist); marking twice keeps the first time."""
    # Through the selector: a notification about a concern now hidden from its reader answers
    # exactly as one that does not exist.
    notification = notifications_for(user).get(pk=notification_id)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_notifications_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())

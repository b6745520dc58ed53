"""Marking in-app notifications read (the bell's list)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from alerts.models import Notification


def mark_notification_read(*, user, notification_id: int) -> Notification:
    """Only the owner's own notification (404 otherwise); marking twice keeps the first time."""
    notification = get_object_or_404(Notification, pk=notification_id, user=user)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_notifications_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())

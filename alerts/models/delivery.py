"""Delivery: the outbox of messages, every attempt at delivering one, and in-app notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from alerts.models.deadlines import Alert


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    IN_APP = "in_app", "In-app notification"
    WEBHOOK = "webhook", "Webhook (Teams, Slack)"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRY = "retry", "Waiting to retry"
    SENT = "sent", "Delivered"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """A message to deliver after commit. Carries no sensitive detail: reference, urgency, team,
    how overdue and a link; the rest is behind the login."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=500, blank=True, help_text="Email address or webhook URL.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    # Stable across resends, so a receiver can drop a duplicate after a crash between SMTP
    # acceptance and our commit of "sent".
    message_id = models.CharField(max_length=200, blank=True)
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Pending/retry: when the sweep (re)publishes the delivery task if it has not happened yet.
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(db_default=Now())
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The sweep's requeue: WHERE status IN ('pending', 'retry') AND next_attempt_at <= now().
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_undelivered_idx",
                condition=Q(status__in=["pending", "retry"]),
            ),
            # The sweep's lease recovery: WHERE status = 'sending' AND lease_until < now().
            models.Index(fields=["lease_until"], name="outbox_sending_idx", condition=Q(status="sending")),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.address or self.recipient_id}: {self.subject}"


class DeliveryAttempt(models.Model):
    """Every try at delivering a message, with its error."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(db_default=Now())
    succeeded = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"Attempt {self.number} of message {self.message_id}: {'ok' if self.succeeded else self.error[:60]}"


class Notification(models.Model):
    """An in-app notification (the bell). Created by delivering an in_app outbox message."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.OneToOneField(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    read_at = models.DateTimeField(null=True, blank=True)
    # The obligation this notification asks its reader to act on (a new concern to acknowledge,
    # an overdue step). Once the obligation is met or no longer needed, ``done_at`` is set: the
    # bell stops counting it and the list shows it as done.
    deadline = models.ForeignKey(
        "alerts.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The bell: SELECT count(*) WHERE user_id = %s AND read_at IS NULL AND done_at IS NULL.
            models.Index(
                fields=["user"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True, done_at__isnull=True),
            ),
            # The list page: WHERE user_id = %s ORDER BY created_at DESC.
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_attention(self) -> bool:
        return self.read_at is None and self.done_at is None

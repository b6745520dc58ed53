from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One thing that happened: append-only (database triggers) and hash-chained.

    Never holds the text of a concern's account; ``details`` is redacted by record_event.
    """

    occurred_at = models.DateTimeField(help_text="The database clock at the time of writing.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Snapshots, so the trail still reads right after a person changes name or role.
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    action = models.CharField(max_length=80, help_text="A dotted code such as concern.acknowledged.")
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_ref = models.CharField(max_length=40, blank=True, help_text="A concern reference, if any.")
    details = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The trail's keyset pagination, newest first, optionally bounded by date.
            models.Index(fields=["-occurred_at", "-id"], name="audit_event_time_idx"),
            # A concern's access log and chronology: WHERE subject_ref = %s ORDER BY id.
            models.Index(fields=["subject_ref", "id"], name="audit_event_subject_idx"),
            # A person's activity: WHERE actor_id = %s ORDER BY id DESC.
            models.Index(fields=["actor", "id"], name="audit_event_actor_idx"),
            # Filter by action: WHERE action = %s ORDER BY id DESC.
            models.Index(fields=["action", "id"], name="audit_event_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.subject_ref or self.subject_id}"

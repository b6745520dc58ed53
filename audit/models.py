from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.utils.functional import cached_property

from audit import actions
from audit.append_only import AppendOnly


class AuditEvent(models.Model):
    """One thing that happened: append-only (``append_only`` below) and hash-chained.

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

    append_only = AppendOnly()

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
            # The trail filtered by person, keyset pages: WHERE actor_id = %s AND (occurred_at, id) < (...)
            # ORDER BY occurred_at DESC, id DESC (stays an index range scan for a rarely seen person).
            models.Index(fields=["actor", "-occurred_at", "-id"], name="audit_event_actor_time_idx"),
            # The trail filtered by an action prefix (LIKE 'mfa.%'): a rare action is found by
            # range instead of walking the whole time index.
            models.Index(
                OpClass("action", name="varchar_pattern_ops"), "occurred_at", name="audit_event_action_prefix_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.subject_ref or self.subject_id}"

    # How the trail reads the event (audit.actions): a label for the code, and the details as
    # text, never as a dict. Old codes and old detail keys read too.
    @property
    def action_label(self) -> str:
        return actions.action_label(self.action)

    @property
    def action_kind(self) -> actions.AuditKind | None:
        return actions.action_kind(self.action)

    @cached_property
    def readable_details(self) -> actions.ReadableDetails:
        return actions.readable_details(self.action, self.details)


class BreakGlassAccess(models.Model):
    """A lead opened a concern of a team they do not cover: reviewed afterwards by a manager.

    Rows are never deleted; the only change allowed is the one review.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concern_reference = models.CharField(max_length=40)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(help_text="Why the person needed to see a concern outside their teams.")
    opened_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    append_only = AppendOnly(updatable=("reviewed_by", "reviewed_at", "review_comment"), until="reviewed_at")

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "break-glass access"
        verbose_name_plural = "break-glass accesses"
        indexes = [
            # The managers' review list: unreviewed first, WHERE reviewed_at IS NULL ORDER BY opened_at.
            models.Index(
                fields=["opened_at"], name="break_glass_unreviewed_idx", condition=models.Q(reviewed_at__isnull=True)
            ),
            # A concern's access log lists its break-glass openings.
            models.Index(fields=["concern_reference", "opened_at"], name="break_glass_concern_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="break_glass_review_complete",
                condition=(
                    models.Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                    | models.Q(reviewed_at__isnull=False, reviewed_by__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concern_reference} opened by {self.actor_id} at {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class AuditChainHead(models.Model):
    """The chain's head as a daily verification found it (append-only).

    Each row pins the hash of one event, so rewriting an older event and recomputing every
    hash after it is still detected: the pinned event's hash no longer matches. Ship these
    values off the host too (the task logs them).
    """

    verified_at = models.DateTimeField()
    last_event_id = models.BigIntegerField(null=True, blank=True, help_text="Empty when the trail was empty.")
    last_hash = models.CharField(max_length=64, blank=True)
    ok = models.BooleanField()
    events_checked = models.BigIntegerField()
    problem = models.TextField(blank=True, help_text="The first fault found, when not ok.")

    append_only = AppendOnly()

    class Meta:
        ordering = ["-verified_at", "-id"]
        get_latest_by = "verified_at"

    def __str__(self) -> str:
        state = "intact" if self.ok else "BROKEN"
        return f"{self.verified_at:%Y-%m-%d %H:%M} {state} at #{self.last_event_id}"


class RowChange(models.Model):
    """A change to a core table, written by the audit_capture_row_change() database trigger.

    The trigger fires for every client (the app, a migration, psql), so changes made outside
    the portal are on record too. Only column names are kept, never values: the content of a
    concern must not be copied here. Append-only; the runtime role cannot write it directly.
    """

    table_name = models.CharField(max_length=63)
    operation = models.CharField(max_length=6)  # INSERT, UPDATE or DELETE
    row_pk = models.CharField(max_length=64)
    changed_columns = ArrayField(models.CharField(max_length=63), default=list, blank=True)
    db_user = models.CharField(max_length=63, help_text="The database role that connected (session_user).")
    application_name = models.CharField(max_length=64, blank=True)
    transaction_id = models.BigIntegerField()
    changed_at = models.DateTimeField()

    append_only = AppendOnly(written_by_trigger=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # One record's history: WHERE table_name = %s AND row_pk = %s ORDER BY changed_at.
            models.Index(fields=["table_name", "row_pk", "changed_at"], name="row_change_record_idx"),
            # Changes made outside the app, newest first: WHERE db_user <> <app role> ORDER BY changed_at DESC.
            models.Index(fields=["db_user", "-changed_at"], name="row_change_db_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.table_name} #{self.row_pk} by {self.db_user}"

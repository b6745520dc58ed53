from django.conf import settings
from django.db import models


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    SAME_DAY = "same_day", "Same day"
    ROUTINE = "routine", "Routine"


class Jurisdiction(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class ConcernStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted, awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    TRIAGED = "triaged", "Triaged"
    REFERRED = "referred", "Referred externally"
    MONITORING = "monitoring", "Advice and monitoring"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


OPEN_STATUSES = [s for s in ConcernStatus.values if s != ConcernStatus.CLOSED]


class Concern(models.Model):
    """A submitted safeguarding concern.

    The submitted content is immutable (services and a database trigger); later information
    goes into addenda. The lead's workflow fields (status, owner, acknowledgement, closure)
    are changed only by escalation services, with compare-and-set on ``status``.
    """

    reference = models.CharField(max_length=20, unique=True, help_text="e.g. SG-2026-000123")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="concerns")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_concerns")
    client = models.ForeignKey(
        "consent.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    submitted_at = models.DateTimeField()
    # The client's request key: a retried or doubled submit finds the concern it already made.
    submission_key = models.UUIDField(unique=True)

    # Workflow, written by escalation services.
    status = models.CharField(max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.SUBMITTED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_concerns"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            # "My concerns": WHERE reporter_id = %s ORDER BY submitted_at DESC.
            models.Index(fields=["reporter", "-submitted_at"], name="concern_reporter_idx"),
            # The lead's queue: open concerns of covered teams.
            models.Index(
                fields=["team", "status"],
                name="concern_open_team_idx",
                condition=~models.Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != ConcernStatus.CLOSED

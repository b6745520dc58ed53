"""The lead's workflow: triage, referrals, LADO tasks, closure, assignment, break-glass grants.

Decisions are append-only records (``append_only``: PostgreSQL refuses UPDATE and DELETE): the current
state of a concern is its latest record, and the history is the chronology. Only an external
referral changes after it is written (the agency's response arrives later), and every change
to it is an audit event. The concern's own workflow fields (status, owner) are written only by
escalation.services with compare-and-set on the status.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.append_only import AppendOnly

__all__ = [
    "ReporterFeedback",
    "RiskRating",
    "TriageDecision",
    "TriageRecord",
    "Agency",
    "ReferralMethod",
    "ExternalReferral",
    "LadoTask",
    "ClosureOutcome",
    "ClosureRecord",
    "AssignmentRecord",
    "BreakGlassGrant",
]


class RiskRating(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    SEVERE = "severe", "Severe (immediate risk of significant harm)"


class TriageDecision(models.TextChoices):
    REFER = "refer", "Refer externally"
    ADVICE_MONITORING = "advice_monitoring", "Advice and monitoring"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class ReporterFeedback(models.TextChoices):
    """How much the clinician who raised a concern may read of a decision or a closure.

    Messages (email, in-app) never carry any of it: they say there is news and link to the
    clinician's concern page, which shows the level the lead chose.
    """

    DECISION_ONLY = "decision_only", _("Only that a decision was made, and by whom")
    OUTCOME = "outcome", _("The kind of outcome and the agency, not the detail")
    DETAIL = "detail", _("The outcome and the agency with the lead's rationale")


class TriageRecord(models.Model):
    """One triage step by a lead: a risk rating with its rationale and, optionally, a decision.

    Append-only. A rating that differs from the previous one carries ``change_reason``, which
    the chronology shows beside the change.
    """

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="triage_records")
    risk_rating = models.CharField(max_length=20, choices=RiskRating.choices)
    rating_rationale = models.TextField()
    previous_rating = models.CharField(max_length=20, choices=RiskRating.choices, blank=True)
    change_reason = models.TextField(blank=True)
    decision = models.CharField(max_length=30, choices=TriageDecision.choices, blank=True)
    decision_rationale = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True, help_text="Required for advice and monitoring.")
    # With a decision: what the clinician who raised the concern may read of it.
    reporter_feedback = models.CharField(max_length=20, choices=ReporterFeedback.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    append_only = AppendOnly()

    class Meta:
        ordering = ["concern", "-id"]
        indexes = [
            # The current triage of a concern: WHERE concern_id = %s ORDER BY id DESC LIMIT 1.
            models.Index(fields=["concern", "-id"], name="triage_latest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="advice_monitoring") | models.Q(review_date__isnull=False),
                name="triage_monitoring_needs_review_date",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="") | ~models.Q(decision_rationale=""),
                name="triage_decision_needs_rationale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.get_risk_rating_display()}"


class Agency(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    LADO = "lado", "LADO or designated officer"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    NSPCC = "nspcc", "NSPCC helpline consultation"
    GP = "gp", "GP"
    OTHER = "other", "Other"


class ReferralMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    PORTAL = "portal", "Online portal or secure form"
    LETTER = "letter", "Letter"


class ExternalReferral(models.Model):
    """A referral to an outside agency, with its own response clock (kind ``referral_response``)."""

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="external_referrals")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    agency_other = models.CharField(max_length=150, blank=True, help_text="The agency, when 'Other'.")
    area = models.CharField(max_length=150, help_text="The local authority or area.")
    method = models.CharField(max_length=20, choices=ReferralMethod.choices)
    referred_at = models.DateTimeField(help_text="When the referral was made.")
    contact_name = models.CharField(max_length=150, blank=True, help_text="Who took it (name or role).")
    their_reference = models.CharField(max_length=80, blank=True)
    # What was shared: the information-sharing decision recorded for it, where there is one.
    sharing_decision = models.ForeignKey(
        "consent.SharingDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shared_summary = models.CharField(
        max_length=300, blank=True, help_text="What was shared, in a line (no account text)."
    )
    response_due_at = models.DateTimeField(null=True, blank=True)
    # A phoned referral is confirmed in writing within 24 hours (its own clock).
    confirmed_in_writing_at = models.DateTimeField(null=True, blank=True)
    response_received_at = models.DateTimeField(null=True, blank=True)
    response_summary = models.TextField(blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    # Never deleted; only its clock, the written confirmation, the sharing decision a pack
    # links and the agency's response are filled in later (each change captured in audit_rowchange).
    append_only = AppendOnly(
        updatable=(
            "sharing_decision",
            "response_due_at",
            "confirmed_in_writing_at",
            "response_received_at",
            "response_summary",
            "outcome",
        )
    )
    capture_row_changes = True

    class Meta:
        ordering = ["concern", "referred_at", "id"]
        indexes = [
            # "Chase": WHERE response_received_at IS NULL AND response_due_at < now() (queue annotation).
            models.Index(
                fields=["concern", "response_due_at"],
                name="referral_awaiting_idx",
                condition=models.Q(response_received_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} ({self.area})"

    @property
    def agency_label(self) -> str:
        if self.agency == Agency.OTHER and self.agency_other:
            return self.agency_other
        return self.get_agency_display()

    @property
    def awaiting_response(self) -> bool:
        return self.response_received_at is None

    @property
    def awaiting_written_confirmation(self) -> bool:
        return self.method == ReferralMethod.PHONE and self.confirmed_in_writing_at is None


class LadoTask(models.Model):
    """Tell the LADO (England) or designated officer (Wales): an alleged person is in a position of trust.

    Created on submission; completed by recording a referral to the LADO.
    """

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="lado_tasks")
    reason = models.CharField(max_length=200, help_text="Why, without names: e.g. 'Alleged person: foster carer'.")
    jurisdiction = models.CharField(max_length=20)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(
        ExternalReferral, null=True, blank=True, on_delete=models.PROTECT, related_name="lado_tasks"
    )

    # Never deleted; while open, its clock (due_at) may move and it is completed once, then final.
    append_only = AppendOnly(updatable=("due_at", "completed_at", "completed_by", "referral"), until="completed_at")
    capture_row_changes = True

    class Meta:
        ordering = ["concern", "due_at"]
        constraints = [
            # One open LADO task per concern: a resubmitted signal must not create a second.
            models.UniqueConstraint(
                fields=["concern"], condition=models.Q(completed_at__isnull=True), name="lado_task_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"LADO task for {self.concern_id}"


class ClosureOutcome(models.TextChoices):
    REFERRED_ACCEPTED = "referral_accepted", "Referral accepted by the agency"
    REFERRAL_NO_FURTHER_ACTION = "agency_nfa", "Agency took no further action"
    ADVICE_GIVEN = "advice_given", "Advice given, monitoring complete"
    NO_FURTHER_ACTION = "no_further_action", "No further action needed"
    DUPLICATE = "duplicate", "Duplicate of another concern"
    OTHER = "other", "Other"


class ClosureRecord(models.Model):
    """A closure (with an outcome and rationale) or a reopening (with a reason). Append-only."""

    class Kind(models.TextChoices):
        CLOSE = "close", "Closed"
        REOPEN = "reopen", "Reopened"

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="closure_records")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    outcome = models.CharField(max_length=30, choices=ClosureOutcome.choices, blank=True)
    rationale = models.TextField()
    # A closure: what the clinician who raised the concern may read of it.
    reporter_feedback = models.CharField(max_length=20, choices=ReporterFeedback.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    append_only = AppendOnly()

    class Meta:
        ordering = ["concern", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="reopen") | ~models.Q(outcome=""), name="closure_needs_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.get_kind_display()}"


class AssignmentRecord(models.Model):
    """The concern changed owner. Append-only."""

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="assignments")
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()

    append_only = AppendOnly()

    class Meta:
        ordering = ["concern", "id"]

    def __str__(self) -> str:
        return f"{self.concern_id} to {self.new_owner_id}"


class BreakGlassGrant(models.Model):
    """A lead's stated-reason access to a concern of a team they do not cover, until ``expires_at``.

    The audit side (the managers' review list) is audit.BreakGlassAccess, written by
    audit.services.record_break_glass in the same transaction.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    concern = models.ForeignKey("concerns.Concern", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            # get_concern_for_lead: WHERE user_id = %s AND concern_id = %s AND expires_at > now().
            models.Index(fields=["user", "concern", "-expires_at"], name="breakglass_grant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.concern_id} until {self.expires_at:%Y-%m-%d %H:%M}"


# The referral pack's models live beside its code (escalation/packs/); imported here so that
# Django registers them with this app.
from escalation.packs.models import (  # noqa: E402
    FinalReferralPack,
    PackContent,
    PackHeading,
    PackTemplate,
    ReferralPack,
    ReferralPackRevision,
)

__all__ += [
    "PackContent",
    "PackTemplate",
    "PackHeading",
    "ReferralPack",
    "ReferralPackRevision",
    "FinalReferralPack",
]

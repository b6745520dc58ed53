"""Time-bound obligations: escalation policies, deadlines and the alerts fired for them.

PostgreSQL is the source of truth for every time-bound obligation. The broker only speeds up
delivery: a lost Celery message is rebuilt by the sweep from these rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from audit.append_only import AppendOnly


class ObligationKind(models.TextChoices):
    ACKNOWLEDGE_CONCERN = "acknowledge_concern", "Acknowledge a concern"
    DECIDE_CONCERN = "decide_concern", "Decide what to do about a concern"
    REFERRAL_RESPONSE = "referral_response", "External referral: response due"
    WRITTEN_CONFIRMATION = "written_confirmation", "Confirm a phoned referral in writing"
    LADO_TASK = "lado_task", "Tell the LADO or designated officer"
    CLIENT_INFORMED_REVIEW = "client_informed_review", "Review whether to tell the client"
    SHARING_REVIEW = "sharing_review", "Review an information-sharing decision"
    LIMITS_REVISIT = "limits_revisit", "Revisit the limits of confidentiality"


class CalendarOf(models.TextChoices):
    """Whose nation an obligation follows: its policy row and the working days it counts."""

    # The team's leads must act: their own working calendar (the team's nation).
    TEAM = "team", "The team's nation"
    # An outside agency's clock: the nation where the person at risk lives (the concern's).
    CONCERN = "concern", "The concern's nation"


# Internal obligations run on the calendar of the team whose leads must act; agency clocks
# (a local authority's decision, the LADO or designated officer, written confirmation of a
# phoned referral) run on the rules and calendar of the concern's nation. A Scottish team
# filing a concern about a family in England acknowledges on Scottish working days and tells
# the English LADO within an English working day.
CALENDAR_OF_KIND: dict[str, str] = {
    ObligationKind.ACKNOWLEDGE_CONCERN: CalendarOf.TEAM,
    ObligationKind.DECIDE_CONCERN: CalendarOf.TEAM,
    ObligationKind.CLIENT_INFORMED_REVIEW: CalendarOf.TEAM,
    ObligationKind.SHARING_REVIEW: CalendarOf.TEAM,
    ObligationKind.LIMITS_REVISIT: CalendarOf.TEAM,
    ObligationKind.REFERRAL_RESPONSE: CalendarOf.CONCERN,
    ObligationKind.WRITTEN_CONFIRMATION: CalendarOf.CONCERN,
    ObligationKind.LADO_TASK: CalendarOf.CONCERN,
}


class DurationBasis(models.TextChoices):
    # Real elapsed time, at any hour (immediate urgency, "within 24 hours").
    ELAPSED = "elapsed", "Elapsed time, at any hour"
    # Counted only inside working hours on working days of the obligation's nation
    # (CALENDAR_OF_KIND: the team's for internal obligations, the concern's for agency clocks).
    WORKING = "working", "Working time"


class RecipientRole(models.TextChoices):
    DUTY_LEADS = "duty_leads", "The owner, or the on-duty lead, and the on-duty deputies"
    SAFEGUARDING_MANAGER = "safeguarding_manager", "Safeguarding managers"
    NAMED_LEAD = "named_lead", "Named or executive lead"


class EscalationPolicy(models.Model):
    """How long an obligation may take and who hears when it is missed.

    Looked up by kind, then the most specific urgency and jurisdiction (blank means any). The
    jurisdiction matched is the obligation's nation (CALENDAR_OF_KIND): the team's for the
    leads' own obligations, the concern's for agency clocks. Administrators edit these in the
    Django admin; data migrations seed the defaults.
    """

    kind = models.CharField(max_length=40, choices=ObligationKind.choices)
    urgency = models.CharField(
        max_length=20,
        blank=True,
        help_text="Blank: any urgency (values as on the concern: immediate, same_day, routine).",
    )
    jurisdiction = models.CharField(
        max_length=20,
        blank=True,
        help_text="Blank: any nation (england, wales, scotland, northern_ireland). Matched against the team's "
        "nation for the leads' own obligations (acknowledge, decide, reviews) and the concern's nation for "
        "agency clocks (referral response, written confirmation, LADO).",
    )
    duration_minutes = models.PositiveIntegerField(help_text="Time allowed from the start of the obligation.")
    duration_basis = models.CharField(max_length=10, choices=DurationBasis.choices, default=DurationBasis.WORKING)
    description = models.CharField(max_length=200, blank=True, help_text="Where the number comes from.")

    class Meta:
        verbose_name_plural = "escalation policies"
        ordering = ["kind", "urgency", "jurisdiction"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "urgency", "jurisdiction"], name="escalation_policy_unique"),
        ]

    def __str__(self) -> str:
        scope = ", ".join(filter(None, [self.urgency, self.jurisdiction])) or "any"
        return f"{self.get_kind_display()} ({scope}): {self.duration_minutes} min {self.duration_basis}"


class EscalationStep(models.Model):
    """One rung of the ladder: ``delay_minutes`` after the due time, tell ``recipients``."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(help_text="1 fires first.")
    delay_minutes = models.PositiveIntegerField(default=0, help_text="Minutes after the due time (real time).")
    recipients = models.CharField(max_length=30, choices=RecipientRole.choices)
    named_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="For the named or executive lead step; empty uses the ESCALATION_NAMED_LEAD_EMAILS setting.",
    )

    class Meta:
        ordering = ["policy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="escalation_step_unique"),
        ]

    def __str__(self) -> str:
        return f"Step {self.number}: +{self.delay_minutes} min, {self.get_recipients_display()}"


class DeadlineState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    CANCELLED = "cancelled", "Cancelled"


class Deadline(models.Model):
    """One time-bound obligation. The sweep fires its escalation steps until it is closed."""

    kind = models.CharField(max_length=40, choices=ObligationKind.choices)
    concern = models.ForeignKey(
        "concerns.Concern", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    # What the obligation is about (the concern itself, a referral, a client...): label_lower + pk.
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    subject_ref = models.CharField(max_length=40, blank=True, help_text="A reference safe to put in a message.")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(max_length=20, blank=True)
    # The nation whose policy and working days this obligation follows (CALENDAR_OF_KIND).
    jurisdiction = models.CharField(
        max_length=20, blank=True, help_text="The nation whose policy and working calendar apply."
    )
    policy = models.ForeignKey(EscalationPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(db_default=Now())
    due_at = models.DateTimeField()
    # Steps already fired; the next one is step + 1.
    step = models.PositiveSmallIntegerField(default=0)
    next_fire_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    # An obligation is never deleted and what it is about never changes: only the clock's moving
    # parts do (every change captured below).
    append_only = AppendOnly(updatable=("due_at", "step", "next_fire_at", "state", "closed_at"))
    capture_row_changes = True

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The sweep: WHERE state = 'open' AND next_fire_at <= now() ORDER BY next_fire_at
            # LIMIT n FOR UPDATE SKIP LOCKED.
            models.Index(
                fields=["next_fire_at"],
                name="deadline_due_open_idx",
                condition=Q(state="open", next_fire_at__isnull=False),
            ),
            # close_deadlines and the queue: WHERE concern_id = %s AND kind = %s AND state = 'open'.
            models.Index(fields=["concern", "kind"], name="deadline_concern_kind_idx", condition=Q(state="open")),
        ]
        constraints = [
            # One open deadline per obligation: a repeated open_deadline returns the same row.
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"], condition=Q(state="open"), name="deadline_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.subject_ref or self.subject_id} due {self.due_at:%Y-%m-%d %H:%M}"


class Alert(models.Model):
    """The record that step ``step`` of a deadline was decided. Never twice (unique constraint)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="alerts")
    step = models.PositiveSmallIntegerField()
    recipients = models.CharField(max_length=30, choices=RecipientRole.choices)
    # Database wall clock at insert: the acknowledgement race test compares it with acknowledged_at.
    created_at = models.DateTimeField(
        db_default=models.Func(template="clock_timestamp()", output_field=models.DateTimeField())
    )
    overdue_seconds = models.IntegerField(default=0)

    capture_row_changes = True

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "step"], name="alert_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"Alert step {self.step} for deadline {self.deadline_id}"

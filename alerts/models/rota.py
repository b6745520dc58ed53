"""Who is on duty when, and who is away: alerts go to people on duty and never to people on leave."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class DutyRole(models.TextChoices):
    LEAD = "lead", "On-duty lead"
    DEPUTY = "deputy", "On-duty deputy"


class DutyShift(models.Model):
    """Who is on duty when. A shift without a team covers every team the person covers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_shifts")
    role = models.CharField(max_length=10, choices=DutyRole.choices)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            # Who is on duty now: WHERE starts_at <= now AND ends_at > now.
            models.Index(fields=["ends_at", "starts_at"], name="dutyshift_current_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="dutyshift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"


class Leave(models.Model):
    """Leave or absence: someone on leave is never alerted as on duty."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leave")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "leave"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="leave_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user} away {self.starts_at:%Y-%m-%d} to {self.ends_at:%Y-%m-%d}"

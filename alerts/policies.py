"""Escalation policies: how long each obligation may take and who hears when it is missed.

Policies are data (``EscalationPolicy`` with its ``EscalationStep`` rows), seeded by a data
migration and edited by administrators in the Django admin. When no row matches (an
administrator deleted the catch-all row, say), ``FALLBACK`` applies, so a missing policy never
stops the clock or a submission: it errs on the side of alerting early.
"""

import logging
from dataclasses import dataclass

from alerts.models import DurationBasis, EscalationPolicy, RecipientRole

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    number: int
    delay_minutes: int
    recipients: str
    step_id: int | None = None


@dataclass(frozen=True)
class ResolvedPolicy:
    """A policy as the clock engine uses it, from a row or the fallback."""

    policy_id: int | None
    duration_minutes: int
    duration_basis: str
    steps: tuple[Step, ...]

    def step(self, number: int) -> Step | None:
        return next((s for s in self.steps if s.number == number), None)

    def step_after(self, number: int) -> Step | None:
        return next((s for s in sorted(self.steps, key=lambda s: s.number) if s.number > number), None)


# The strictest seeded time (immediate danger: 15 minutes at any hour) and the full ladder.
FALLBACK = ResolvedPolicy(
    policy_id=None,
    duration_minutes=15,
    duration_basis=DurationBasis.ELAPSED,
    steps=(
        Step(1, 0, RecipientRole.DUTY_LEADS),
        Step(2, 30, RecipientRole.SAFEGUARDING_MANAGER),
        Step(3, 120, RecipientRole.NAMED_LEAD),
    ),
)


def _specificity(urgency: str, jurisdiction: str) -> int:
    return (2 if urgency else 0) + (1 if jurisdiction else 0)


def resolve_policy(
    *, kind: str, urgency: str = "", jurisdiction: str = "", policy_id: int | None = None
) -> ResolvedPolicy:
    """The most specific policy for (kind, urgency, jurisdiction); blank fields match anything."""
    if policy_id is not None:
        policy = EscalationPolicy.objects.filter(pk=policy_id).prefetch_related("steps").first()
    else:
        rows = list(
            EscalationPolicy.objects.filter(
                kind=kind, urgency__in=["", urgency or ""], jurisdiction__in=["", jurisdiction or ""]
            ).prefetch_related("steps")
        )
        policy = max(rows, key=lambda p: _specificity(p.urgency, p.jurisdiction)) if rows else None
    if policy is not None:
        steps = tuple(Step(s.number, s.delay_minutes, s.recipients, s.pk) for s in policy.steps.all())
        return ResolvedPolicy(policy.pk, policy.duration_minutes, policy.duration_basis, steps)
    logger.error("No escalation policy matches %s/%s/%s; the fallback applies", kind, urgency, jurisdiction)
    return FALLBACK

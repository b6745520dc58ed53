"""Escalation policies: how long each obligation may take and who hears when it is missed.

Policies are data (``EscalationPolicy`` with its ``EscalationStep`` rows), edited by
administrators in the Django admin. ``DEFAULT_POLICIES`` is what data migration 0002 seeds; it
is also the fallback when no row matches, so a missing or deleted policy never stops the clock.
"""

from dataclasses import dataclass, field

from escalation.models import DurationBasis, EscalationPolicy, ObligationKind, RecipientRole

ELAPSED = DurationBasis.ELAPSED
WORKING = DurationBasis.WORKING
WORKING_DAY = 8 * 60  # minutes in the default 09:00-17:00 working day

# Internal acknowledgement ladder (domain.md 4.3): at the deadline the owner or on-duty lead
# and deputies; 30 minutes later the safeguarding manager; 2 hours later the named lead.
ACK_STEPS = [
    (1, 0, RecipientRole.DUTY_LEADS),
    (2, 30, RecipientRole.SAFEGUARDING_MANAGER),
    (3, 120, RecipientRole.NAMED_LEAD),
]
# External and client-level obligations: chase the owner at the deadline, then the manager.
CHASE_STEPS = [
    (1, 0, RecipientRole.DUTY_LEADS),
    (2, 120, RecipientRole.SAFEGUARDING_MANAGER),
]


@dataclass(frozen=True)
class PolicySpec:
    kind: str
    urgency: str
    jurisdiction: str
    duration_minutes: int
    duration_basis: str
    description: str
    steps: list = field(default_factory=list)


DEFAULT_POLICIES = [
    PolicySpec(ObligationKind.ACKNOWLEDGE_CONCERN, "immediate", "", 15, ELAPSED,
               "Immediate danger: acknowledge within 15 minutes, at any hour.", ACK_STEPS),
    PolicySpec(ObligationKind.ACKNOWLEDGE_CONCERN, "same_day", "", 60, WORKING,
               "Same day: acknowledge within 1 working hour (domain 4.3).", ACK_STEPS),
    PolicySpec(ObligationKind.ACKNOWLEDGE_CONCERN, "routine", "", 4 * 60, WORKING,
               "Routine: acknowledge within 4 working hours (domain 4.3).", ACK_STEPS),
    PolicySpec(ObligationKind.ACKNOWLEDGE_CONCERN, "", "", 4 * 60, WORKING,
               "Any other urgency: 4 working hours.", ACK_STEPS),
    PolicySpec(ObligationKind.REFERRAL_RESPONSE, "", "", WORKING_DAY, WORKING,
               "A local authority decides within 1 working day (Working Together 2023; Wales: 1 working day).",
               CHASE_STEPS),
    PolicySpec(ObligationKind.WRITTEN_CONFIRMATION, "", "", 24 * 60, ELAPSED,
               "Confirm a phoned referral in writing within 24 hours (Wales procedures; best practice UK-wide).",
               CHASE_STEPS),
    PolicySpec(ObligationKind.LADO_TASK, "", "", WORKING_DAY, WORKING,
               "Tell the LADO within 1 working day (England and elsewhere).", CHASE_STEPS),
    PolicySpec(ObligationKind.LADO_TASK, "", "wales", 24 * 60, ELAPSED,
               "Wales: tell the designated officer within 24 hours.", CHASE_STEPS),
    PolicySpec(ObligationKind.CLIENT_INFORMED_REVIEW, "", "", 0, WORKING,
               "Due at the opening of the review date.", CHASE_STEPS),
    PolicySpec(ObligationKind.SHARING_REVIEW, "", "", 0, WORKING,
               "Due at the opening of the review date.", CHASE_STEPS),
    PolicySpec(ObligationKind.LIMITS_REVISIT, "", "", 0, WORKING,
               "Due at the opening of the revisit date.", CHASE_STEPS),
]


@dataclass(frozen=True)
class Step:
    number: int
    delay_minutes: int
    recipients: str
    step_id: int | None = None


@dataclass(frozen=True)
class ResolvedPolicy:
    """A policy as the clock engine uses it, from a row or from the defaults."""

    policy_id: int | None
    duration_minutes: int
    duration_basis: str
    steps: tuple[Step, ...]

    def step(self, number: int) -> Step | None:
        return next((s for s in self.steps if s.number == number), None)

    def step_after(self, number: int) -> Step | None:
        return next((s for s in sorted(self.steps, key=lambda s: s.number) if s.number > number), None)


def _specificity(urgency: str, jurisdiction: str) -> int:
    return (2 if urgency else 0) + (1 if jurisdiction else 0)


def _default_for(kind: str, urgency: str, jurisdiction: str) -> PolicySpec:
    candidates = [
        p
        for p in DEFAULT_POLICIES
        if p.kind == kind and p.urgency in ("", urgency) and p.jurisdiction in ("", jurisdiction)
    ]
    if not candidates:
        raise ValueError(f"No escalation policy for obligation kind {kind!r}.")
    return max(candidates, key=lambda p: _specificity(p.urgency, p.jurisdiction))


def resolve_policy(
    *, kind: str, urgency: str = "", jurisdiction: str = "", policy_id: int | None = None
) -> ResolvedPolicy:
    """The most specific policy for (kind, urgency, jurisdiction); blank fields match anything."""
    if policy_id is not None:
        policy = EscalationPolicy.objects.filter(pk=policy_id).prefetch_related("steps").first()
    else:
        rows = list(
            EscalationPolicy.objects.filter(kind=kind, urgency__in=["", urgency or ""],
                                            jurisdiction__in=["", jurisdiction or ""]).prefetch_related("steps")
        )
        policy = max(rows, key=lambda p: _specificity(p.urgency, p.jurisdiction)) if rows else None
    if policy is not None:
        steps = tuple(Step(s.number, s.delay_minutes, s.recipients, s.pk) for s in policy.steps.all())
        return ResolvedPolicy(policy.pk, policy.duration_minutes, policy.duration_basis, steps)
    spec = _default_for(kind, urgency or "", jurisdiction or "")
    steps = tuple(Step(n, d, r) for n, d, r in spec.steps)
    return ResolvedPolicy(None, spec.duration_minutes, spec.duration_basis, steps)


def seed_default_policies(policy_model, step_model) -> None:
    """Used by the data migration (with historical models) and by tests after a flush."""
    for spec in DEFAULT_POLICIES:
        policy, created = policy_model.objects.get_or_create(
            kind=str(spec.kind),
            urgency=spec.urgency,
            jurisdiction=spec.jurisdiction,
            defaults={
                "duration_minutes": spec.duration_minutes,
                "duration_basis": str(spec.duration_basis),
                "description": spec.description,
            },
        )
        if created:
            for number, delay, recipients in spec.steps:
                step_model.objects.create(policy=policy, number=number, delay_minutes=delay, recipients=str(recipients))

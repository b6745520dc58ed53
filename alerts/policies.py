"""Escalation policies: how long each obligation may take and who hears when it is missed.

Policies are data (``EscalationPolicy`` with its ``EscalationStep`` rows), seeded by a data
migration and edited by administrators in the Django admin. When no row matches (an
administrator deleted the catch-all row, say), ``FALLBACK`` applies, so a missing policy never
stops the clock or a submission: it errs on the side of alerting early.
"""

import json
import logging
from dataclasses import dataclass

from django.db import connection

from alerts.models import DurationBasis, EscalationPolicy, EscalationStep, RecipientRole

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


# The policies and their steps in one statement. Every deadline opened (a submit's included)
# resolves its policy: the steps' own read was a second round trip, and building either
# query through the ORM cost more than running both.
_POLICIES_SQL = (
    "SELECT p.id, p.urgency, p.jurisdiction, p.duration_minutes, p.duration_basis,"
    " (SELECT COALESCE(json_agg(json_build_array(s.id, s.number, s.delay_minutes, s.recipients)"
    " ORDER BY s.number), '[]') FROM {steps} s WHERE s.policy_id = p.id)"
    " FROM {policies} p WHERE "
)


def _policies(where: str, params: list) -> list[tuple[str, str, ResolvedPolicy]]:
    """(urgency, jurisdiction, policy) of the policy rows ``where`` matches."""
    sql = _POLICIES_SQL.format(steps=EscalationStep._meta.db_table, policies=EscalationPolicy._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql + where, params)
        rows = [(*row[:5], row[5] if isinstance(row[5], list) else json.loads(row[5])) for row in cursor.fetchall()]
    return [
        (
            urgency,
            jurisdiction,
            ResolvedPolicy(
                pk,
                minutes,
                basis,
                tuple(Step(number, delay, recipients, step_id) for step_id, number, delay, recipients in steps),
            ),
        )
        for pk, urgency, jurisdiction, minutes, basis, steps in rows
    ]


def resolve_policy(
    *, kind: str, urgency: str = "", jurisdiction: str = "", policy_id: int | None = None
) -> ResolvedPolicy:
    """The most specific policy for (kind, urgency, jurisdiction); blank fields match anything."""
    if policy_id is not None:
        rows = _policies("p.id = %s", [policy_id])
    else:
        rows = _policies(
            "p.kind = %s AND p.urgency IN ('', %s) AND p.jurisdiction IN ('', %s)",
            [kind, urgency or "", jurisdiction or ""],
        )
    if rows:
        return max(rows, key=lambda row: _specificity(row[0], row[1]))[2]
    logger.error("No escalation policy matches %s/%s/%s; the fallback applies", kind, urgency, jurisdiction)
    return FALLBACK

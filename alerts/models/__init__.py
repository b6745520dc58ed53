"""The clock engine's models, by sub-domain: deadlines and policies, delivery, the duty rota."""

from alerts.models.deadlines import (
    CALENDAR_OF_KIND,
    Alert,
    CalendarOf,
    Deadline,
    DeadlineState,
    DurationBasis,
    EscalationPolicy,
    EscalationStep,
    ObligationKind,
    RecipientRole,
)
from alerts.models.delivery import Channel, DeliveryAttempt, Notification, OutboxMessage, OutboxStatus
from alerts.models.rota import DutyRole, DutyShift, Leave

__all__ = [
    "CALENDAR_OF_KIND",
    "Alert",
    "CalendarOf",
    "Channel",
    "Deadline",
    "DeadlineState",
    "DeliveryAttempt",
    "DurationBasis",
    "DutyRole",
    "DutyShift",
    "EscalationPolicy",
    "EscalationStep",
    "Leave",
    "Notification",
    "ObligationKind",
    "OutboxMessage",
    "OutboxStatus",
    "RecipientRole",
]

"""The clock engine: deadlines, escalation policies, alerts, outbox, notifications, duty rota."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """The clock engine: deadlines, escalation policies, the working-day calendar, the duty rota,
    the sweep, the outbox, delivery and in-app notifications."""

    name = "alerts"
    verbose_name = "Deadlines and alerts"

    def ready(self):
        from alerts import intake, receivers, selectors
        from concerns.selectors import register_intake_information
        from concerns.signals import concern_submitted
        from consent.signals import review_date_set
        from health.selectors import register_check

        # /healthz reports teams without cover as degraded (docs/alerts.md, "No alert to nobody").
        register_check(selectors.cover_health)
        concern_submitted.connect(receivers.start_concern_clocks, dispatch_uid="alerts.start_concern_clocks")
        # Intake states each urgency's real times and, after submitting, who was actually told;
        # it writes a new concern with the deadline it will open.
        register_intake_information(
            urgency_meanings=intake.urgency_meanings,
            first_notice=intake.first_notice,
            first_deadline=intake.first_deadline,
        )
        review_date_set.connect(receivers.open_review_deadline, dispatch_uid="alerts.open_review_deadline")

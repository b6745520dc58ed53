import importlib

from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation, queue and alerts"

    def ready(self):
        from concerns.signals import concern_submitted
        from escalation import receivers

        concern_submitted.connect(receivers.start_concern_clocks, dispatch_uid="escalation.start_concern_clocks")
        from escalation import workflow_receivers  # noqa: F401 - the lead's workflow (LADO task on submission)
        # consent defines review_date_set (review dates for client-informed, sharing and
        # limits-of-confidentiality records); connect once it exists.
        try:
            consent_signals = importlib.import_module("consent.signals")
        except ModuleNotFoundError:
            consent_signals = None
        review_date_set = getattr(consent_signals, "review_date_set", None)
        if review_date_set is not None:
            review_date_set.connect(receivers.open_review_deadline, dispatch_uid="escalation.open_review_deadline")

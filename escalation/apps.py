from django.apps import AppConfig


class EscalationConfig(AppConfig):
    """The lead's workflow: queue, acknowledge, assign, triage, referrals, break-glass, possible
    links, closure, and the managers' dashboards."""

    name = "escalation"
    verbose_name = "The lead's workflow"

    def ready(self):
        from audit.subjects import register_subject_resolver
        from concerns.selectors import register_extra_access
        from concerns.signals import addendum_added, concern_submitted
        from escalation import receivers, selectors

        concern_submitted.connect(receivers.open_lado_task, dispatch_uid="escalation.open_lado_task")
        addendum_added.connect(receivers.tell_about_addendum, dispatch_uid="escalation.tell_about_addendum")
        register_extra_access(selectors.break_glass_concern_ids)
        register_subject_resolver(selectors.concern_named_by_url)

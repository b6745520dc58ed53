from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns"

    def ready(self) -> None:
        from concerns import lookups

        lookups.register()
        # Lower layers (consent's client pages, audit's trail) must hide what a reader may not
        # know exists without importing concerns: they take the rules from here.
        from audit.selectors import register_hidden_references
        from concerns.selectors import concern_ids_hidden_from, concerns_visible_to, references_hidden_from
        from consent.selectors import register_concern_access

        register_concern_access(visible=concerns_visible_to, hidden=concern_ids_hidden_from)
        register_hidden_references(references_hidden_from)

        from audit.subjects import register_subject_resolver
        from concerns.selectors import concern_named_by_url

        register_subject_resolver(concern_named_by_url)

        from django.db.models.signals import post_delete, post_save

        from concerns.models import ConcernCategory
        from concerns.selectors import forget_active_categories

        post_save.connect(forget_active_categories, sender=ConcernCategory, dispatch_uid="forget-categories-saved")
        post_delete.connect(forget_active_categories, sender=ConcernCategory, dispatch_uid="forget-categories-deleted")

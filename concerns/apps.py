from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns"

    def ready(self):
        from audit.subjects import register_subject_resolver
        from concerns.selectors import concern_named_by_url

        register_subject_resolver(concern_named_by_url)

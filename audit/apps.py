from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from audit import receivers  # connects the authentication receivers
        from audit.db import attach_row_capture, grant_runtime_role

        receivers.connect_optional_receivers()  # admin, password and (if installed) MFA events

        # After every migrate, the runtime role gets DML on every table and loses UPDATE,
        # DELETE and TRUNCATE on the append-only ones, whichever app created them.
        post_migrate.connect(grant_runtime_role, sender=self, dispatch_uid="audit.grant_runtime_role")
        # Changes to core tables are captured by a trigger whatever the client (raw SQL too).
        post_migrate.connect(attach_row_capture, sender=self, dispatch_uid="audit.attach_row_capture")

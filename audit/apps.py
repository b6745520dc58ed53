from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from audit import receivers  # connects the authentication receivers
        from audit.append_only import check_declarations
        from audit.db import attach_row_capture, grant_runtime_role, install_append_only_guards

        receivers.connect_optional_receivers()  # admin, password and (if installed) MFA events

        # After every migrate, the database follows the models' declarations (audit.append_only),
        # whichever app made the table: the append-only guards, the runtime role's privileges
        # (DML on every table, less what the guards protect), and row capture.
        post_migrate.connect(install_append_only_guards, sender=self, dispatch_uid="audit.install_append_only_guards")
        post_migrate.connect(grant_runtime_role, sender=self, dispatch_uid="audit.grant_runtime_role")
        post_migrate.connect(attach_row_capture, sender=self, dispatch_uid="audit.attach_row_capture")
        checks.register(check_declarations, checks.Tags.models)

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail cannot be changed from the admin either."""

    list_display = ["id", "occurred_at", "actor_email", "action", "action_label", "subject_ref"]
    list_filter = ["action"]
    search_fields = ["subject_ref", "actor_email", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

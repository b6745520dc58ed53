# --- The lead's workflow (read-only: decisions are changed only through the portal's services) ---
from django.contrib import admin as _workflow_admin  # noqa: E402

from escalation.models import (  # noqa: E402
    AssignmentRecord,
    BreakGlassGrant,
    ClosureRecord,
    ExternalReferral,
    LadoTask,
    TriageRecord,
)


class _ReadOnlyWorkflowAdmin(_workflow_admin.ModelAdmin):
    list_select_related = ["concern"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model, _columns in [
    (TriageRecord, ["concern", "risk_rating", "decision", "recorded_by", "recorded_at"]),
    (ExternalReferral, ["concern", "agency", "area", "method", "referred_at", "response_due_at",
                        "response_received_at"]),
    (LadoTask, ["concern", "jurisdiction", "due_at", "completed_at"]),
    (ClosureRecord, ["concern", "kind", "outcome", "recorded_by", "recorded_at"]),
    (AssignmentRecord, ["concern", "new_owner", "assigned_by", "assigned_at"]),
    (BreakGlassGrant, ["concern", "user", "granted_at", "expires_at"]),
]:
    _workflow_admin.site.register(_model, type(f"{_model.__name__}Admin", (_ReadOnlyWorkflowAdmin,),
                                               {"list_display": _columns}))

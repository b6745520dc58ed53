from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import (
    Alert,
    Deadline,
    DeliveryAttempt,
    DutyShift,
    EscalationPolicy,
    EscalationStep,
    Leave,
    OutboxMessage,
)
from alerts.selectors import rota_gaps


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0
    filter_horizontal = ["named_people"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    """Administrators edit how long each obligation may take and who hears when it is missed."""

    list_display = ["kind", "urgency", "jurisdiction", "duration_minutes", "duration_basis", "description"]
    list_filter = ["kind", "duration_basis"]
    inlines = [EscalationStepInline]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    """The duty rota; its list warns about every gap in the next 14 days."""

    list_display = ["user", "role", "team", "starts_at", "ends_at"]
    list_filter = ["role", "team"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["user"]

    def changelist_view(self, request, extra_context=None):
        for gap in rota_gaps():
            messages.warning(
                request,
                _("Rota gap for %(team)s: nobody on duty from %(start)s to %(end)s.")
                % {
                    "team": gap.team.name,
                    "start": f"{timezone.localtime(gap.starts_at):%a %d %b %H:%M}",
                    "end": f"{timezone.localtime(gap.ends_at):%a %d %b %H:%M}",
                },
            )
        return super().changelist_view(request, extra_context)


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    list_display = ["user", "starts_at", "ends_at", "reason"]
    autocomplete_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The engine's own records: visible for support, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["kind", "subject_ref", "team", "urgency", "jurisdiction", "due_at", "step", "next_fire_at", "state"]
    list_filter = ["state", "kind", "urgency", "jurisdiction"]
    search_fields = ["subject_ref"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["deadline", "step", "recipients", "created_at", "overdue_seconds"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "attempted_at", "succeeded", "error", "duration_ms"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["channel", "address", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["subject", "address", "message_id"]
    inlines = [DeliveryAttemptInline]

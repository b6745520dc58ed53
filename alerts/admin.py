"""Django admin: escalation policies, the duty rota and leave.

Deadlines, alerts and outbox messages are workflow records about concerns: read through the
audited pages, never the admin.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import (
    DutyShift,
    EscalationPolicy,
    EscalationStep,
    Leave,
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

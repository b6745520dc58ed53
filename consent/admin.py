"""Django admin: statements and the lawful-basis code lists are maintained here.

Clients and the records clinicians make about them (limits of confidentiality, sharing
decisions, client-informed records) are case content: they are read through the audited
pages only, never the admin.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent import services
from consent.models import (
    ConfidentialityStatement,
    LawfulBasisOption,
)


@admin.register(ConfidentialityStatement)
class ConfidentialityStatementAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_from", "published_at"]
    fields = ["version", "title", "text", "effective_from", "published_at", "published_by"]
    readonly_fields = ["version", "effective_from", "published_at", "published_by"]
    actions = ["publish_today"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return self.fields  # published versions are frozen
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is not None and not obj.is_published and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Through the services, so version numbers, the freeze and the audit trail hold here too.
        if obj.pk:
            services.update_statement_draft(actor=request.user, statement=obj, title=obj.title, text=obj.text)
        else:
            created = services.create_statement_draft(actor=request.user, title=obj.title, text=obj.text)
            obj.pk, obj.version = created.pk, created.version

    @admin.action(description="Publish the selected drafts, effective today")
    def publish_today(self, request, queryset):
        for statement in queryset.order_by("version"):
            try:
                services.publish_statement(actor=request.user, statement=statement, effective_from=timezone.localdate())
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"Version {statement.version} published.")


@admin.register(LawfulBasisOption)
class LawfulBasisOptionAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "schedule1_paragraph", "safeguarding_default", "active", "position"]
    list_filter = ["kind", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire an option (active = false): decisions point at it

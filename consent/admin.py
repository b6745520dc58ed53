"""Django admin: statements and the lawful-basis code lists are maintained here; the records
clinicians make are read-only (they are append-only in the database too)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent import services
from consent.models import (
    Client,
    ClientInformedRecord,
    ConfidentialityStatement,
    LawfulBasisOption,
    LimitsRecord,
    SharingDecision,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["reference", "team", "created_at"]
    list_filter = ["team"]
    search_fields = ["reference"]
    readonly_fields = ["created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not obj.pk:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


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


@admin.register(LimitsRecord)
class LimitsRecordAdmin(ReadOnlyAdmin):
    list_display = ["client", "statement", "explained_at", "explained_by", "understanding"]
    list_select_related = ["client", "statement", "explained_by"]


@admin.register(SharingDecision)
class SharingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["concern", "decision", "consent", "decided_at", "decided_by"]
    list_select_related = ["concern", "decided_by"]


@admin.register(ClientInformedRecord)
class ClientInformedRecordAdmin(ReadOnlyAdmin):
    list_display = ["concern", "status", "review_on", "recorded_at"]
    list_select_related = ["concern"]

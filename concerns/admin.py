from django.contrib import admin

from concerns.models import ConcernCategory


@admin.register(ConcernCategory)
class ConcernCategoryAdmin(admin.ModelAdmin):
    """The configurable code lists. Concerns themselves are not edited in the admin (they are immutable)."""

    list_display = ("code", "label", "population", "nations", "active", "order")
    list_filter = ("population", "active")
    list_editable = ("active", "order")
    search_fields = ("code", "label")

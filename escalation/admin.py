"""Django admin: referral pack templates (each agency's headings per nation) are edited here.

Packs themselves are not: drafts change through the lead's pages, and finalised packs never.
"""

from django import forms
from django.contrib import admin

from escalation.packs.models import PackContent, PackHeading, PackTemplate


class PackHeadingForm(forms.ModelForm):
    contents = forms.TypedMultipleChoiceField(
        choices=PackContent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What the portal writes under this heading (only what the sharing decision allows). "
        "None: the lead writes it.",
    )

    class Meta:
        model = PackHeading
        fields = ["position", "title", "guidance", "contents"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}


class PackHeadingInline(admin.StackedInline):
    model = PackHeading
    form = PackHeadingForm
    extra = 0
    ordering = ["position", "id"]


@admin.register(PackTemplate)
class PackTemplateAdmin(admin.ModelAdmin):
    """Changes apply to packs drafted from now on; a pack already drafted keeps its headings."""

    list_display = ["title", "agency", "jurisdiction", "active", "updated_at"]
    list_filter = ["agency", "jurisdiction", "active"]
    inlines = [PackHeadingInline]

    def has_delete_permission(self, request, obj=None):
        # Packs point at the template they were drafted from: retire it (active off) instead.
        return False

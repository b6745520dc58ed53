from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team, User
from accounts.selectors import covering_leads, teams_without_cover


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams, their nation (working calendar) and whether any lead or deputy covers them."""

    list_display = ["name", "code", "nation", "cover"]
    list_filter = ["nation"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_cover=Exists(covering_leads()))

    @admin.display(description=_("Cover"), boolean=True, ordering="has_cover")
    def cover(self, team: Team) -> bool:
        """False: no lead or deputy covers the team by name (the warning above the list says so)."""
        return bool(getattr(team, "has_cover", True))

    def changelist_view(self, request, extra_context=None):
        for team in teams_without_cover():
            messages.warning(
                request,
                _(
                    "No lead or deputy covers %(team)s: its alerts go to the organisation-wide leads, then the "
                    "managers. Add the team to a lead's covered teams."
                )
                % {"team": team.name},
            )
        return super().changelist_view(request, extra_context)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The one row of organisation settings: the default nation and the allegations manager."""

    list_display = ["name", "nation", "allegations_manager"]
    autocomplete_fields = ["allegations_manager"]

    def has_add_permission(self, request):
        return not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active"]
    search_fields = ["email", "full_name"]
    filter_horizontal = ["groups", "teams", "covered_teams"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "phone")}),
        ("Teams and roles", {"fields": ("groups", "teams", "covered_teams", "covers_all_teams")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


# allauth registers its Authenticator admin, whose change form shows and edits the stored
# secrets. Administrators see only which factors a person has, and may remove one (a lost
# phone); enrolment is the person's own, on the portal's pages.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

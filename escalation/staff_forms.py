"""Forms for identifying an alleged person as staff and for declaring a conflict of interest.

They validate input only; ``escalation.staff_services`` does the work.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class StaffChoiceField(forms.ModelChoiceField):
    """A member of staff by name and team only: never their email, role or anything else."""

    def label_from_instance(self, obj: User) -> str:
        teams = ", ".join(team.name for team in obj.teams.all())
        return f"{obj.get_full_name()} ({teams})" if teams else obj.get_full_name()


class StaffLinkForm(forms.Form):
    alleged_person = forms.ChoiceField(label=_("Alleged person"))
    staff_member = StaffChoiceField(
        label=_("Member of staff"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        help_text=_("Name and team. From now on the concern is hidden from them everywhere."),
    )
    reason = forms.CharField(
        label=_("Why you are sure it is them"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, alleged_people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alleged_person"].choices = [("", _("Choose an alleged person"))] + [
            (str(person.pk), str(person)) for person in alleged_people
        ]
        self.fields["staff_member"].queryset = (
            User.objects.filter(is_active=True).prefetch_related("teams").order_by("full_name", "id")
        )
        for name in ("alleged_person", "staff_member"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["reason"].widget.attrs["class"] = "form-control"


class ConflictOfInterestForm(forms.Form):
    reason = forms.CharField(
        label=_("Your conflict of interest"),
        help_text=_("For example: the client or someone named is a relative or a friend."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

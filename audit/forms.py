from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.widgets import QuickSelect, ValuesModelChoiceIterator
from audit.actions import AuditKind, code_choices
from audit.selectors import TrailFilter, people_for_filter


def action_suggestions() -> list[tuple[str, str]]:
    """(value, label) for the action field's suggestions: each code's start, then every code.

    Read from the registry, so a suggestion always matches something the portal writes.
    """
    codes = code_choices()
    prefixes = dict.fromkeys(code.split(".")[0] + "." for code, _label in codes)
    return [(prefix, gettext("Every action starting %(prefix)s") % {"prefix": prefix}) for prefix in prefixes] + [
        (code, str(label)) for code, label in codes
    ]


class PersonChoiceField(forms.ModelChoiceField):
    # Every account is a choice: listed from plain rows, not model instances.
    iterator = ValuesModelChoiceIterator
    label_fields = ("full_name", "email")

    @staticmethod
    def label_from_values(full_name, email):
        return f"{full_name} ({email})" if full_name else email

    def label_from_instance(self, obj):
        return self.label_from_values(obj.full_name, obj.email)


class TrailFilterForm(forms.Form):
    # Every account is a choice: rendered in one pass, not one template per option.
    person = PersonChoiceField(queryset=None, required=False, empty_label="Anyone", label="Person", widget=QuickSelect)
    reference = forms.CharField(
        required=False, max_length=40, label="Concern reference", help_text="For example SG-2026-000123."
    )
    action = forms.CharField(
        required=False,
        max_length=80,
        label="Action",
        help_text="A code or its start: concern. finds every concern event.",
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", _("Any kind"))] + AuditKind.choices,
        label=_("Kind of event"),
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_for_filter()
        self.fields["action"].widget.attrs["list"] = "action-suggestions"

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()

    def clean_action(self):
        return self.cleaned_data["action"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned

    def to_filter(self) -> TrailFilter:
        """The filter for a valid form; an invalid field is left out (its error is shown)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        person = data.get("person")
        return TrailFilter(
            person_id=person.pk if person else None,
            reference=data.get("reference", ""),
            action=data.get("action", ""),
            kind=data.get("kind", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
        )


class BreakGlassReviewForm(forms.Form):
    comment = forms.CharField(
        label="Review comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you checked and what you found, for example: confirmed on the duty rota.",
    )

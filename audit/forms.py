from functools import lru_cache

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
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


def action_suggestion_options() -> SafeString:
    """The suggestions as the datalist's <option> elements, built once per language (the
    registry does not change while the portal runs)."""
    return _suggestion_options(get_language())


@lru_cache(maxsize=16)
def _suggestion_options(language: str | None) -> SafeString:
    return format_html_join("", '<option value="{}">{}</option>', action_suggestions())


class BootstrapBoundField(forms.BoundField):
    """A field as crispy-forms' Bootstrap 5 layout shows it (label, widget, errors, help), built
    in Python: crispy renders each field through half a dozen nested templates.

    Same markup and accessibility: the label names the widget, and Django's own widget attributes
    tie the errors and help to it (aria-invalid, aria-describedby); the error summary links to
    the widget's id.
    """

    def as_field_group(self) -> SafeString:
        widget = self.field.widget
        errors = self.errors
        # The classes crispy gives: the widget's own, its class name, Bootstrap's, is-invalid.
        classes = widget.attrs.get("class", "").split()
        name = type(widget).__name__.lower()
        if name not in widget.attrs.get("class", ""):
            classes.append(name)
        classes.append("form-select" if isinstance(widget, forms.Select) else "form-control")
        if errors:
            classes.append("is-invalid")
        control = self.as_widget(attrs={"class": " ".join(dict.fromkeys(classes))})
        required = self.field.required
        label = (
            format_html(
                '<label for="{}" class="form-label{}">{}{}</label>',
                self.id_for_label,
                " requiredField" if required else "",
                self.label,
                mark_safe('<span class="asteriskField">*</span>') if required else "",  # noqa: S308  # nosec B308 B703
            )
            if self.label
            else ""
        )
        error_html = (
            format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                self.auto_id,
                format_html_join(
                    "",
                    '<p id="error_{}_{}"><strong>{}</strong></p>',
                    ((number, self.auto_id, error) for number, error in enumerate(errors, start=1)),
                ),
            )
            if errors
            else ""
        )
        # The help texts are plain sentences: escaped, where crispy would take them as markup.
        help_html = (
            format_html('<div id="{}_helptext" class="form-text">{}</div>', self.auto_id, self.help_text)
            if self.help_text
            else ""
        )
        return format_html(
            '<div id="div_{}" class="mb-3">{}{}{}{}</div>', self.auto_id, label, control, error_html, help_html
        )


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
    # Each field is shown by BootstrapBoundField.as_field_group, without crispy's templates.
    bound_field_class = BootstrapBoundField

    # Every account is a choice: rendered in one pass, not one template per option.
    person = PersonChoiceField(
        queryset=None, required=False, empty_label=_("Anyone"), label=_("Person"), widget=QuickSelect
    )
    reference = forms.CharField(
        required=False, max_length=40, label=_("Concern reference"), help_text=_("For example SG-2026-000123.")
    )
    action = forms.CharField(
        required=False,
        max_length=80,
        label=_("Action"),
        help_text=_("A code or its start: concern. finds every concern event."),
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", _("Any kind"))] + AuditKind.choices,
        widget=QuickSelect,
        label=_("Kind of event"),
    )
    date_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

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
            self.add_error("date_to", _("The end date must be on or after the start date."))
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
        label=_("Review comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you checked and what you found, for example: confirmed on the duty rota."),
    )

"""Forms for referral packs: choose what to build from, edit the sections, finalise."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalation.packs.services import WRITTEN_METHODS

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        when = timezone.localtime(obj.decided_at).strftime("%d %b %Y %H:%M")
        return f"{obj.get_decision_display()}: {when}, {obj.decided_by.get_full_name()}"


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        when = timezone.localtime(obj.referred_at).strftime("%d %b %Y %H:%M")
        text = f"{obj.agency_label} ({obj.area}): {obj.get_method_display().lower()}, {when}"
        if obj.awaiting_written_confirmation:
            text += str(_(", awaiting written confirmation"))
        return text


class BuildPackForm(forms.Form):
    sharing_decision = DecisionChoiceField(
        label=_("The decision to share it is built from"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Only what this decision allows goes into the pack; its protected identities are replaced."),
    )
    agency = forms.ChoiceField(label=_("Who it is for"), widget=forms.RadioSelect)
    referral = ReferralChoiceField(
        label=_("Does it confirm a referral already made? (optional)"),
        queryset=None,
        required=False,
        empty_label=_("No: I will record the referral when I finalise the pack"),
        help_text=_(
            "Choose a phoned referral to send its written confirmation: finalising the pack meets that deadline."
        ),
    )

    def __init__(self, *args, decisions, templates, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sharing_decision"].queryset = decisions
        self.fields["agency"].choices = [(t.agency, t.title) for t in templates]
        self.fields["referral"].queryset = referrals
        if not self.is_bound:
            first = decisions.first()
            if first is not None:
                self.initial.setdefault("sharing_decision", first.pk)

    def clean(self):
        cleaned = super().clean()
        referral, agency = cleaned.get("referral"), cleaned.get("agency")
        if referral is not None and agency and referral.agency != agency:
            self.add_error(
                "referral",
                _("That referral was made to %(agency)s: choose the same agency above, or no referral.")
                % {"agency": referral.agency_label},
            )
        return cleaned


class EditPackForm(forms.Form):
    """One text box per section, under its heading; the revision edited rides along."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What did you change? (optional)"),
        max_length=300,
        required=False,
        help_text=_("Kept with this version in the pack's history."),
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        fields = {}
        for index, section in enumerate(sections):
            fields[f"section_{index}"] = forms.CharField(
                label=section["heading"],
                required=False,
                strip=False,
                initial=section["body"],
                help_text=section.get("guidance", ""),
                widget=forms.Textarea(attrs={"rows": max(3, min(18, section["body"].count("\n") + 3))}),
            )
        note = self.fields.pop("note")
        self.fields.update(fields)
        self.fields["note"] = note

    def section_fields(self):
        return [self[f"section_{index}"] for index in range(len(self.sections))]

    def bodies(self) -> list[str]:
        return [self.cleaned_data.get(f"section_{index}") or "" for index in range(len(self.sections))]


class FinalisePackForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    expected_status = forms.CharField(widget=forms.HiddenInput)
    area = forms.CharField(label=_("Local authority or area it is sent to"), max_length=150, required=False)
    method = forms.ChoiceField(
        label=_("How it is sent"),
        required=False,
        choices=[("", _("Choose how"))] + [(m.value, m.label) for m in WRITTEN_METHODS],
    )
    referred_at = forms.DateTimeField(
        label=_("When it is sent"), required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    contact_name = forms.CharField(label=_("Sent to (name or role, optional)"), max_length=150, required=False)
    their_reference = forms.CharField(label=_("Their reference (optional)"), max_length=80, required=False)
    checked = forms.BooleanField(
        label=_("I have read the pack: it holds only what the decision allows, and no protected identity."),
        required=True,
        error_messages={"required": _("Confirm that you have read the pack before finalising it.")},
    )

    def __init__(self, *args, new_referral: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_referral = new_referral
        if not new_referral:
            for name in ("area", "method", "referred_at", "contact_name", "their_reference"):
                del self.fields[name]
        elif not self.is_bound:
            self.initial.setdefault("referred_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean(self):
        cleaned = super().clean()
        if self.new_referral:
            if not (cleaned.get("area") or "").strip():
                self.add_error("area", _("Give the local authority or area the pack is sent to."))
            if not cleaned.get("method"):
                self.add_error("method", _("Say how the pack is sent."))
            referred_at = cleaned.get("referred_at")
            if referred_at is None and "referred_at" not in self.errors:
                self.add_error("referred_at", _("Say when the pack is sent."))
            elif referred_at and referred_at > timezone.now() + timedelta(minutes=5):
                self.add_error("referred_at", _("The time it is sent cannot be in the future."))
        return cleaned

    def service_values(self) -> dict:
        values = {"revision": self.cleaned_data["revision"], "expected_status": self.cleaned_data["expected_status"]}
        if self.new_referral:
            values.update(
                {
                    name: self.cleaned_data[name]
                    for name in ("area", "method", "referred_at", "contact_name", "their_reference")
                }
            )
        return values

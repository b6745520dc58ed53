"""Forms: validation and clear messages only; the services do the writing."""

from django import forms
from django.utils import timezone

from accounts.models import Team
from consent.models import (
    ClientInformedRecord,
    ConfidentialityStatement,
    LimitsRecord,
    SharedPart,
    SharingDecision,
)
from consent.selectors import (
    LAWFUL_BASIS_FIELDS,
    client_team_ids,
    current_statement,
    lawful_basis_choices,
    lawful_basis_defaults,
    published_statements,
)
from consent.services import (
    SHARING_FIELDS,
    client_informed_errors,
    protected_identity_errors,
    sharing_decision_errors,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ServiceErrorsMixin:
    """Puts a service's ValidationError beside the fields it names (what was typed stays)."""

    def add_service_errors(self, error):
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class ClientForm(ServiceErrorsMixin, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    reference = forms.CharField(
        label="Client reference", max_length=60, help_text="The team's own reference, e.g. from the case notes."
    )
    display_name = forms.CharField(
        label="Name (optional)",
        max_length=150,
        required=False,
        # Help texts are shown as HTML: no angle brackets, or the browser swallows them as a tag.
        help_text="Leave blank unless a name is needed; the portal shows the client as “Client” and their "
        "reference, e.g. “Client C-1042”.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        team_ids = client_team_ids(user)
        teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams[0]


class StatementForm(forms.ModelForm):
    class Meta:
        model = ConfidentialityStatement
        fields = ["title", "text"]
        labels = {"text": "Statement text"}
        widgets = {"text": forms.Textarea(attrs={"rows": 16})}


class PublishStatementForm(forms.Form):
    effective_from = forms.DateField(
        label="Takes effect on",
        widget=DATE_INPUT,
        help_text="Today or later. Clients explained an older "
        "version will be listed as needing a revisit from this date.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()


class LimitsRecordForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = LimitsRecord
        fields = [
            "statement",
            "explained_at",
            "method",
            "interpreter_used",
            "interpreter_language",
            "present",
            "understanding",
            "understanding_notes",
            "review_on",
            "correction_reason",
        ]
        labels = {
            "statement": "Statement version explained",
            "explained_at": "When were the limits explained?",
            "method": "How were they explained?",
            "interpreter_used": "An interpreter was used",
            "interpreter_language": "Interpreter's language",
            "present": "Who else was present (optional)",
            "understanding": "The client's understanding",
            "understanding_notes": "Notes on understanding (optional)",
            "review_on": "Review by (optional)",
            "correction_reason": "What does this correction put right?",
        }
        widgets = {
            "explained_at": DATETIME_INPUT,
            "method": forms.RadioSelect,
            "understanding": forms.RadioSelect,
            "understanding_notes": forms.Textarea(attrs={"rows": 3}),
            "review_on": DATE_INPUT,
        }
        help_texts = {"review_on": "The client will be listed as needing a revisit from this date."}

    def __init__(self, *args, corrects: LimitsRecord | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.corrects = corrects
        statement = self.fields["statement"]
        statement.queryset = published_statements()
        statement.empty_label = None
        statement.label_from_instance = lambda s: f"Version {s.version} (from {s.effective_from:%d %b %Y}): {s.title}"
        self.fields["method"].choices = self.fields["method"].choices[1:]  # no blank radio
        self.fields["understanding"].choices = self.fields["understanding"].choices[1:]
        self.fields["explained_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        if corrects is None:
            del self.fields["correction_reason"]
            self.fields["statement"].initial = current_statement()
            self.fields["explained_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        else:
            self.fields["correction_reason"].required = True
            for name in self.fields:
                if name != "correction_reason" and not self.is_bound:
                    self.initial.setdefault(name, getattr(corrects, name))
            self.initial["statement"] = corrects.statement_id

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("interpreter_used") and not cleaned.get("interpreter_language", "").strip():
            self.add_error("interpreter_language", "Say which language the interpreter used.")
        explained_at = cleaned.get("explained_at")
        if explained_at and explained_at > timezone.now():
            self.add_error("explained_at", "The explanation cannot be in the future.")
        return cleaned

    def service_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        values["corrects"] = self.corrects
        return values


class LawfulBasisField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class SharingDecisionForm(ServiceErrorsMixin, forms.ModelForm):
    """One information-sharing decision. The rules live in ``sharing_decision_errors``."""

    shared_parts = forms.MultipleChoiceField(
        label="What may be shared",
        choices=SharedPart.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Sharing in part: tick each part of the concern that may be shared. Anything not ticked is "
        "left out of referral packs built from this decision. Sharing in full lets every part go.",
    )

    class Meta:
        model = SharingDecision
        fields = SHARING_FIELDS
        labels = {
            "decision": "Decision",
            "recipients": "Recipients and their role in safeguarding",
            "purpose": "Purpose",
            "information_shared": "Exactly what is shared",
            "transmission": "How it is sent, and how securely (optional)",
            "consent": "The client's consent",
            "refusal_reasons": "The client's reasons for refusing",
            "not_sought_reason": "Why consent was not sought",
            "not_sought_other": "Other reason consent was not sought",
            "without_consent_justification": "Why sharing without consent is justified",
            "article6_basis": "UK GDPR Article 6 lawful basis",
            "article9_condition": "UK GDPR Article 9 condition (special category data)",
            "common_law_basis": "Common-law justification (duty of confidence)",
            "necessity_proportionality": "Necessity and proportionality",
            "identities_to_protect": "Notes on identities to protect (optional)",
            "advice_taken": "Advice was taken",
            "advice_from": "Advice taken from",
            "not_sharing_reasons": "Reasons for not sharing",
            "review_on": "Review the decision not to share by",
        }
        help_texts = {
            "recipients": "e.g. the LADO of the area where the alleged person works; children's social care.",
            "transmission": "e.g. secure email, then confirmed by phone.",
            "information_shared": "Paste or type the text as it was shared: this is the stored copy.",
            "without_consent_justification": "Needed when sharing without the client's consent: the risk, "
            "weighed against the duty of confidence.",
            "necessity_proportionality": "Why sharing is necessary, and why this much and no more.",
            "article9_condition": "Usually needed: health, sex life and similar information is special category.",
            "identities_to_protect": "Why, and from whom. The names themselves go in the rows below.",
        }
        widgets = {
            "decision": forms.RadioSelect,
            "consent": forms.RadioSelect,
            "not_sought_reason": forms.RadioSelect,
            "recipients": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "information_shared": forms.Textarea(attrs={"rows": 6}),
            "refusal_reasons": forms.Textarea(attrs={"rows": 2}),
            "without_consent_justification": forms.Textarea(attrs={"rows": 3}),
            "necessity_proportionality": forms.Textarea(attrs={"rows": 2}),
            "identities_to_protect": forms.Textarea(attrs={"rows": 2}),
            "not_sharing_reasons": forms.Textarea(attrs={"rows": 3}),
            "review_on": DATE_INPUT,
        }
        field_classes = {name: LawfulBasisField for name in LAWFUL_BASIS_FIELDS.values()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = self.fields["decision"].choices[1:]
        self.fields["consent"].choices = self.fields["consent"].choices[1:]
        self.fields["not_sought_reason"].choices = self.fields["not_sought_reason"].choices[1:]
        defaults = lawful_basis_defaults()
        for kind, name in LAWFUL_BASIS_FIELDS.items():
            field = self.fields[name]
            field.queryset = lawful_basis_choices(kind)
            field.empty_label = "None"
            if kind in defaults and not self.is_bound:
                self.initial.setdefault(name, defaults[kind].pk)
        self.fields["article6_basis"].empty_label = "None chosen"
        self.fields["common_law_basis"].empty_label = "None chosen"

    def clean(self):
        cleaned = super().clean()
        for name, message in sharing_decision_errors(cleaned).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def _post_clean(self):
        # The rules above give clear messages per field; the model's own constraint check
        # would only repeat them as a generic message. The database still enforces them.
        pass

    def service_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in SHARING_FIELDS}


class ProtectedIdentityForm(forms.Form):
    """One identity a decision to share protects: the name as written, other forms, and the neutral words."""

    name = forms.CharField(
        label="Name or detail to protect",
        max_length=200,
        required=False,
        help_text="As the record writes it, e.g. the discloser's full name.",
    )
    other_forms = forms.CharField(
        label="Other ways it is written (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: a first name alone, a nickname, a previous surname.",
    )
    replacement = forms.CharField(
        label="Neutral words to use instead",
        max_length=200,
        required=False,
        help_text='e.g. "the discloser", "a family member".',
    )

    def clean(self):
        cleaned = super().clean()
        if any((cleaned.get(name) or "").strip() for name in ("name", "other_forms", "replacement")):
            for name, message in protected_identity_errors(cleaned).items():
                if name not in self.errors:
                    self.add_error(name, message)
        return cleaned


class BaseProtectedIdentityFormSet(forms.BaseFormSet):
    def identities(self) -> list[dict]:
        """The rows filled in (blank rows are not identities)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and any((form.cleaned_data.get(k) or "").strip() for k in form.fields)
        ]


ProtectedIdentityFormSet = forms.formset_factory(
    ProtectedIdentityForm, formset=BaseProtectedIdentityFormSet, extra=2, max_num=20, absolute_max=20
)
PROTECTED_IDENTITY_PREFIX = "protect"


def protected_identity_formset(data=None, *, initial=None) -> BaseProtectedIdentityFormSet:
    """The formset of identities to protect. A POST without its management form (an older page, a
    script) counts as no rows rather than an error, so nothing else typed is lost."""
    if data is not None and f"{PROTECTED_IDENTITY_PREFIX}-TOTAL_FORMS" not in data:
        data = data.copy()
        data[f"{PROTECTED_IDENTITY_PREFIX}-TOTAL_FORMS"] = "0"
        data[f"{PROTECTED_IDENTITY_PREFIX}-INITIAL_FORMS"] = "0"
    return ProtectedIdentityFormSet(data, initial=initial, prefix=PROTECTED_IDENTITY_PREFIX)


class ClientInformedForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = ClientInformedRecord
        fields = ["status", "told_on", "reason", "reason_other", "review_on", "client_response", "advised_by"]
        labels = {
            "status": "Was the client told about the sharing?",
            "told_on": "Date told (optional)",
            "reason": "Why has the client not been told?",
            "reason_other": "Other reason",
            "review_on": "Review by",
            "client_response": "The client's response or views (optional)",
            "advised_by": "Advice on telling the client (optional)",
        }
        help_texts = {"review_on": "Required if the client has not been told: when to look at this again."}
        widgets = {
            "status": forms.RadioSelect,
            "reason": forms.RadioSelect,
            "told_on": DATE_INPUT,
            "review_on": DATE_INPUT,
            "client_response": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = self.fields["status"].choices[1:]
        self.fields["reason"].choices = self.fields["reason"].choices[1:]

    def clean(self):
        cleaned = super().clean()
        for name, message in client_informed_errors(cleaned).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def _post_clean(self):
        pass

    def service_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}

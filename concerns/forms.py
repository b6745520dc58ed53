"""The intake form: the concern, its repeating parts (formsets), addenda. Views only bind and call services."""

from django import forms
from django.forms import formset_factory
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from concerns.forms_nation import NationFormMixin
from concerns.models import (
    OFFERED_DISCLOSER_TYPES,
    Addendum,
    AllegedPerson,
    Concern,
    ConcernCategory,
    Consulted,
    EmergencyAction,
    ImmediateDanger,
    OtherPerson,
    PersonAtRisk,
    PriorReport,
    Urgency,
    YesNoUnknown,
)
from concerns.selectors import (
    clients_for_intake,
    intake_team,
    knows_urgency_meanings,
    staff_label,
    urgency_meanings,
)
from concerns.services import CONCERN_INPUT_FIELDS
from concerns.validators import guard_text_fields


class UrgencyHelp:
    """The urgency's help text: the real times of the policies in force, read the first time the
    page shows them. A submit that succeeds redirects without showing them, and reading the
    policies of every urgency was a large part of its database work."""

    def __init__(self, user):
        self._user = user
        self._html: SafeString | None = None

    def __bool__(self) -> bool:
        # Whether there is anything to say, known without reading the policies.
        return knows_urgency_meanings()

    def __html__(self) -> SafeString:
        if self._html is None:
            meanings = urgency_meanings(team=intake_team(self._user))
            self._html = (
                format_html(
                    '<ul class="mb-0 ps-3">{}</ul>',
                    format_html_join(
                        "",
                        "<li><strong>{}</strong>: {}</li>",
                        ((label, meanings[value]) for value, label in Urgency.choices if value in meanings),
                    ),
                )
                if meanings
                else SafeString("")
            )
        return self._html

    def __str__(self) -> str:
        return self.__html__()


class SharedChoicesField(forms.TypedChoiceField):
    """A model field's choices, shared by every form's copy of the field instead of deep-copied.

    Each form copies its fields when it is made, and ChoiceField deep-copies its choices list
    each time: for the intake's forms (a submit makes at least five) that was most of the copy.
    The lists are only ever replaced (``field.choices = [...]``), never changed in place.
    """

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)


def shared_choices_formfield(db_field, **kwargs):
    """``Meta.formfield_callback`` of the intake's model forms (SharedChoicesField)."""
    if db_field.choices:
        kwargs.setdefault("choices_form_class", SharedChoicesField)
    return db_field.formfield(**kwargs)


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_label


class ConcernForm(NationFormMixin, forms.ModelForm):
    consulted = forms.MultipleChoiceField(
        choices=Consulted.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Who have you consulted?",
    )
    categories = CategoryChoiceField(
        queryset=ConcernCategory.objects.filter(active=True),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Categories of abuse or harm"),
        help_text=_('If you choose none, the concern is filed as "Unclear or not yet known" for the lead to decide.'),
    )
    # Asked on the short path; "yes" opens the questions about them (and files one person, even
    # with nothing else known). Not stored itself: the alleged persons are.
    has_alleged_person = forms.ChoiceField(
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        required=False,
        label=_("Is someone alleged to have caused the harm?"),
    )

    class Meta:
        model = Concern
        formfield_callback = shared_choices_formfield
        fields = [*CONCERN_INPUT_FIELDS, "categories"]
        labels = {
            "client": "Client (if the concern arose in your work with a client)",
            "immediate_danger": "Is anyone in immediate danger now?",
            "emergency_action": "What emergency action have you taken?",
            "emergency_action_notes": "Details of the emergency action (or why no call was made)",
            "not_immediate_reason": _("If it need not be treated as immediate, say why"),
            "occurred_on": "Date of the disclosure or observation",
            "occurred_time": _("Time, if known"),
            "occurred_on_text": "Or describe when, if you do not know the date",
            "occurred_on_approximate": "The date is approximate",
            "location": "Where it happened",
            "setting": "Setting",
            "setting_detail": "More about the setting",
            "people_present": "Who was present",
            "non_recent": "The abuse described happened in the past (non-recent abuse)",
            "abuse_period": "When the abuse happened, if known",
            "summary": "Summary of the concern (your summary, up to 500 characters)",
            "discloser_type": "Who raised the concern?",
            "discloser_police_wishes": "Their wishes about a police report",
            "discloser_identity_wishes": "Their wishes about their own identity being shared",
            "discloser_notes": "Notes about the discloser's wishes",
            "support_offered": "Support offered or signposted",
            "own_words": "What the person said, in their own words",
            "observations": "What you observed",
            "opinion": "Your professional opinion",
            "questions_asked": "What you said or asked",
            "actions_taken": "Actions already taken",
            "consultation_notes": "Notes on consultations",
            "urgency": "How urgent is this?",
            "jurisdiction": "Nation where the person at risk lives",
        }
        help_texts = {
            "own_words": "Write down the words used, in quotation marks where you can. Do not tidy them up.",
            "observations": "Facts you saw or heard yourself: behaviour, injuries, what was said by others.",
            "opinion": "Kept apart from the facts above. Say what you think and why.",
            "questions_asked": "Record your responses and any questions, word for word if you can.",
            "summary": "Clearly your summary, not the person's words.",
            "not_immediate_reason": _(
                'With danger "yes" the concern is treated as immediate, whatever urgency you choose, unless you '
                'say why not here (for example "the police are already there").'
            ),
            "occurred_on_text": 'For example "this morning", "summer 2019" or "during her childhood".',
        }
        widgets = {
            "immediate_danger": forms.RadioSelect,
            "emergency_action": forms.RadioSelect,
            "discloser_type": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "occurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "occurred_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "emergency_action_notes": forms.Textarea(attrs={"rows": 2}),
            "not_immediate_reason": forms.Textarea(attrs={"rows": 2}),
            "people_present": forms.Textarea(attrs={"rows": 2}),
            "discloser_notes": forms.Textarea(attrs={"rows": 2}),
            "support_offered": forms.Textarea(attrs={"rows": 2}),
            "own_words": forms.Textarea(attrs={"rows": 6}),
            "observations": forms.Textarea(attrs={"rows": 4}),
            "opinion": forms.Textarea(attrs={"rows": 3}),
            "questions_asked": forms.Textarea(attrs={"rows": 3}),
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
            "consultation_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)
        client = self.fields["client"]
        client.queryset = clients_for_intake(user)
        client.empty_label = "No client, or not recorded here"
        client.label_from_instance = lambda obj: f"{obj.reference} ({obj.team.name})"
        client.widget.attrs.update(
            {
                "hx-get": reverse_lazy("consent:limits_status"),
                "hx-trigger": "change",
                "hx-target": "#limits-status",
                "hx-swap": "innerHTML",
                "aria-describedby": "limits-status",
            }
        )
        # Radio buttons need no blank choice; the nation is a select that starts unchosen on purpose.
        for name in ("immediate_danger", "urgency"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        self.fields["discloser_type"].choices = [(c.value, c.label) for c in OFFERED_DISCLOSER_TYPES]
        self.fields["discloser_type"].required = False
        # The real times of the policies in force (an administrator's change shows at once).
        self.fields["urgency"].help_text = UrgencyHelp(user)  # type: ignore[assignment]  # str-like, drawn as HTML
        self.fields["not_immediate_reason"].required = False
        # Most disclosures are reported the day they are made: today is offered, and can be changed.
        self.fields["occurred_on"].initial = timezone.localdate
        self.fields["jurisdiction"].choices = [("", "Choose the nation"), *self.fields["jurisdiction"].choices[1:]]
        self.fields["emergency_action"].required = False
        self.fields["emergency_action"].choices = EmergencyAction.choices

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()  # type: ignore[misc]  # ModelForm, through the mixin
        # The field has already found the client among this person's own: the model's check that
        # it exists would only read it again.
        exclude.add("client")
        return exclude

    def clean(self):
        cleaned = super().clean()
        danger = cleaned.get("immediate_danger")
        if danger in (ImmediateDanger.YES, ImmediateDanger.UNSURE):
            action = cleaned.get("emergency_action")
            if not action:
                self.add_error(
                    "emergency_action",
                    "Anyone in immediate danger comes first: call 999, then record here what you did.",
                )
            elif action == EmergencyAction.NONE and not (cleaned.get("emergency_action_notes") or "").strip():
                self.add_error("emergency_action_notes", "Say why no emergency call was made.")
        return cleaned


class PartForm(forms.ModelForm):
    """One row of a repeating part. Its ``essential_fields`` are always shown; the rest sit in a
    "more about them" disclosure that opens when anything in it was typed or needs attention."""

    essential_fields: tuple[str, ...] = ()
    # Questions asked only when an answer in the row makes them relevant:
    # (key, label, the field whose answer opens them, that answer, the fields asked).
    conditional_groups: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = ()

    @property
    def conditional_fields(self) -> tuple[str, ...]:
        return tuple(name for group in self.conditional_groups for name in group[4])

    @property
    def groups(self) -> list[dict]:
        return [
            {
                "key": key,
                "label": label,
                "opens_when": f"{self.prefix}-{trigger}={value}",
                "is_open": self._changed_or_wrong(names) or (self.is_bound and self[trigger].value() == value),
                "fields": [self[name] for name in names],
            }
            for key, label, trigger, value, names in self.conditional_groups
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 2)
        # A blank optional row is not a question anyone must answer: no "required" marks on it.
        # What it needs once someone starts filling it is checked in clean() instead.
        self.required_once_started = [name for name, field in self.fields.items() if field.required]
        if self.empty_permitted:
            for name in self.required_once_started:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        if self.empty_permitted and self.has_changed():
            for name in self.required_once_started:
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return cleaned

    def _changed_or_wrong(self, names) -> bool:
        if not self.is_bound:
            return False
        return any(name in self.changed_data or name in self.errors for name in names)

    @property
    def more_is_open(self) -> bool:
        hidden = set(self.fields) - set(self.essential_fields) - set(self.conditional_fields)
        return self._changed_or_wrong(hidden)


class PersonAtRiskForm(PartForm):
    essential_fields = ("kind", "identity")

    class Meta:
        model = PersonAtRisk
        formfield_callback = shared_choices_formfield
        fields = [
            "kind",
            "identity",
            "description",
            "name",
            "date_of_birth",
            "approximate_age",
            "address",
            "school_or_gp",
            "relationship_to_alleged",
            "whereabouts",
            "looked_after",
        ]
        labels = {
            "kind": "Who is at risk",
            "identity": "Do you know who they are?",
            "description": "Describe them (no names needed)",
            "approximate_age": "Age or approximate age",
            "school_or_gp": "School, nursery or GP",
            "relationship_to_alleged": "Relationship to the alleged person",
            "whereabouts": "Where they are now, and are they safe?",
            "looked_after": "Looked after by a local authority (for example fostered)?",
        }
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class AllegedPersonForm(PartForm):
    conditional_groups = (
        (
            "staff",
            _("Who they are here"),
            "works_here",
            YesNoUnknown.YES,
            ("staff_member", "staff_not_found"),
        ),
        (
            "trust",
            _("Their work or role with children or adults at risk"),
            "position_of_trust",
            YesNoUnknown.YES,
            ("role", "role_detail", "employer_or_approving_body", "work_area", "works_with_adults_at_risk"),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Chosen through the type-ahead (intake.js), which shows name and team only.
        staff = self.fields["staff_member"]
        staff.queryset = User.objects.filter(is_active=True)
        staff.widget = forms.HiddenInput(attrs={"class": "staff-member-id"})
        staff.error_messages["invalid_choice"] = _("Choose the person from the list, or say you cannot find them.")
        # Not answered (a draft or a page from before the question existed) is "not known".
        self.fields["works_here"].required = False
        if "works_here" in self.required_once_started:
            self.required_once_started.remove("works_here")

    def clean_works_here(self):
        return self.cleaned_data.get("works_here") or YesNoUnknown.UNKNOWN

    @property
    def staff_label(self) -> str:
        return staff_label(self["staff_member"].value()) if self.is_bound else ""

    class Meta:
        model = AllegedPerson
        formfield_callback = shared_choices_formfield
        fields = [
            "identity",
            "works_here",
            "name",
            "date_of_birth",
            "approximate_age",
            "description",
            "address",
            "relationship",
            "whereabouts",
            "contact_with_children",
            "position_of_trust",
            "role",
            "role_detail",
            "employer_or_approving_body",
            "work_area",
            "works_with_adults_at_risk",
            "staff_member",
            "staff_not_found",
            "deceased",
        ]
        labels = {
            "identity": "Do you know who they are?",
            "name": "Name, if known",
            "approximate_age": "Approximate current age",
            "description": "Describe them",
            "relationship": "Relationship to the person at risk and to the discloser",
            "whereabouts": "Where they are now, if known",
            "contact_with_children": _("Do they have contact with children now (at home or anywhere else)?"),
            "position_of_trust": _(
                "Do they work with, volunteer with, foster or care for children or adults at risk, "
                "now or in the past? (A position of trust)"
            ),
            "role": "Their role",
            "role_detail": "More about their role",
            "employer_or_approving_body": "Employer or approving body (for example the fostering agency)",
            "work_area": "Local authority area where they work or are approved",
            "works_with_adults_at_risk": _("Is that work with adults at risk?"),
            "deceased": "They have died (still report: others may be at risk)",
            "works_here": _("Do they work or volunteer here?"),
            "staff_member": _("The colleague"),
            "staff_not_found": _("They work here, but I cannot find them: who are they?"),
        }
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class OtherPersonForm(PartForm):
    class Meta:
        model = OtherPerson
        formfield_callback = shared_choices_formfield
        fields = ["role", "name", "relationship", "description", "contact_with_children"]
        labels = {
            "role": _("How they are involved"),
            "name": _("Name, if known"),
            "relationship": _("Relationship to the alleged person and to the person at risk"),
            "description": _("What you know about them"),
            "contact_with_children": _("Do they have contact with children now?"),
        }


class PriorReportForm(PartForm):
    class Meta:
        model = PriorReport
        formfield_callback = shared_choices_formfield
        fields = [
            "recipient",
            "recipient_detail",
            "made_by",
            "reported_on",
            "reported_on_text",
            "reported_on_approximate",
            "reference",
            "outcome",
            "new_since",
        ]
        labels = {
            "recipient": "Reported to",
            "recipient_detail": "Which office or area, if known",
            "made_by": "Reported by",
            "reported_on": "Date of that report",
            "reported_on_text": 'Or describe when (for example "about ten years ago")',
            "reported_on_approximate": "The date is approximate",
            "reference": "Their reference, if known",
            "outcome": "What happened then, if known",
            "new_since": "What is new since that report",
        }
        widgets = {"reported_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and not (cleaned.get("new_since") or "").strip() and "new_since" not in self.errors:
            self.add_error("new_since", "Say what is new since that report (the referral must highlight it).")
        return cleaned


MAX_PARTS = 20
PersonAtRiskFormSet = formset_factory(PersonAtRiskForm, extra=1, max_num=MAX_PARTS, validate_max=True)
AllegedPersonFormSet = formset_factory(AllegedPersonForm, extra=1, max_num=MAX_PARTS, validate_max=True)
PriorReportFormSet = formset_factory(PriorReportForm, extra=1, max_num=MAX_PARTS, validate_max=True)
OtherPersonFormSet = formset_factory(OtherPersonForm, extra=1, max_num=MAX_PARTS, validate_max=True)

FORMSETS = {
    "persons_at_risk": (PersonAtRiskFormSet, "persons"),
    "alleged_persons": (AllegedPersonFormSet, "alleged"),
    "other_people": (OtherPersonFormSet, "others"),
    "prior_reports": (PriorReportFormSet, "prior"),
}


def filled_rows(formset) -> list[dict]:
    """The cleaned rows a person actually filled in (untouched blank forms are skipped)."""
    return [form.cleaned_data for form in formset.forms if form.has_changed() and form.cleaned_data]


class AddendumForm(forms.ModelForm):
    class Meta:
        model = Addendum
        fields = ["section", "text"]
        labels = {"section": _("What it adds to"), "text": "Add later information or a correction"}
        help_texts = {"text": "Addenda are added in order and never edited. The original record stays as it was."}
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)

"""Forms for the lead's workflow. They validate input only; services do the work."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.widgets import (
    QuickCheckboxInput,
    QuickDateInput,
    QuickHiddenInput,
    QuickSelect,
    QuickTextInput,
    ReadyChoices,
)
from alerts.models import ObligationKind
from concerns.models import ConcernStatus, Jurisdiction, Urgency
from escalation.models import Agency, ClosureOutcome, ReferralMethod, ReporterFeedback, RiskRating, TriageDecision
from escalation.selectors import QUEUE_SORTS

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUICK_DATE_WIDGET = QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d")


POPULATION_WORDS = {"child": _("children"), "adult": _("adults"), "both": _("children and adults")}


def category_choices(categories) -> list:
    """Every active category once, grouped by the nations its list applies to, so the codes
    sharing a label ("Physical abuse") are told apart by their group and population.

    ``categories`` is concerns.selectors.active_categories(), which a page reads once."""
    groups: dict[str, list[tuple[str, str]]] = {}
    nation_labels = dict(Jurisdiction.choices)
    populations = {key: str(words) for key, words in POPULATION_WORDS.items()}
    every_nation = str(_("Every nation"))
    for code, label, population, category_nations in categories:
        nations = [str(nation_labels[n]) for n in category_nations if n in nation_labels]
        group = ", ".join(nations) if nations else every_nation
        if code != "unclear":
            label = f"{label} ({populations.get(population, population)})"
        groups.setdefault(group, []).append((code, label))
    return [(group, options) for group, options in groups.items()]


class QueueFilterForm(forms.Form):
    """The queue's filters, search and order (GET); an unknown value is ignored, not refused."""

    q = forms.CharField(
        required=False,
        max_length=150,
        label=_("Search"),
        widget=QuickTextInput,
        help_text=_("A reference, a client's reference, an alleged person's name or a reporter"),
    )
    status = forms.ChoiceField(required=False, label=_("Status"), widget=QuickSelect)
    closed_from = forms.DateField(required=False, label=_("Closed from"), widget=QUICK_DATE_WIDGET)
    closed_to = forms.DateField(required=False, label=_("Closed to"), widget=QUICK_DATE_WIDGET)
    # Fixed lists are given here, checked once when the class is made; the lists that depend on
    # the person (teams, owners) or on the data (categories) are set per form, in __init__.
    urgency = forms.ChoiceField(
        required=False, label=_("Urgency"), widget=QuickSelect, choices=[("", _("Any urgency")), *Urgency.choices]
    )
    nation = forms.ChoiceField(
        required=False, label=_("Nation"), widget=QuickSelect, choices=[("", _("Any nation")), *Jurisdiction.choices]
    )
    team = forms.ChoiceField(required=False, label=_("Team"), widget=QuickSelect)
    category = forms.ChoiceField(required=False, label=_("Category"), widget=QuickSelect)
    risk = forms.ChoiceField(
        required=False,
        label=_("Risk rating"),
        widget=QuickSelect,
        choices=[("", _("Any rating")), *RiskRating.choices, ("none", _("Not rated yet"))],
    )
    owner = forms.ChoiceField(required=False, label=_("Owner"), widget=QuickSelect)
    due_kind = forms.ChoiceField(
        required=False,
        label=_("Deadline due next"),
        widget=QuickSelect,
        choices=[("", _("Any deadline")), *ObligationKind.choices],
    )
    overdue = forms.BooleanField(required=False, label=_("Overdue only"), widget=QuickCheckboxInput)
    chase = forms.BooleanField(required=False, label=_("Chase: agency response overdue"), widget=QuickCheckboxInput)
    sort = forms.ChoiceField(
        required=False, widget=QuickHiddenInput, choices=[("", ""), *[(key, key) for key in QUEUE_SORTS]]
    )
    dir = forms.ChoiceField(
        required=False, choices=[("", ""), ("asc", "asc"), ("desc", "desc")], widget=QuickHiddenInput
    )

    # Where the page places each field after the search: the lists and dates in a grid, then
    # the checkboxes; the order's two fields are hidden (the column headings set them). Named
    # here so that the page does not test every field's widget on each visit.
    LISTED_FIELDS = (
        "status",
        "closed_from",
        "closed_to",
        "urgency",
        "nation",
        "team",
        "category",
        "risk",
        "owner",
        "due_kind",
    )
    CHECKBOX_FIELDS = ("overdue", "chase")
    HIDDEN_FIELDS = ("sort", "dir")

    def __init__(self, *args, teams, statuses, owners, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ReadyChoices(
            [("", _("Any open status")), *statuses, (ConcernStatus.CLOSED, _("Closed"))]
        )
        self.fields["team"].choices = ReadyChoices([("", _("All my teams")), *[(str(pk), name) for pk, name in teams]])
        self.fields["category"].choices = ReadyChoices([("", _("Any category")), *category_choices(categories)])
        self.fields["owner"].choices = ReadyChoices(
            [
                ("", _("Anyone or nobody")),
                ("mine", _("Mine")),
                ("none", _("Unassigned")),
                *[(str(pk), name) for pk, name in owners],
            ]
        )
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["class"] = "form-control form-control-sm"
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["autocomplete"] = "off"

    def listed_fields(self):
        return [self[name] for name in self.LISTED_FIELDS]

    def checkbox_fields(self):
        return [self[name] for name in self.CHECKBOX_FIELDS]

    def chosen_hidden_fields(self):
        """The order's fields that carry a value: an empty one would only lengthen the URL."""
        return [self[name] for name in self.HIDDEN_FIELDS if self[name].value()]

    def clean(self):
        data = super().clean()
        start, end = data.get("closed_from"), data.get("closed_to")
        if start and end and start > end:
            self.add_error("closed_to", _("The end of the range must be on or after its start."))
        return data


def reporter_feedback_field(*, help_text) -> forms.ChoiceField:
    """What the clinician who raised the concern may read of a decision or a closure.

    Not required: a form posted without it (an older page) tells the default level.
    """
    return forms.ChoiceField(
        required=False,
        choices=ReporterFeedback.choices,
        initial=ReporterFeedback.OUTCOME,
        widget=forms.RadioSelect,
        label=_("What the clinician who raised it is told"),
        help_text=help_text,
    )


class ExpectedStatusMixin(forms.Form):
    # The status the lead saw when the page was drawn: the service's compare-and-set checks it.
    expected_status = forms.ChoiceField(choices=ConcernStatus.choices, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    new_owner = forms.ModelChoiceField(queryset=None, label="Assign to", empty_label="Choose a lead or deputy")
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note for the new owner (optional)",
        help_text="Seen in the portal only; the email says just that the concern was assigned.",
    )

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = leads
        self.fields["new_owner"].label_from_instance = lambda u: f"{u.get_full_name()} ({u.email})"


class TriageForm(ExpectedStatusMixin):
    risk_rating = forms.ChoiceField(choices=RiskRating.choices, widget=forms.RadioSelect, label="Risk rating")
    rating_rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why this rating")
    change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for changing the rating",
        help_text="Needed when the rating differs from the previous one; it goes into the chronology.",
    )
    decision = forms.ChoiceField(
        required=False,
        choices=[("", "Not decided yet"), *TriageDecision.choices],
        widget=forms.RadioSelect,
        label="Decision",
    )
    decision_rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Rationale for the decision"
    )
    review_date = forms.DateField(
        required=False, widget=DATE_WIDGET, label="Review date", help_text="Needed for advice and monitoring."
    )
    reporter_feedback = reporter_feedback_field(
        help_text=_(
            "With a decision, the clinician gets a message that there is news (never its content) and reads "
            "this much on their concern page."
        )
    )

    def __init__(self, *args, previous_rating: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_rating = previous_rating

    def clean(self):
        data = super().clean()
        rating, decision = data.get("risk_rating"), data.get("decision")
        changed = self.previous_rating and rating and rating != self.previous_rating
        if changed and not data.get("change_reason", "").strip():
            self.add_error(
                "change_reason",
                f"The rating was {RiskRating(self.previous_rating).label}. Say why you are changing it.",
            )
        if decision and not data.get("decision_rationale", "").strip():
            self.add_error("decision_rationale", "Give the rationale for the decision.")
        if decision == TriageDecision.ADVICE_MONITORING:
            review = data.get("review_date")
            if review is None:
                self.add_error("review_date", "Advice and monitoring needs a review date.")
            elif review < timezone.localdate():
                self.add_error("review_date", "The review date cannot be in the past.")
        return data


class ReferralForm(ExpectedStatusMixin):
    def __init__(self, *args, sharing_decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sharing_decision"].queryset = sharing_decisions
        self.fields["sharing_decision"].label_from_instance = lambda d: (
            f"{d.get_decision_display()} on {timezone.localtime(d.decided_at):%d %b %Y %H:%M}"
        )

    agency = forms.ChoiceField(choices=Agency.choices)
    agency_other = forms.CharField(required=False, max_length=150, label="Agency name (when 'Other')")
    area = forms.CharField(max_length=150, label="Local authority or area")
    method = forms.ChoiceField(choices=ReferralMethod.choices, label="How the referral was made")
    referred_at = forms.DateTimeField(widget=DATETIME_WIDGET, label="When")
    contact_name = forms.CharField(required=False, max_length=150, label="Who took it (name or role)")
    their_reference = forms.CharField(required=False, max_length=80, label="Their reference")
    sharing_decision = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Information-sharing decision",
        empty_label="None recorded yet",
        help_text="The decision recorded for what was shared with this agency.",
    )
    shared_summary = forms.CharField(
        required=False,
        max_length=300,
        label="What was shared, in a line",
        help_text="Record the full information-sharing decision on the concern's sharing page.",
    )
    response_due_at = forms.DateTimeField(
        required=False,
        widget=DATETIME_WIDGET,
        label="Response due (optional)",
        help_text="Leave empty for the policy default: one working day (the LADO: one working day; "
        "Wales designated officer: 24 hours).",
    )

    def clean(self):
        data = super().clean()
        if data.get("agency") == Agency.OTHER and not data.get("agency_other", "").strip():
            self.add_error("agency_other", "Name the agency.")
        referred_at = data.get("referred_at")
        if referred_at and referred_at > timezone.now() + timedelta(minutes=5):
            self.add_error("referred_at", "The referral time cannot be in the future.")
        due = data.get("response_due_at")
        if due and referred_at and due <= referred_at:
            self.add_error("response_due_at", "The response must be due after the referral was made.")
        return data


class ReferralResponseForm(forms.Form):
    received_at = forms.DateTimeField(widget=DATETIME_WIDGET, label="When the response came")
    response_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Their response")
    outcome = forms.CharField(required=False, max_length=200, label="Outcome or agreed actions")


class WrittenConfirmationForm(forms.Form):
    confirmed_at = forms.DateTimeField(widget=DATETIME_WIDGET, label="When it was confirmed in writing")


class CloseForm(ExpectedStatusMixin):
    outcome = forms.ChoiceField(choices=ClosureOutcome.choices)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Rationale for closing")
    reporter_feedback = reporter_feedback_field(
        help_text=_(
            "The clinician gets a message that the concern is closed (never its content) and reads this much "
            "on their concern page."
        )
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why reopen (new information)")


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why do you need to open this concern?",
        help_text="Your reason, your name and the time are recorded and reviewed by a safeguarding manager; "
        "the team's lead is told.",
    )


class FindConcernForm(forms.Form):
    reference = forms.CharField(max_length=20, label="Concern reference")

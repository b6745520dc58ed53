"""The intake form's parts that follow the nation: categories grouped by nation, and the adult at
risk's criteria, views and capacity. The rules themselves live in ``concerns.nations``.

``ConcernForm`` takes ``NationFormMixin`` as a base: the mixin checks the chosen categories
against the chosen nation, validates the adult-at-risk questions (prefix ``adult``) and hands
their answers to the submit service as ``cleaned_data["adult_at_risk"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerns import nations
from concerns.models import AdultAtRiskDetails, Jurisdiction, PersonAtRiskKind
from concerns.validators import guard_text_fields

ADULT_PREFIX = "adult"
_PERSON_KIND = re.compile(r"^persons-\d+-kind$")


# --- Categories, grouped by nation ---------------------------------------------------------------


@dataclass
class CategoryGroup:
    """The checkboxes of one list: every nation's, or one nation's (or a few nations' shared) codes."""

    nations: tuple[str, ...]
    title: str
    checkboxes: list = field(default_factory=list)

    @property
    def nations_attr(self) -> str:
        return " ".join(self.nations)


def _group_title(key: tuple[str, ...], populations: set[str]) -> str:
    who = (
        _("adults")
        if populations == {"adult"}
        else _("children")
        if populations == {"child"}
        else _("children and adults")
    )
    if not key:
        return _("Every nation: %(who)s, and \u201cunclear\u201d") % {"who": who}
    nations_text = _(" and ").join(str(Jurisdiction(n).label) for n in key)
    return _("%(nations)s only: %(who)s") % {"nations": nations_text, "who": who}


def category_groups(bound_field) -> list[CategoryGroup]:
    """The category checkboxes in groups by the nations they apply in, every nation's first."""
    order = {nation: index for index, nation in enumerate(Jurisdiction.values)}
    groups: dict[tuple[str, ...], CategoryGroup] = {}
    for checkbox in bound_field:
        category = checkbox.data["value"].instance
        key = tuple(sorted((n for n in category.nations if n in order), key=order.__getitem__))
        if key not in groups:
            groups[key] = CategoryGroup(nations=key, title="")
        checkbox.category = category
        groups[key].checkboxes.append(checkbox)
    for key, group in groups.items():
        populations = {c.category.population for c in group.checkboxes if c.category.code != "unclear"}
        group.title = _group_title(key, populations)
    return sorted(groups.values(), key=lambda g: (len(g.nations) > 0, [order[n] for n in g.nations]))


# --- The adult at risk -----------------------------------------------------------------------------


class AdultAtRiskForm(forms.ModelForm):
    """Nothing here is required: a clinician answers what they know, and "not known" is an answer."""

    class Meta:
        model = AdultAtRiskDetails
        fields = list(nations.ADULT_INPUT_FIELDS)
        labels = {
            "views_and_wishes": gettext_lazy("What are the adult's views and wishes? What outcome do they want?"),
            "knows_of_concern": gettext_lazy("Does the adult know about this concern?"),
            "not_told_reason": gettext_lazy("If they do not know, why not?"),
            "capacity_doubt": gettext_lazy(
                "Is there any reason to doubt the adult's capacity to make decisions about this concern?"
            ),
            "capacity_notes": gettext_lazy("About their capacity (what makes you think so)"),
            "communication_needs": gettext_lazy("Communication needs"),
            "advocacy": gettext_lazy("Advocacy"),
            "advocacy_notes": gettext_lazy("About advocacy or support (who, and how to reach them)"),
        }
        help_texts = {
            "views_and_wishes": gettext_lazy("In their words where you can (Making Safeguarding Personal)."),
            "not_told_reason": gettext_lazy(
                "For example: telling them would increase the risk, or they could not be reached."
            ),
            "capacity_doubt": gettext_lazy(
                "Capacity is about this decision, not in general. A doubt is not a finding: the lead decides "
                "what follows."
            ),
            "communication_needs": gettext_lazy(
                "For example: an interpreter, British Sign Language, easy read, or a preferred way to be contacted."
            ),
        }
        widgets = {
            name: forms.RadioSelect
            for name in (*nations.CRITERIA_FIELDS, "knows_of_concern", "capacity_doubt", "advocacy")
        } | {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "views_and_wishes",
                "not_told_reason",
                "capacity_notes",
                "communication_needs",
                "advocacy_notes",
            )
        }

    def __init__(self, *args, main_data=None, **kwargs):
        kwargs.setdefault("prefix", ADULT_PREFIX)
        super().__init__(*args, **kwargs)
        guard_text_fields(self)
        self.main_data = main_data if main_data is not None else {}
        for criteria in nations.CRITERIA_SETS:
            for criterion in criteria.criteria:
                self.fields[criterion.field].label = str(criterion.question)
        for bound in self.fields.values():
            bound.required = False
            if isinstance(bound, forms.ChoiceField) and isinstance(bound.widget, forms.RadioSelect):
                bound.choices = [c for c in bound.choices if c[0] != ""]

    # What the template shows.

    def criteria_groups(self) -> list[tuple[nations.CriteriaSet, list]]:
        return [(criteria, [self[c.field] for c in criteria.criteria]) for criteria in nations.CRITERIA_SETS]

    def common_fields(self) -> list:
        return [self[name] for name in nations.COMMON_FIELDS]

    @property
    def opens_by_default(self) -> bool:
        """Open when it applies (an adult at risk in Wales), or when something is already in it."""
        data = self.main_data
        adult = any(_PERSON_KIND.match(key) and data.get(key) == PersonAtRiskKind.ADULT_AT_RISK for key in data)
        if adult and data.get("jurisdiction") == Jurisdiction.WALES:
            return True
        return self.is_bound and (bool(self.errors) or bool(self.answers()))

    def answers(self) -> dict:
        """What was answered (blank answers left out); valid data only."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def check_nation(self, jurisdiction: str | None) -> None:
        """Answers to another nation's criteria are refused on the question, with the right nation named."""
        if not jurisdiction or not self.is_valid():
            return
        own = nations.criteria_for(jurisdiction)
        allowed = {c.field for c in own.criteria} if own else set()
        for name in nations.CRITERIA_FIELDS:
            if self.cleaned_data.get(name) and name not in allowed:
                self.add_error(
                    name,
                    _("This question is for another nation. The concern is about someone in %(nation)s.")
                    % {"nation": Jurisdiction(jurisdiction).label},
                )


# The mixin is only ever mixed into a ModelForm; type checkers are told so.
if TYPE_CHECKING:
    from django.forms import ModelForm as _FormBase
else:
    _FormBase = object


class NationFormMixin(_FormBase):
    """Mixed into ``ConcernForm``: categories checked against the nation; the adult-at-risk part."""

    _adult_at_risk_form: AdultAtRiskForm | None = None

    @property
    def adult_at_risk_form(self) -> AdultAtRiskForm:
        """Made when first needed: a submit with nothing typed in the section never needs it
        (building a form copies each of its fields, and it has a dozen)."""
        if self._adult_at_risk_form is None:
            data = self.data if self.is_bound else None
            self._adult_at_risk_form = AdultAtRiskForm(data, main_data=self.data if self.is_bound else {})
        return self._adult_at_risk_form

    def _adult_at_risk_typed(self) -> bool:
        """Whether anything was answered in the adult-at-risk section (blank answers are nothing:
        with none, the section has no answers to keep and none to refuse)."""
        prefix = f"{ADULT_PREFIX}-"
        getlist = getattr(self.data, "getlist", None)
        for key in self.data:
            if key.startswith(prefix):
                values = getlist(key) if getlist is not None else [self.data[key]]
                if any(values):
                    return True
        return False

    def category_groups(self) -> list[CategoryGroup]:
        return category_groups(self["categories"])

    def clean(self):
        cleaned = super().clean() or {}
        jurisdiction = cleaned.get("jurisdiction")
        categories = cleaned.get("categories")
        if jurisdiction and categories:
            try:
                nations.check_categories_for_nation(jurisdiction, categories)
            except forms.ValidationError as refused:
                self.add_error("categories", refused.message_dict["categories"])
        if not self._adult_at_risk_typed():
            cleaned["adult_at_risk"] = {}
            return cleaned
        adult = self.adult_at_risk_form
        adult.check_nation(jurisdiction)
        if adult.errors:
            self.add_error(None, _("Some adult-at-risk answers need attention (see that section)."))
        else:
            cleaned["adult_at_risk"] = adult.answers()
        return cleaned

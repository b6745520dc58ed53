"""The rules that follow the nation where the person at risk lives (the concern's jurisdiction).

- Category lists: a category applies in the nations its row names (``ConcernCategory.nations``;
  empty means every nation, as "Unclear or not yet known" and the children's codes are). The
  rows are data, so an administrator's change in the admin applies to the next submission,
  without a deploy. The database refuses a link to another nation's code as well (migration
  ``category_nation_guard``), whatever writes it.
- Adults at risk: the nation's statutory criteria asked as plain questions (yes / no / not
  known, never blocking), with the adult's views, capacity, communication and advocacy
  (``AdultAtRiskDetails``).
- Children aged 16 or 17: the note on moving towards adult services, by nation.

The submit service calls ``check_categories_for_nation`` and ``record_adult_at_risk``; the
intake form (``concerns.forms_nation``) and the case file read the same definitions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerns.models import AdultAtRiskDetails, ConcernCategory, Jurisdiction

# --- Category lists -----------------------------------------------------------------------------


def categories_for_nation(jurisdiction: str) -> QuerySet[ConcernCategory]:
    """The active codes a concern in ``jurisdiction`` may carry: its nation's and every nation's."""
    return ConcernCategory.objects.filter(active=True).filter(Q(nations=[]) | Q(nations__contains=[jurisdiction]))


def applies_in(category: ConcernCategory, jurisdiction: str) -> bool:
    return not category.nations or jurisdiction in category.nations


def check_categories_for_nation(jurisdiction: str | None, categories: Iterable[ConcernCategory]) -> None:
    """Refuse a code that is inactive or belongs to another nation's list (ValidationError)."""
    if not jurisdiction:
        return  # the concern's own validation reports the missing nation
    wrong = [c for c in categories if not c.active or not applies_in(c, jurisdiction)]
    if wrong:
        nation = Jurisdiction(jurisdiction).label if jurisdiction in Jurisdiction.values else jurisdiction
        raise ValidationError(
            {
                "categories": ngettext(
                    "%(labels)s is not on the list for %(nation)s. Choose from the %(nation)s list "
                    '(or "Unclear or not yet known").',
                    "%(labels)s are not on the list for %(nation)s. Choose from the %(nation)s list "
                    '(or "Unclear or not yet known").',
                    len(wrong),
                )
                % {"labels": ", ".join(c.display_label for c in wrong), "nation": nation}
            }
        )


# --- Adults at risk: the nation's criteria ----------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    field: str
    question: str | Promise


@dataclass(frozen=True)
class CriteriaSet:
    """One nation's (or two nations') statutory test, asked as plain questions."""

    key: str
    nations: tuple[str, ...]
    title: str | Promise
    source: str | Promise
    criteria: tuple[Criterion, ...]


ENGLAND_WALES = CriteriaSet(
    key="england_wales",
    nations=(Jurisdiction.ENGLAND, Jurisdiction.WALES),
    title=gettext_lazy("Adult at risk: the three tests (England and Wales)"),
    source=gettext_lazy(
        "England: Care Act 2014, section 42. Wales: Social Services and Well-being (Wales) Act 2014, section 126."
    ),
    criteria=(
        Criterion(
            "care_and_support_needs",
            gettext_lazy(
                "Does the adult have needs for care and support (whether or not anyone is meeting those needs)?"
            ),
        ),
        Criterion(
            "abuse_or_neglect",
            gettext_lazy("Is the adult experiencing, or at risk of, abuse or neglect?"),
        ),
        Criterion(
            "unable_to_protect_self",
            gettext_lazy(
                "Because of those needs, is the adult unable to protect themselves against the abuse or "
                "neglect, or the risk of it?"
            ),
        ),
    ),
)
SCOTLAND = CriteriaSet(
    key="scotland",
    nations=(Jurisdiction.SCOTLAND,),
    title=gettext_lazy("Adult at risk: the three-point test (Scotland)"),
    source=gettext_lazy("Adult Support and Protection (Scotland) Act 2007, section 3."),
    criteria=(
        Criterion(
            "unable_to_safeguard",
            gettext_lazy("Is the adult unable to safeguard their own well-being, property, rights or other interests?"),
        ),
        Criterion("at_risk_of_harm", gettext_lazy("Is the adult at risk of harm?")),
        Criterion(
            "more_vulnerable",
            gettext_lazy(
                "Because of disability, mental disorder, illness or physical or mental infirmity, is the adult "
                "more vulnerable to being harmed than adults who are not so affected?"
            ),
        ),
    ),
)
NORTHERN_IRELAND = CriteriaSet(
    key="northern_ireland",
    nations=(Jurisdiction.NORTHERN_IRELAND,),
    title=gettext_lazy("Adult at risk of harm, adult in need of protection (Northern Ireland)"),
    source=gettext_lazy("Adult Safeguarding: Prevention and Protection in Partnership (2015)."),
    criteria=(
        Criterion(
            "harm_risk_increased",
            gettext_lazy(
                "Adult at risk of harm: is the adult's exposure to harm through abuse, exploitation or neglect "
                "increased by their personal characteristics or their life circumstances?"
            ),
        ),
        Criterion(
            "unable_to_protect_interests",
            gettext_lazy(
                "Adult in need of protection: is the adult unable to protect their own well-being, property, "
                "assets, rights or other interests?"
            ),
        ),
        Criterion(
            "harm_by_another",
            gettext_lazy(
                "Adult in need of protection: is the action or inaction of another person causing, or likely to "
                "cause, them harm?"
            ),
        ),
    ),
)
CRITERIA_SETS = (ENGLAND_WALES, SCOTLAND, NORTHERN_IRELAND)
CRITERIA_FIELDS = tuple(c.field for s in CRITERIA_SETS for c in s.criteria)
# Everything else the adult-at-risk section asks, whatever the nation.
COMMON_FIELDS = (
    "views_and_wishes",
    "knows_of_concern",
    "not_told_reason",
    "capacity_doubt",
    "capacity_notes",
    "communication_needs",
    "advocacy",
    "advocacy_notes",
)
ADULT_INPUT_FIELDS = (*CRITERIA_FIELDS, *COMMON_FIELDS)


def criteria_for(jurisdiction: str) -> CriteriaSet | None:
    return next((s for s in CRITERIA_SETS if jurisdiction in s.nations), None)


def _filled(values: dict) -> bool:
    return any(value not in ("", None) for value in values.values())


def record_adult_at_risk(concern, values: dict | None) -> AdultAtRiskDetails | None:
    """Store the adult-at-risk answers with the concern (inside the submit transaction).

    Nothing is required. Answers to another nation's criteria are refused: they would be read
    against the wrong law.
    """
    values = {k: v for k, v in (values or {}).items() if v not in ("", None)}
    unknown = set(values) - set(ADULT_INPUT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown adult-at-risk fields: {sorted(unknown)}")
    if not _filled(values):
        return None
    own = criteria_for(concern.jurisdiction)
    allowed = {c.field for c in own.criteria} if own else set()
    foreign = [name for name in values if name in CRITERIA_FIELDS and name not in allowed]
    if foreign:
        raise ValidationError(
            {
                "adult_at_risk": _(
                    "The adult-at-risk questions answered are for another nation. Answer the questions for %(nation)s."
                )
                % {"nation": concern.get_jurisdiction_display()}
            }
        )
    details = AdultAtRiskDetails(concern=concern, **values)
    details.full_clean(exclude=["concern"])
    details.save(force_insert=True)
    return details


def criteria_answers(details: AdultAtRiskDetails, jurisdiction: str) -> list[tuple[str, str]]:
    """(question, answer) for the concern's nation, every question listed ("Not answered" if blank)."""
    own = criteria_for(jurisdiction)
    if own is None:
        return []
    return [(str(c.question), getattr(details, f"get_{c.field}_display")() or _("Not answered")) for c in own.criteria]


# --- Children aged 16 or 17 ---------------------------------------------------------------------

TRANSITION_NOTES: dict[str, str | Promise] = {
    Jurisdiction.ENGLAND: gettext_lazy(
        "Aged 16 or 17: still a child, so the children's safeguarding procedures apply until 18. The Mental "
        "Capacity Act 2005 applies from 16. Plan the move to adult services early, and consider whether adult "
        "safeguarding (Care Act 2014) will be needed at 18."
    ),
    Jurisdiction.WALES: gettext_lazy(
        "Aged 16 or 17: still a child, so the Wales Safeguarding Procedures for children apply until 18. The "
        "Mental Capacity Act 2005 applies from 16. Plan the move to adult services early, and consider whether "
        "the adult-at-risk duties (Social Services and Well-being (Wales) Act 2014) will apply at 18."
    ),
    Jurisdiction.SCOTLAND: gettext_lazy(
        "Aged 16 or 17: a child under the national child protection guidance, and also an adult under the Adult "
        "Support and Protection (Scotland) Act 2007, which applies from 16. Agree with the lead which procedure "
        "leads, and plan the move to adult services."
    ),
    Jurisdiction.NORTHERN_IRELAND: gettext_lazy(
        "Aged 16 or 17: still a child, so the child protection procedures apply until 18. Plan the move to adult "
        "services early, and consider whether adult safeguarding will be needed at 18."
    ),
}
_LEADING_NUMBER = re.compile(r"^\s*(?:aged?\s*)?(\d{1,3})\b", re.IGNORECASE)


def age_in_years(person, *, on: date) -> int | None:
    """The age from the date of birth, else from an approximate age that starts with a number."""
    if person.date_of_birth:
        born = person.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    match = _LEADING_NUMBER.match(person.approximate_age or "")
    return int(match.group(1)) if match else None


def transition_note(person, *, jurisdiction: str, on: date) -> str:
    """The 16-17 transition note for a child of that age, else ""."""
    if person.kind != "child" or age_in_years(person, on=on) not in (16, 17):
        return ""
    return str(TRANSITION_NOTES.get(jurisdiction, ""))

"""Retention review: which records are past their retention period (nothing is deleted here).

The periods and legal holds are configuration (settings.RETENTION_RULES and
settings.RETENTION_LEGAL_HOLDS), read by model label and ORM lookups given as strings, so
this lower layer never imports the apps whose records it reviews. The DPO or Caldicott
guardian signs the values off; the defaults follow domain.md 5.2.

Fail safe: if a legal-hold lookup cannot be evaluated (a renamed field), every record of
that type is treated as held, and the page says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db.models import Q
from django.utils import timezone

# Child sexual abuse, sexual exploitation (and the Welsh code covering children and adults):
# never deleted automatically (IICSA moratorium, domain.md 5.2). Position-of-trust allegations
# and LADO involvement are held too.
CSA_CATEGORY_CODES = ["child-sexual", "child-sexual-exploitation", "wales-sexual"]

DEFAULT_RULES = {
    # Safeguarding concerns: the children's-record rule taken conservatively (to the 25th
    # birthday cannot be computed without a date of birth): 25 years after closure.
    "concerns.Concern": {"years": 25, "date_field": "closed_at", "label": "Safeguarding concerns"},
    # Addenda and sharing decisions follow their concern: reviewed with it.
    "concerns.Addendum": {"years": 25, "date_field": "concern__closed_at", "label": "Addenda"},
    "consent.SharingDecision": {"years": 25, "date_field": "concern__closed_at", "label": "Sharing decisions"},
    # Limits-of-confidentiality records: the mental-health rule (20 years).
    "consent.LimitsRecord": {"years": 20, "date_field": "explained_at", "label": "Limits-of-confidentiality records"},
    # Unsubmitted drafts hold account text no one else can see: reviewed after 90 days untouched.
    "concerns.ConcernDraft": {"days": 90, "date_field": "updated_at", "label": "Unsubmitted drafts"},
}

DEFAULT_LEGAL_HOLDS = {
    "concerns.Concern": [
        {"reason": "Child sexual abuse allegation", "lookup": {"categories__code__in": CSA_CATEGORY_CODES}},
        {
            "reason": "Allegation against a person in a position of trust",
            "lookup": {"alleged_persons__position_of_trust": "yes"},
        },
        {"reason": "LADO involvement", "lookup": {"lado_tasks__isnull": False}},
    ],
    "concerns.Addendum": [
        {"reason": "Child sexual abuse allegation", "lookup": {"concern__categories__code__in": CSA_CATEGORY_CODES}},
    ],
    "consent.SharingDecision": [
        {"reason": "Child sexual abuse allegation", "lookup": {"concern__categories__code__in": CSA_CATEGORY_CODES}},
    ],
}

LIST_LIMIT = 50


@dataclass
class RuleReview:
    label: str
    model_label: str
    period: str
    date_field: str
    due: list = field(default_factory=list)  # past retention, no hold: for review
    held: list = field(default_factory=list)  # past retention, on legal hold: kept
    more_due: bool = False
    more_held: bool = False
    problems: list[str] = field(default_factory=list)
    hold_reasons: list[str] = field(default_factory=list)


def retention_rules() -> dict:
    return getattr(settings, "RETENTION_RULES", DEFAULT_RULES)


def legal_holds() -> dict:
    return getattr(settings, "RETENTION_LEGAL_HOLDS", DEFAULT_LEGAL_HOLDS)


def cutoff_for(rule: dict, now: dt.datetime) -> dt.datetime:
    """Records dated before this are past retention."""
    if "days" in rule:
        return now - dt.timedelta(days=int(rule["days"]))
    years = int(rule["years"])
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _period_text(rule: dict) -> str:
    if "days" in rule:
        return f"{rule['days']} days"
    return f"{rule['years']} years"


def _hold_q(model_label: str) -> tuple[Q | None, list[str]]:
    combined = None
    reasons = []
    for hold in legal_holds().get(model_label, []):
        q = Q(**hold["lookup"])
        combined = q if combined is None else combined | q
        reasons.append(hold["reason"])
    return combined, reasons


def review_rule(model_label: str, rule: dict, *, now: dt.datetime | None = None, limit: int = LIST_LIMIT):
    now = now or timezone.now()
    review = RuleReview(
        label=rule.get("label", model_label),
        model_label=model_label,
        period=_period_text(rule),
        date_field=rule["date_field"],
    )
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        review.problems.append(f"{model_label} is not installed; rule not applied.")
        return review
    date_field = rule["date_field"]
    try:
        past = model._default_manager.filter(**{f"{date_field}__lt": cutoff_for(rule, now)})
    except (FieldError, FieldDoesNotExist) as error:
        review.problems.append(f"The date field {date_field} cannot be read ({error}); rule not applied.")
        return review
    hold_q, review.hold_reasons = _hold_q(model_label)
    try:
        if hold_q is None:
            held_ids = model._default_manager.none().values("pk")
        else:
            held_ids = model._default_manager.filter(hold_q).values("pk")
        # The listing (ids first, then the rows) keeps DISTINCT away from the ordering.
        due = list(past.exclude(pk__in=held_ids).order_by(date_field, "pk")[: limit + 1])
        held = list(past.filter(pk__in=held_ids).order_by(date_field, "pk")[: limit + 1])
    except (FieldError, FieldDoesNotExist) as error:
        review.problems.append(
            f"A retention rule or legal hold could not be read ({error}); every record of this type is "
            "treated as on hold."
        )
        held = list(past.order_by(date_field, "pk")[: limit + 1])
        due = []
    review.more_due, review.due = len(due) > limit, due[:limit]
    review.more_held, review.held = len(held) > limit, held[:limit]
    for record in review.due + review.held:
        record.retention_date = _resolve(record, date_field)
    return review


def _resolve(record, path: str):
    value = record
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def review_all(*, now: dt.datetime | None = None) -> list[RuleReview]:
    return [review_rule(label, rule, now=now) for label, rule in retention_rules().items()]

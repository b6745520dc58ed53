"""What the case file shows that depends on the concern's nation (the rules are in concerns.nations)."""

from django import template
from django.utils import timezone

from concerns import nations

register = template.Library()


@register.simple_tag
def adult_criteria_answers(details, jurisdiction: str) -> list[tuple[str, str]]:
    """(question, answer) of the nation's adult-at-risk criteria."""
    return nations.criteria_answers(details, jurisdiction)


@register.simple_tag
def adult_criteria_title(jurisdiction: str) -> str:
    criteria = nations.criteria_for(jurisdiction)
    return f"{criteria.title} ({criteria.source})" if criteria else ""


@register.simple_tag
def child_transition_note(person, concern) -> str:
    """The 16-17 transition note for this person, or ""."""
    return nations.transition_note(
        person, jurisdiction=concern.jurisdiction, on=timezone.localtime(concern.submitted_at).date()
    )


@register.simple_tag
def names_an_adult_at_risk(concern) -> bool:
    """Whether a person at risk is an adult at risk (reads the prefetched people when there are)."""
    return any(person.kind == "adult_at_risk" for person in concern.persons_at_risk.all())

"""Submitted concerns for tests, made through the real service (audit event, signal and all).

    concern = submit_test_concern(reporter=cast.clinician)
    concern = submit_test_concern(reporter=cast.clinician, urgency="immediate", jurisdiction="wales",
                                  alleged_position_of_trust="yes", alleged_role="foster_carer")

Keep this signature stable: other parts' tests use it.
"""

import uuid

from concerns.services import submit_concern

TRIGGER_CASE = dict(
    immediate_danger="no",
    occurred_on_text="Today's session",
    setting="session",
    non_recent=True,
    abuse_period="Her childhood",
    summary=(
        "Adult client disclosed sexual abuse in childhood by a man she will not name. She reported it to "
        "children's services years ago; he is now a foster carer."
    ),
    discloser_type="client_self",
    discloser_police_wishes="undecided",
    discloser_identity_wishes="undecided",
    own_words="He did things to me when I was little. Now they've let him foster kids.",
    observations="Client was tearful and spoke quietly.",
    opinion="Children placed with him may be at risk now.",
    questions_asked="I asked: is there anything else you want to tell me?",
    actions_taken="Told the client I must share this with our safeguarding lead.",
)


def submit_test_concern(
    *,
    reporter,
    urgency: str = "same_day",
    jurisdiction: str = "england",
    alleged_position_of_trust: str = "unknown",
    alleged_role: str = "",
    client=None,
    team=None,
    categories=("child-sexual",),
    submission_key=None,
    persons_at_risk=None,
    alleged_persons=None,
    prior_reports=None,
    other_people=None,
    **fields,
):
    """Submit a concern as ``reporter`` and return it (the trigger case's content unless overridden)."""
    data = {**TRIGGER_CASE, **fields, "urgency": urgency, "jurisdiction": jurisdiction, "client": client}
    data["categories"] = list(categories)
    data["persons_at_risk"] = (
        persons_at_risk
        if persons_at_risk is not None
        else [dict(kind="child", identity="unknown", description="Children placed with the foster carer")]
    )
    data["alleged_persons"] = (
        alleged_persons
        if alleged_persons is not None
        else [
            dict(
                identity="partly_known",
                approximate_age="about 60",
                contact_with_children="yes",
                position_of_trust=alleged_position_of_trust,
                role=alleged_role,
            )
        ]
    )
    data["prior_reports"] = (
        prior_reports
        if prior_reports is not None
        else [
            dict(
                recipient="csc",
                made_by="client",
                reported_on_text="years ago",
                reported_on_approximate=True,
                new_since="He is now a foster carer.",
            )
        ]
    )
    if other_people:
        data["other_people"] = other_people
    concern, _created = submit_concern(
        actor=reporter, data=data, submission_key=submission_key or uuid.uuid4(), team=team
    )
    return concern


def formset_management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def intake_form_data(key=None, **overrides) -> dict:
    """The new-concern form as a browser posts it: the trigger case, one person at risk, one
    alleged person (a foster carer), and an untouched blank prior-report form (selects carry
    their defaults). ``overrides`` replace or add fields."""
    return {
        "submission_key": str(key or uuid.uuid4()),
        "immediate_danger": "no",
        "jurisdiction": "england",
        "urgency": "same_day",
        "occurred_on_text": "This morning",
        "discloser_type": "client",
        "categories": ["child-sexual"],
        "summary": "Adult client disclosed childhood abuse by a man who now fosters.",
        "own_words": "He did things to me when I was little.",
        **formset_management("persons", 1),
        "persons-0-kind": "child",
        "persons-0-identity": "unknown",
        "persons-0-description": "Children placed with the foster carer",
        **formset_management("alleged", 1),
        "alleged-0-identity": "partly_known",
        "alleged-0-contact_with_children": "yes",
        "alleged-0-position_of_trust": "yes",
        "alleged-0-role": "foster_carer",
        "alleged-0-works_with_adults_at_risk": "unknown",
        "alleged-0-works_here": "unknown",
        **formset_management("prior", 1),
        "prior-0-recipient": "unknown",
        "prior-0-made_by": "unknown",
        **overrides,
    }

"""Demo concerns (used by ``manage.py seed_demo``), submitted through the real service.

Idempotent: each demo concern has a fixed submission key, so a second run finds it.
"""

import uuid

from concerns.services import add_addendum, submit_concern

DEMO_NAMESPACE = uuid.UUID("5f0d7c1e-3a52-4c1b-9a57-0d6c8f1a2b30")

TRIGGER_CASE = dict(
    client_reference="CF-1001",
    urgency="same_day",
    jurisdiction="england",
    immediate_danger="no",
    occurred_on_text="This morning's session",
    setting="session",
    non_recent=True,
    abuse_period="Her childhood, about 1995 to 1999",
    summary="Adult client disclosed sexual abuse in childhood by a man she will not name. She reported it to "
    "children's services years ago; she has now learned he is a foster carer.",
    discloser_type="client",
    discloser_police_wishes="undecided",
    discloser_identity_wishes="anonymous",
    support_offered="Gave NAPAC helpline details; offered an extra session this week.",
    own_words='"He did things to me when I was little. Now they have let him foster kids. I can\'t say his name."',
    observations="Tearful; spoke quietly; asked twice whether he would find out it came from her.",
    opinion="Children placed with him may be at risk now. LADO and children's social care need to know.",
    questions_asked='I said: "Thank you for telling me. I will need to share this with our safeguarding lead." '
    "I did not ask for details or his name.",
    actions_taken="Told the client this must be shared to protect children, even without her consent.",
    consulted=["supervisor"],
    categories=["child-sexual"],
    persons_at_risk=[
        dict(kind="child", identity="unknown", description="Children placed with the foster carer", looked_after="yes")
    ],
    alleged_persons=[
        dict(
            identity="partly_known",
            approximate_age="about 60",
            contact_with_children="yes",
            position_of_trust="yes",
            role="foster_carer",
        )
    ],
    prior_reports=[
        dict(
            recipient="csc",
            made_by="client",
            reported_on_text="About ten years ago",
            reported_on_approximate=True,
            outcome="Not known to the client.",
            new_since="He is now an approved foster carer.",
        )
    ],
)

IMMEDIATE = dict(
    urgency="immediate",
    jurisdiction="england",
    immediate_danger="yes",
    emergency_action="999",
    emergency_action_notes="Called 999 at the end of the session; police attended the home within the hour.",
    occurred_on_text="Today",
    setting="phone",
    summary="A 14-year-old said on the phone that her mother's partner hit her last night and she is scared "
    "to go home.",
    discloser_type="client",
    discloser_police_wishes="wants",
    own_words='"He hit me with a belt last night. I\'m not going back there."',
    observations="Distressed, crying; said she was at a friend's house.",
    categories=["child-physical", "child-domestic-abuse"],
    persons_at_risk=[
        dict(kind="child", identity="known", approximate_age="14", whereabouts="At a friend's house; police informed.")
    ],
    alleged_persons=[dict(identity="partly_known", relationship="Mother's partner", contact_with_children="yes")],
)

ADULT = dict(
    client_reference="AT-2001",
    urgency="routine",
    jurisdiction="wales",
    immediate_danger="no",
    occurred_on_text="Last week",
    setting="video",
    summary="Client with a learning disability says a carer takes money from her purse.",
    discloser_type="client",
    own_words='"She takes my money and says I owe it to her."',
    categories=["wales-financial"],
    persons_at_risk=[dict(kind="adult_at_risk", identity="known", description="The client")],
    # Wales: the three limbs of SSWBA 2014 s.126, her wishes and the capacity question.
    adult_at_risk=dict(
        care_and_support_needs="yes",
        abuse_or_neglect="yes",
        unable_to_protect_self="unknown",
        views_and_wishes="She wants the carer changed. She does not want the police involved.",
        knows_of_concern="yes",
        capacity_doubt="no",
        communication_needs="Easy read; she prefers short sentences and time to answer.",
        advocacy="needs_advocate",
    ),
    alleged_persons=[
        dict(
            identity="partly_known",
            description="A paid carer from an agency",
            position_of_trust="yes",
            role="care_worker",
            works_with_adults_at_risk="yes",
        )
    ],
)

# (key name, reporter email, content)
DEMO_CONCERNS = [
    ("trigger-case", "clinician@demo.test", TRIGGER_CASE),
    ("immediate-999", "clinician@demo.test", IMMEDIATE),
    ("adult-financial", "clinician2@demo.test", ADULT),
]


def seed(*, log, users, teams, clients=(), **context) -> dict:
    clients_by_reference = {client.reference: client for client in clients}
    concerns = []
    for name, email, content in DEMO_CONCERNS:
        reporter = users[email]
        data = dict(content)
        client_reference = data.pop("client_reference", None)
        data["client"] = clients_by_reference.get(client_reference)
        concern, created = submit_concern(actor=reporter, data=data, submission_key=uuid.uuid5(DEMO_NAMESPACE, name))
        if created and name == "trigger-case":
            add_addendum(
                actor=reporter,
                concern=concern,
                text="The client phoned: she remembers the fostering agency's name and will bring it next week.",
            )
        log(f"{'Created' if created else 'Kept'} concern {concern.reference} ({name})")
        concerns.append(concern)
    return {"concerns": concerns}

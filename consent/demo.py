"""Demo clients, two versions of the confidentiality statement and limits records.

Idempotent: a second run creates nothing twice. Runs before concerns.demo, which may link
concerns to these clients.
"""

import datetime

from django.utils import timezone

from consent import services
from consent.models import Client, ConfidentialityStatement, ExplanationMethod, Understanding

STATEMENT_V1 = "\n\n".join(
    [
        "What you tell me in our sessions is confidential. There are some limits.",
        (
            "I will share information without your agreement if I believe that a child, or an adult at risk, is "
            "being harmed or is at risk of harm. I will usually talk to you first, unless doing so would put "
            "someone at risk."
        ),
        (
            "I must share information if a court orders me to, or if the law requires it, for example information "
            "about terrorism."
        ),
        (
            "I discuss my work with a clinical supervisor, who is bound by the same confidentiality. I do not use "
            "your name in supervision."
        ),
    ]
)

STATEMENT_V2 = "\n\n".join(
    [
        (
            "What you tell me in our sessions is confidential. There are some limits, and I want you to know them "
            "before you decide what to tell me."
        ),
        (
            "1. Risk of harm to a child or an adult at risk. If I believe a child, or an adult who cannot protect "
            "themselves, is being harmed or is at risk of harm, now or in the future, I will share information "
            "with our safeguarding lead and, where needed, with children's or adults' social care, the LADO or "
            "the police. This includes harm that happened in the past if someone who caused it may still be a "
            "risk to children today. You do not have to agree for me to do this, but I will usually talk to you "
            "first, unless that would put someone at risk or get in the way of an investigation."
        ),
        (
            "2. Serious risk to you or to others. If I believe your life, or someone else's, is at serious risk, "
            "I will act to keep people safe."
        ),
        (
            "3. Court orders and the law. I must share information if a court orders me to, or if the law "
            "requires it, for example information about terrorism or some serious crimes."
        ),
        (
            "4. Supervision. I discuss my work with a clinical supervisor, who is bound by the same "
            "confidentiality. I do not use your name."
        ),
        (
            "5. Records. Our service keeps brief notes. Our privacy notice explains who can see them and for how "
            "long they are kept; you can have a copy."
        ),
        (
            "If I do need to share information, I will share only what is necessary, only with people who have a "
            "role in keeping someone safe, and I will keep a record of what I shared and why."
        ),
    ]
)

DEMO_CLIENTS = {
    "children-families": [("CF-1001", ""), ("CF-1002", ""), ("CF-1003", "")],
    "adult-therapies": [("AT-2001", ""), ("AT-2002", "")],
}


def _statement(*, version, title, text, effective_from, admin):
    statement, created = ConfidentialityStatement.objects.get_or_create(
        version=version,
        defaults=dict(
            title=title,
            text=text,
            effective_from=effective_from,
            # Historic versions: published on their effective date (the service only publishes
            # from today onwards, which is right for real use).
            published_at=timezone.make_aware(datetime.datetime.combine(effective_from, datetime.time(9))),
            published_by=admin,
            created_by=admin,
        ),
    )
    return statement, created


def seed(*, log, users, teams, **context) -> dict:
    admin = users["admin@demo.test"]
    clinicians = {
        "children-families": users["clinician@demo.test"],
        "adult-therapies": users["clinician2@demo.test"],
    }
    today = timezone.localdate()
    v1, created = _statement(
        version=1,
        title="Confidentiality and its limits",
        text=STATEMENT_V1,
        effective_from=today - datetime.timedelta(days=400),
        admin=admin,
    )
    log(f"{'Created' if created else 'Kept'} confidentiality statement version 1")
    v2, created = _statement(
        version=2,
        title="Confidentiality and its limits (plain-language revision)",
        text=STATEMENT_V2,
        effective_from=today - datetime.timedelta(days=60),
        admin=admin,
    )
    log(f"{'Created' if created else 'Kept'} confidentiality statement version 2")

    clients = []
    for team in teams:
        for reference, name in DEMO_CLIENTS.get(team.code, []):
            client = Client.objects.filter(team=team, reference=reference).first()
            if client is None:
                client = services.create_client(
                    actor=clinicians[team.code], team=team, reference=reference, display_name=name
                )
                log(f"Created client {reference}")
            clients.append(client)

    # (reference, statement, days ago, understanding, review in days): CF-1002 was told the
    # old version, so "needs revisiting" has something to show; CF-1003 was never told.
    records = [
        ("CF-1001", v2, 20, Understanding.UNDERSTOOD, None),
        ("CF-1002", v1, 200, Understanding.UNDERSTOOD, None),
        ("AT-2001", v2, 10, Understanding.PARTLY, 30),
        ("AT-2002", v2, 45, Understanding.UNDERSTOOD, None),
    ]
    by_reference = {client.reference: client for client in clients}
    for reference, statement, days_ago, understanding, review_in in records:
        client = by_reference.get(reference)
        if client is None or client.limits_records.exists():
            continue
        clinician = clinicians[client.team.code]
        services.record_limits_explanation(
            actor=clinician,
            client=client,
            statement=statement,
            explained_at=timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
            - datetime.timedelta(days=days_ago),
            method=ExplanationMethod.BOTH,
            understanding=understanding,
            understanding_notes="Client summarised: things stay private unless a child or someone is at risk.",
            review_on=today + datetime.timedelta(days=review_in) if review_in else None,
        )
        log(f"Recorded the limits of confidentiality for {reference}")
    return {"clients": clients}

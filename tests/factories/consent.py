"""Consent records for tests, made through the real services where there is one.

client = ClientFactory(team=cast.team)
v1 = published_statement(version=1)
explain_limits(client=client, statement=v1, actor=cast.clinician)
"""

import datetime

import factory
from django.utils import timezone

from consent import services
from consent.models import Client, ConfidentialityStatement, ExplanationMethod, Understanding

DEMO_TEXT = (
    "I will share information without your agreement if a child or an adult at risk may be harmed, if a court "
    "orders me to, or for terrorism and serious crime. I discuss my work in supervision."
)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    team = factory.SubFactory("tests.factories.accounts.TeamFactory")
    reference = factory.Sequence(lambda n: f"CL-{n:04d}")
    created_by = factory.SubFactory("tests.factories.accounts.UserFactory")


def published_statement(*, version: int, effective_from: datetime.date | None = None, admin=None, title=""):
    """A published statement version (historic dates allowed, which the service refuses on purpose)."""
    from tests.factories.accounts import UserFactory

    admin = admin or UserFactory(roles=["administrator"])
    effective_from = effective_from or timezone.localdate()
    statement, _ = ConfidentialityStatement.objects.get_or_create(
        version=version,
        defaults=dict(
            title=title or f"Limits of confidentiality v{version}",
            text=f"{DEMO_TEXT} (version {version})",
            effective_from=effective_from,
            published_at=timezone.now(),
            published_by=admin,
            created_by=admin,
        ),
    )
    return statement


def explain_limits(*, client, statement, actor, explained_at=None, **values):
    values.setdefault("method", ExplanationMethod.SPOKEN)
    values.setdefault("understanding", Understanding.UNDERSTOOD)
    return services.record_limits_explanation(
        actor=actor, client=client, statement=statement, explained_at=explained_at or timezone.now(), **values
    )

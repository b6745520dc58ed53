"""The concern page's consent panel."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from consent import services
from consent.models import LawfulBasisOption
from tests.factories.concerns import submit_test_concern
from tests.factories.consent import ClientFactory, explain_limits, published_statement


def render_panel(concern) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = Template("{% load consent_tags %}{% concern_consent_panel concern %}").render(
            Context({"concern": concern})
        )
    return html, len(queries)


def record_decision(concern, actor, n):
    basis = {o.kind: o for o in LawfulBasisOption.objects.filter(safeguarding_default=True)}
    services.record_sharing_decision(
        actor=actor,
        concern=concern,
        decision="share",
        recipients=f"Recipient {n}",
        purpose="Protect children",
        information_shared="Summary",
        consent="not_sought",
        not_sought_reason="risk_to_person",
        without_consent_justification="Risk",
        article6_basis=basis["article6"],
        article9_condition=basis["article9"],
        common_law_basis=basis["common_law"],
    )


@pytest.mark.django_db
def test_the_panel_shows_everything_at_a_glance_in_constant_queries(cast):
    client = ClientFactory(team=cast.team, created_by=cast.clinician)
    concern = submit_test_concern(reporter=cast.clinician, client=client)
    html, _ = render_panel(concern)
    assert "no record of the limits of confidentiality" in html
    assert "No sharing decision recorded yet" in html

    explain_limits(
        client=client, statement=published_statement(version=1), actor=cast.clinician, understanding="partly"
    )
    record_decision(concern, cast.clinician, 1)
    services.record_client_informed(actor=cast.clinician, concern=concern, status="after")
    html, one_decision_queries = render_panel(concern)
    assert "Share" in html and "Without consent" in html and "Recipient 1" in html
    assert "Article 6(1)(e): public task" in html and "Schedule 1 paragraph 18" in html
    assert "Cara Clinician" in html and "statement version 1" in html and "partly understood" in html
    assert "Told after sharing" in html

    for n in range(2, 6):
        record_decision(concern, cast.lead, n)
    html, many_decisions_queries = render_panel(concern)
    assert "Recipient 5" in html
    assert many_decisions_queries == one_decision_queries <= 5

"""The case file page without a browser: who may read it, prefilled forms, the chronology's
collapsed views and its filter by kind."""

import pytest
from django.urls import reverse

from audit.actions import readable_details
from audit.models import AuditEvent
from escalation.selectors import collapse_views, concern_chronology
from escalation.services import record_triage
from tests.factories.concerns import submit_test_concern
from tests.factories.packs import decision_to_share
from tests.factories.workflow import acknowledged

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(cast):
    return acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)


def test_leads_and_managers_read_the_case_file_and_others_do_not(client, cast, concern):
    url = reverse("escalation:concern", args=[concern.pk])
    client.force_login(cast.lead)
    assert client.get(url).status_code == 200
    client.force_login(cast.manager)
    page = client.get(url)
    assert page.status_code == 200
    assert b"Update triage" not in page.content and b"Acknowledge: I take" not in page.content
    assert AuditEvent.objects.filter(action="concern.viewed", actor=cast.manager, subject_ref=concern.reference)
    client.force_login(cast.lead_other_team)
    assert client.get(url).status_code == 404
    client.force_login(cast.other_clinician)
    assert client.get(url).status_code == 403


def test_the_print_view_is_recorded_as_a_view(client, cast, concern):
    client.force_login(cast.manager)
    assert client.get(reverse("escalation:concern_print", args=[concern.pk])).status_code == 200
    event = AuditEvent.objects.filter(action="concern.viewed", actor=cast.manager).latest("id")
    assert event.details == {"page": "case_file_print"}
    assert readable_details(event.action, event.details).sentence == "on the case file's print view"


def test_update_triage_opens_on_the_triage_in_force(client, cast, concern):
    record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="medium",
        rating_rationale="Historic account.",
        decision="advice_monitoring",
        decision_rationale="Monitor at each session.",
        review_date=concern.submitted_at.date().replace(year=concern.submitted_at.year + 1),
    )
    client.force_login(cast.lead)
    form = client.get(reverse("escalation:triage", args=[concern.pk])).context["form"]
    assert form.initial["risk_rating"] == "medium"
    assert form.initial["rating_rationale"] == "Historic account."
    assert form.initial["decision_rationale"] == "Monitor at each session."


def test_the_referral_form_defaults_to_the_sharing_decision_in_force(client, cast, concern):
    first = decision_to_share(concern, actor=cast.lead)
    later = decision_to_share(concern, actor=cast.lead, supersedes=first, purpose="Updated after the addendum.")
    client.force_login(cast.lead)
    form = client.get(reverse("escalation:refer", args=[concern.pk])).context["form"]
    assert form.initial["sharing_decision"] == later.pk


def test_repeated_views_collapse_into_one_line_that_expands(client, cast, concern):
    client.force_login(cast.lead)
    url = reverse("escalation:concern", args=[concern.pk])
    for _ in range(4):
        client.get(url)
    page = client.get(url).content.decode()
    assert "Viewed 5 times</strong> by Leah Lead" in page
    assert page.count("<details>") >= 1
    lines = collapse_views(concern_chronology(concern))
    views = [line for line in lines if line.is_collapsed]
    assert len(views) == 1 and len(views[0].entries) == 5


def test_views_by_different_people_or_with_an_action_between_stay_apart(client, cast, concern):
    url = reverse("escalation:concern", args=[concern.pk])
    client.force_login(cast.lead)
    client.get(url)
    client.force_login(cast.manager)
    client.get(url)
    client.force_login(cast.lead)
    client.get(url)
    lines = collapse_views(concern_chronology(concern))
    assert not any(line.is_collapsed for line in lines)


def test_the_chronology_filters_by_kind(client, cast, concern):
    client.force_login(cast.lead)
    url = reverse("escalation:concern", args=[concern.pk])
    everything = client.get(url).content.decode()
    assert "Concern submitted" in everything and "Deadline started" in everything
    views_only = client.get(url, {"kind": "access"}).content.decode()
    chronology = views_only[views_only.index('class="list-unstyled chronology"') :]
    assert "Concern submitted" not in chronology and "Deadline started" not in chronology
    assert 'data-kind="access"' in chronology
    alerts_only = client.get(url, {"kind": "alerts"}).content.decode()
    chronology = alerts_only[alerts_only.index('class="list-unstyled chronology"') :]
    assert "Deadline started" in chronology and 'data-kind="concern"' not in chronology


def test_a_manager_reaches_the_case_file_from_the_access_log(client, cast, concern):
    client.force_login(cast.manager)
    log = client.get(reverse("audit:concern_access_log", args=[concern.reference])).content.decode()
    assert f"{reverse('escalation:find_concern')}?reference={concern.reference}" in log
    found = client.get(reverse("escalation:find_concern"), {"reference": concern.reference})
    assert found.status_code == 302 and found.url == reverse("escalation:concern", args=[concern.pk])


def _queries_for_the_case_file(client, concern) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("escalation:concern", args=[concern.pk])
    client.get(url)  # the first view of a session loads what later views reuse
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_case_file_costs_the_same_queries_whatever_its_history(client, cast, concern):
    from concerns.services import add_addendum
    from consent.services import record_client_informed

    client.force_login(cast.lead)
    decision_to_share(concern, actor=cast.lead)
    record_triage(
        actor=cast.lead, concern_id=concern.pk, expected_status="acknowledged", risk_rating="low", rating_rationale="A."
    )
    short = _queries_for_the_case_file(client, concern)
    for rating in ("medium", "high", "medium"):
        record_triage(
            actor=cast.lead,
            concern_id=concern.pk,
            expected_status="triaged",
            risk_rating=rating,
            rating_rationale="Again.",
            change_reason="New information.",
        )
    for _ in range(3):
        decision_to_share(concern, actor=cast.lead, protected=[("Jane Doe", "Jane", "the discloser")])
        record_client_informed(actor=cast.lead, concern=concern, status="after", client_response="Fine.")
        add_addendum(actor=cast.clinician, concern=concern, text="More.")
    long = _queries_for_the_case_file(client, concern)
    print(f"case file queries: {short} with a short history, {long} with a long one")
    assert long == short


def test_the_case_file_says_what_the_clinician_was_told(client, cast, concern):
    from escalation.services import close_concern

    record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="low",
        rating_rationale="Historic, no current contact.",
        decision="no_further_action",
        decision_rationale="Nothing to refer.",
        reporter_feedback="detail",
    )
    close_concern(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="triaged",
        outcome="no_further_action",
        rationale="Closed after the decision.",
    )
    client.force_login(cast.manager)
    page = client.get(reverse("escalation:concern", args=[concern.pk])).content.decode()
    assert "Nothing to refer." in page and "Closed after the decision." in page
    assert page.count("The clinician is told") == 2

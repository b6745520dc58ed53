"""Acceptance 5: a manager filters the trail, opens a concern's access log and a dashboard; axe passes."""

import pytest
from django.urls import reverse

from tests.conftest import assert_accessible, login_through_page
from tests.factories.concerns import submit_test_concern


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_filters_the_trail_opens_an_access_log_and_a_dashboard(page, live_server, client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.lead)
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 200  # concern.viewed

    login_through_page(page, live_server.url, cast.manager.email)
    page.goto(live_server.url + reverse("audit:trail"))
    assert_accessible(page, context="audit trail")

    page.get_by_label("Concern reference").fill(concern.reference)
    page.get_by_label("Action").fill("concern.")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("table.audit-events tbody tr")
    assert rows.count() >= 2  # submitted and viewed
    assert any("concern.viewed" in text for text in rows.all_inner_texts())
    assert_accessible(page, context="filtered audit trail")

    page.get_by_role("link", name=concern.reference).first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == f"Who has seen {concern.reference}"
    access_rows = page.locator("table.audit-events tbody tr").all_inner_texts()
    assert any("concern.viewed" in text and cast.lead.email in text for text in access_rows)
    assert_accessible(page, context="concern access log")

    page.get_by_role("link", name="Dashboards").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboards"
    # Chart.js drew the charts from the json_script data (no inline script).
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length >= 4")
    assert_accessible(page, context="dashboards")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_audit_pages_and_charts_run_under_the_content_security_policy(browser, live_server, cast):
    """Without the test-only CSP bypass: Chart.js draws from json_script data with no violation."""
    submit_test_concern(reporter=cast.clinician)
    context = browser.new_context(bypass_csp=False, locale="en-GB")
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        login_through_page(page, live_server.url, cast.manager.email, check_axe=False)
        page.goto(live_server.url + reverse("audit:trail"))
        page.wait_for_load_state("networkidle")
        page.goto(live_server.url + reverse("escalation:dashboard"))
        page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length >= 4")
    finally:
        context.close()
    assert not violations, violations

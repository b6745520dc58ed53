"""Acceptance: a lead without a second factor cannot reach the queue."""

import pytest

from tests.conftest import AxePage, login_through_page

ENROL = "/accounts/2fa/totp/activate/"


@pytest.mark.browser
def test_a_lead_without_a_second_factor_cannot_reach_the_queue(page, live_server, cast):
    login_through_page(page, live_server.url, cast.lead.email, mfa=False)
    assert page.url == live_server.url + ENROL
    axe = AxePage(page, live_server.url)
    axe.check("enrolment page")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up your authenticator app"
    assert page.get_by_label("Authenticator code").is_visible()

    axe.visit("/queue/")
    assert page.url == live_server.url + ENROL


@pytest.mark.browser
def test_a_lead_with_a_second_factor_signs_in_with_a_code_and_reaches_the_queue(page, live_server, cast):
    login_through_page(page, live_server.url, cast.lead.email)
    assert page.url == live_server.url + "/queue/"
    axe = AxePage(page, live_server.url)
    for path in ("/accounts/2fa/", "/accounts/sessions/", "/accounts/2fa/reauthenticate/"):
        axe.visit(path)
        assert page.url.startswith(live_server.url + path)


@pytest.mark.browser
def test_pages_work_under_the_content_security_policy(browser, live_server, cast):
    """Without the test-only CSP bypass: no violation, and Bootstrap and htmx are running."""
    context = browser.new_context(bypass_csp=False, locale="en-GB")
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        login_through_page(page, live_server.url, cast.lead.email, check_axe=False)
        for path in ("/queue/", "/accounts/2fa/", "/accounts/sessions/", "/concerns/new/"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("() => typeof window.htmx === 'object' && typeof window.bootstrap === 'object'"), path
        page.goto(live_server.url + "/accounts/logout/")
        page.goto(live_server.url + "/accounts/login/")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert not violations, violations

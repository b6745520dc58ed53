from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import assert_accessible, login_through_page

DEMO_PASSWORD = "demo-safeguarding-2026"


@pytest.mark.browser
@pytest.mark.parametrize(
    ("email", "path", "heading"),
    [
        ("clinician@demo.test", "/concerns/", "My concerns"),
        ("clinician2@demo.test", "/concerns/", "My concerns"),
        ("lead@demo.test", "/queue/", "Queue"),
        ("deputy@demo.test", "/queue/", "Queue"),
        ("manager@demo.test", "/audit/", "Audit trail"),
        ("admin@demo.test", "/administration/", "Administration"),
    ],
)
def test_each_demo_role_logs_in_and_lands_on_its_page(page, live_server, settings, email, path, heading):
    settings.DEMO_PASSWORD = ""
    call_command("seed_demo", "--force", stdout=StringIO())
    login_through_page(page, live_server.url, email, DEMO_PASSWORD)
    assert page.url == live_server.url + path
    assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading)
    assert_accessible(page, context=f"{email} start page")

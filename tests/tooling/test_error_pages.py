"""403, 404, 500 and CSRF failures answer in the portal's layout, with no data and no URL list."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories.concerns import submit_test_concern

pytestmark = pytest.mark.django_db


def _in_the_portal_layout(html: str) -> None:
    assert "Safeguarding portal" in html and 'id="main"' in html
    assert "call 999" in html  # the layout's footer
    assert "Traceback" not in html and "URLconf" not in html


def test_a_role_without_access_gets_the_portals_403(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.administrator)
    page = client.get(reverse("concerns:detail", args=[concern.pk]))
    assert page.status_code == 403
    html = page.content.decode()
    _in_the_portal_layout(html)
    assert "You cannot open this page" in html and concern.summary not in html


def test_a_manager_following_a_link_to_the_concern_page_reaches_the_case_file(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.manager)
    page = client.get(reverse("concerns:detail", args=[concern.pk]), follow=True)
    assert page.redirect_chain == [(reverse("escalation:concern", args=[concern.pk]), 302)]
    assert page.status_code == 200 and concern.own_words.strip()[:30] in page.content.decode()
    printed = client.get(reverse("concerns:print", args=[concern.pk]))
    assert printed.url == reverse("escalation:concern_print", args=[concern.pk])


def test_a_missing_page_with_debug_off_is_the_portals_404(client, cast, settings):
    settings.DEBUG = False
    client.force_login(cast.clinician)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    html = page.content.decode()
    _in_the_portal_layout(html)
    assert "Page not found" in html and "/no-such-page/" not in html


def test_a_form_without_its_csrf_token_gets_the_portals_page():
    page = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "x@example.test"})
    assert page.status_code == 403
    html = page.content.decode()
    _in_the_portal_layout(html)
    assert "The form has expired" in html


def test_the_500_page_needs_no_request_and_says_what_to_do():
    html = render_to_string("500.html")
    _in_the_portal_layout(html)
    assert "Something went wrong" in html and "Drafts of a concern are kept" in html


def test_the_local_mail_viewer_lists_mail_without_printing_it_as_messages(client, cast, settings, tmp_path):
    if "devtools" not in settings.INSTALLED_APPS:
        pytest.skip("the mail viewer is installed only with DEVTOOLS_ENABLED")
    settings.DEV_MAIL_DIR = str(tmp_path)
    (tmp_path / "0001.eml").write_bytes(
        b"From: portal@example.test\r\nTo: leah@example.test\r\nSubject: New concern SG-1\r\n"
        b"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nBody\r\n"
    )
    client.force_login(cast.administrator)
    html = client.get("/dev/mail/").content.decode()
    assert "New concern SG-1" in html
    assert "{'name'" not in html and "'subject':" not in html


def test_policy_descriptions_carry_no_internal_references():
    from alerts.models import EscalationPolicy

    descriptions = list(EscalationPolicy.objects.values_list("description", flat=True))
    assert descriptions and not [d for d in descriptions if "(domain" in d]


def test_the_add_client_help_text_keeps_every_word(client, cast):
    from django.utils.html import strip_tags

    from consent.forms import ClientForm

    help_text = ClientForm(user=cast.lead).fields["display_name"].help_text
    assert "<" not in help_text and strip_tags(help_text) == help_text

"""Sign-in pages: no "signed in" before the second factor; recovery codes in the portal's style
with a way on."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories.accounts import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db


def test_no_signed_in_message_before_the_second_factor(client_without_mfa, cast):
    page = client_without_mfa.post(
        reverse("account_login"), {"login": cast.lead.email, "password": PERSONA_PASSWORD}, follow=True
    )
    html = page.content.decode()
    assert "2fa" in page.request["PATH_INFO"] or "authenticator" in html.lower()
    assert "Successfully signed in" not in html


def test_a_clinician_signing_in_sees_no_stale_message_either(client_without_mfa, cast):
    page = client_without_mfa.post(
        reverse("account_login"), {"login": cast.clinician.email, "password": PERSONA_PASSWORD}, follow=True
    )
    assert page.status_code == 200 and "Successfully signed in" not in page.content.decode()


def test_the_recovery_codes_page_is_styled_and_has_a_way_on(rf, cast):
    # Rendered as allauth renders it (its view asks for a fresh password first, which is allauth's).
    request = rf.get(reverse("mfa_view_recovery_codes"))
    request.user = cast.lead
    codes = ["a1b2c3d4", "e5f6a7b8"]
    html = render_to_string(
        "mfa/recovery_codes/index.html",
        {"unused_codes": codes, "total_count": 10, "can_view_codes": True, "can_download_codes": True},
        request=request,
    )
    assert 'class="navbar' in html and "Recovery codes" in html
    assert all(f"<li>{code}</li>" in html for code in codes)
    assert "continue to the portal" in html and f'href="{reverse("home")}"' in html

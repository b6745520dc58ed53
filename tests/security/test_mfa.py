"""A second factor for leads, deputies, managers and administrators; optional for clinicians."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.allauth_internals import totp_code
from accounts.security import SESSION_STARTED_AT_KEY, require_fresh_second_factor
from tests.conftest import enrol_test_totp, totp_code_for

ENROL = "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("persona", ["lead", "deputy", "manager", "administrator"])
def test_roles_that_need_a_second_factor_are_sent_to_enrolment_first(client_without_mfa, cast, persona):
    client_without_mfa.force_login(getattr(cast, persona))
    for path in ("/", "/queue/", "/audit/", "/administration/", "/concerns/", "/admin/"):
        response = client_without_mfa.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ENROL, path


def test_the_enrolment_page_opens_without_asking_again_for_the_password_just_typed(client_without_mfa, cast):
    client_without_mfa.post(reverse("account_login"), {"login": cast.lead.email, "password": cast.password})
    response = client_without_mfa.get(ENROL)
    assert response.status_code == 200
    assert b"Set up your authenticator app" in response.content


def test_enrolling_a_first_factor_opens_the_portal(client_without_mfa, cast, django_capture_on_commit_callbacks):
    client_without_mfa.post(reverse("account_login"), {"login": cast.lead.email, "password": cast.password})
    page = client_without_mfa.get(ENROL)
    secret = page.context["form"].secret
    code = totp_code(secret)
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals the new factor on commit
        response = client_without_mfa.post(ENROL, {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=cast.lead, type=Authenticator.Type.TOTP).exists()
    # The recovery codes come next, without another prompt: enrolling was the fresh proof.
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert client_without_mfa.get(response["Location"]).status_code == 200
    queue = client_without_mfa.get("/queue/")
    assert queue.get("Location") != ENROL
    assert not queue.get("Location", "").startswith(reverse("mfa_reauthenticate"))


def test_a_session_without_the_second_factor_step_must_take_it(client_without_mfa, cast):
    enrol_test_totp(cast.lead)
    client_without_mfa.force_login(cast.lead)  # a password-only session
    response = client_without_mfa.get("/queue/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")
    step = client_without_mfa.post(reverse("mfa_reauthenticate") + "?next=/queue/", {"code": totp_code_for(cast.lead)})
    assert step.status_code == 302
    assert client_without_mfa.get("/administration/").status_code in (403, 200)  # no longer redirected to the step


def test_sign_in_asks_for_the_code_and_a_wrong_code_is_refused(client_without_mfa, cast):
    enrol_test_totp(cast.lead)
    response = client_without_mfa.post(reverse("account_login"), {"login": cast.lead.email, "password": cast.password})
    assert response["Location"] == reverse("mfa_authenticate")
    wrong = client_without_mfa.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert b"is-invalid" in wrong.content
    assert "_auth_user_id" not in client_without_mfa.session
    right = client_without_mfa.post(reverse("mfa_authenticate"), {"code": totp_code_for(cast.lead)})
    assert right.status_code == 302
    assert client_without_mfa.session["_auth_user_id"] == str(cast.lead.pk)


def test_clinicians_may_work_without_a_second_factor_unless_the_setting_requires_it(client_without_mfa, cast, settings):
    client_without_mfa.force_login(cast.clinician)
    assert client_without_mfa.get("/concerns/").get("Location") != ENROL
    settings.MFA_REQUIRED_FOR_CLINICIANS = True
    response = client_without_mfa.get("/concerns/")
    assert response.status_code == 302
    assert response["Location"] == ENROL


def test_signing_out_and_static_files_stay_reachable_before_enrolment(client_without_mfa, cast):
    client_without_mfa.force_login(cast.lead)
    assert client_without_mfa.get("/healthz").status_code in (200, 503)
    response = client_without_mfa.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client_without_mfa.session


def test_htmx_requests_are_redirected_with_hx_redirect(client_without_mfa, cast):
    client_without_mfa.force_login(cast.lead)
    response = client_without_mfa.get("/queue/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == ENROL


def test_the_test_client_fixture_completes_the_second_factor(client, cast):
    client.force_login(cast.lead)
    response = client.get("/queue/")
    assert response.get("Location") not in (ENROL,)
    assert not (response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate")))


# --- A fresh second factor before exports and break-glass -----------------------------------------


@require_fresh_second_factor
def _sensitive_view(request):
    return HttpResponse("exported")


def _request_for(client, user, path="/audit/export/"):
    """A request carrying the client's session, for calling the decorated view directly."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().get(path)
    request.session = client.session
    request.user = user
    request._messages = FallbackStorage(request)
    return request


def test_fresh_second_factor_is_asked_again_after_five_minutes(client, cast):
    client.force_login(cast.manager)
    request = _request_for(client, cast.manager)
    assert _sensitive_view(request).status_code == 200  # second factor used moments ago
    with time_machine.travel(time.time() + 6 * 60):
        request = _request_for(client, cast.manager)
        response = _sensitive_view(request)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")


def test_fresh_second_factor_needs_an_enrolled_factor(client_without_mfa, cast):
    client_without_mfa.force_login(cast.clinician)
    response = _sensitive_view(_request_for(client_without_mfa, cast.clinician))
    assert response.status_code == 302
    assert response["Location"] == ENROL


def test_the_session_start_is_stamped_at_sign_in(client_without_mfa, cast):
    client_without_mfa.post(reverse("account_login"), {"login": cast.clinician.email, "password": cast.password})
    assert client_without_mfa.session[SESSION_STARTED_AT_KEY] == pytest.approx(time.time(), abs=60)

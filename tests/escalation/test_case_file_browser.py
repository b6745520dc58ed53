"""The case file: the trigger case is filed through the intake form, then everything recorded on
it reads back where the lead and the manager read the case, on screen and in print; forms that
change something open prefilled; axe passes; and the page fits a 375 px phone without scrolling
sideways."""

import re

import pytest
from django.urls import reverse

from concerns.models import Concern
from consent.models import ClientInformedRecord, SharingDecision
from escalation.services import record_triage
from tests.conftest import AxePage, answer_the_essentials, login_through_page
from tests.factories.workflow import acknowledged

PURPOSE = "Children placed with the foster carer may be at risk now."
WITHOUT_CONSENT_REASON = "Asking could alert the carer; children may be at risk."
SHARED = "The disclosure and the carer's approving agency."
CLIENT_RESPONSE = "She was relieved and asked to be kept informed."
FIRST_RATIONALE = "Historic account; no children named yet."
RATING_RATIONALE = "He is an approved foster carer with children placed now."
CHANGE_REASON = "The addendum names the fostering agency: two children are placed with him."
DECISION_RATIONALE = "Allegation about a foster carer: the LADO threshold is met."
CONTACT = "Sam Duty-LADO"
THEIR_REFERENCE = "LADO-4471"


def _texts_on(page) -> str:
    return page.inner_text("main")


def _expected_texts():
    return [
        PURPOSE,
        WITHOUT_CONSENT_REASON,
        SHARED,
        CLIENT_RESPONSE,
        RATING_RATIONALE,
        CHANGE_REASON,
        DECISION_RATIONALE,
        CONTACT,
        THEIR_REFERENCE,
        "Changed from Medium to High",
        "Devon",
    ]


def _fits_a_phone(page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    # Reading scrollWidth lays the page out again at the new width.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at 375 px"
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.browser
def test_the_lead_and_the_manager_read_the_whole_case_file_on_screen_and_in_print(
    page, live_server, transactional_db, cast
):
    axe = AxePage(page, live_server.url)
    # The clinician files the trigger case through the intake form.
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit(reverse("concerns:new"))
    answer_the_essentials(page, own_words='"He did things to me when I was little. Now they have let him foster."')
    page.locator("[name=persons-0-kind]").locator("xpath=ancestor::fieldset[1]").locator("summary").click()
    page.locator("[name=persons-0-description]").fill("Children placed with the foster carer")
    page.locator("[name=alleged-0-position_of_trust]").select_option("yes")
    page.locator("[name=alleged-0-role]").select_option(label="Foster carer")
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    axe.check("after submitting the trigger case")
    concern = Concern.objects.get()
    assert concern.alleged_persons.get().role == "foster_carer"
    page.context.clear_cookies()

    concern = acknowledged(concern, by=cast.lead)
    record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="medium",
        rating_rationale=FIRST_RATIONALE,
    )

    login_through_page(page, live_server.url, cast.lead.email)
    case_file_url = reverse("escalation:concern", args=[concern.pk])

    # A decision to share without consent, from the case file.
    axe.visit(case_file_url)
    page.get_by_role("link", name="Record a sharing decision").click()
    page.get_by_label("Share", exact=True).check()
    page.get_by_label("Recipients and their role in safeguarding").fill(
        "LADO, Devon County Council (allegations about people who work with children)"
    )
    page.get_by_label("Purpose").fill(PURPOSE)
    page.get_by_label("Exactly what is shared").fill(SHARED)
    page.get_by_label("Consent not sought").check()
    page.get_by_label("Asking would put a child or an adult at risk").check()
    page.get_by_label("Why sharing without consent is justified").fill(WITHOUT_CONSENT_REASON)
    axe.check("sharing decision form")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state("networkidle")
    decision = SharingDecision.objects.get(concern=concern)
    assert decision.is_without_consent

    # The client was told afterwards, and what they said.
    axe.visit(case_file_url)
    page.get_by_role("link", name="Record whether the client was told").click()
    page.get_by_label("Told after sharing").check()
    page.get_by_label("The client's response or views (optional)").fill(CLIENT_RESPONSE)
    axe.check("client-informed form")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_load_state("networkidle")
    assert ClientInformedRecord.objects.get(concern=concern).client_response == CLIENT_RESPONSE

    # The summary comes first: urgency and nation, danger, categories, people, the account.
    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    summary = page.locator("section.case-summary")
    assert "Summary of the concern" in summary.inner_text()
    assert page.locator("main section.card").first.get_attribute("class").find("case-summary") >= 0
    assert summary.locator("blockquote.account-verbatim").inner_text().strip() == concern.own_words.strip()
    for text in (concern.get_urgency_display(), concern.get_jurisdiction_display(), "Children placed"):
        assert text in summary.inner_text()

    # "Update triage" opens on the triage in force.
    page.get_by_role("link", name="Update triage").click()
    axe.check("update triage form")
    assert page.get_by_label("Medium", exact=True).is_checked()
    assert page.get_by_label("Why this rating").input_value() == FIRST_RATIONALE
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Why this rating").fill(RATING_RATIONALE)
    page.get_by_label("Reason for changing the rating").fill(CHANGE_REASON)
    page.get_by_label("Refer externally").check()
    page.get_by_label("Rationale for the decision").fill(DECISION_RATIONALE)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert "Triage recorded." in _texts_on(page)

    # The referral form defaults to the sharing decision in force.
    page.get_by_role("link", name="Record the referral to the LADO").click()
    axe.check("referral form")
    assert page.locator("#id_sharing_decision").input_value() == str(decision.pk)
    page.get_by_label("Local authority or area").fill("Devon")
    page.get_by_label("How the referral was made").select_option("phone")
    page.get_by_label("Who took it (name or role)").fill(CONTACT)
    page.get_by_label("Their reference").fill(THEIR_REFERENCE)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert "Referral recorded." in _texts_on(page)
    axe.check("the lead's case file")
    case_file = _texts_on(page)
    for text in _expected_texts():
        assert text in case_file, f"the lead's case file lacks {text!r}"
    _fits_a_phone(page)

    axe.visit(reverse("escalation:concern_print", args=[concern.pk]))
    printed = _texts_on(page)
    for text in _expected_texts():
        assert text in printed, f"the lead's print view lacks {text!r}"
    assert page.get_by_role("link", name="Update triage").count() == 0

    # The manager reads the same, with no way to change it.
    page.context.clear_cookies()
    login_through_page(page, live_server.url, cast.manager.email)
    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    case_file = _texts_on(page)
    for text in _expected_texts():
        assert text in case_file, f"the manager's case file lacks {text!r}"
    assert page.get_by_role("link", name="Update triage").count() == 0
    assert page.get_by_role("link", name="Record a referral").count() == 0
    _fits_a_phone(page)
    axe.visit(reverse("escalation:concern_print", args=[concern.pk]))
    printed = _texts_on(page)
    for text in _expected_texts():
        assert text in printed, f"the manager's print view lacks {text!r}"

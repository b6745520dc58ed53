"""Acceptance 6: a lead acknowledges, rates, refers to the LADO and closes a concern, in Chromium;
axe checks every page on the way.
"""

import pytest
from django.urls import reverse

from concerns.models import ConcernStatus
from escalation.models import ExternalReferral, LadoTask
from tests.conftest import AxePage, login_through_page
from tests.factories.concerns import submit_test_concern


@pytest.mark.browser
def test_lead_acknowledges_rates_refers_to_the_lado_and_closes(page, live_server, transactional_db, cast):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="england", alleged_position_of_trust="yes", alleged_role="foster_carer"
    )
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.lead.email)

    # The queue: the new concern, awaiting acknowledgement, with a live countdown.
    axe.visit(reverse("escalation:queue"))
    row = page.get_by_role("row").filter(has_text=concern.reference)
    assert "left" in row.locator("time.js-countdown").inner_text() or "overdue" in row.inner_text()
    row.get_by_role("button", name=f"Acknowledge {concern.reference}").click()
    page.wait_for_load_state("networkidle")
    assert "You acknowledged" in page.get_by_role("status").inner_text()
    axe.check("queue after acknowledging")

    # The lead's page for the concern, then the full concern page with the same panel.
    page.get_by_role("link", name=concern.reference, exact=True).click()
    axe.check("workflow page")
    assert "Tell the LADO by" in page.inner_text("main")
    page.get_by_role("link", name="Read the full concern").click()
    axe.check("concern page with the workflow panel")
    assert page.get_by_role("heading", name="Lead's workflow").is_visible()

    # Triage: rating and decision, each with its rationale.
    page.get_by_role("link", name="Triage").click()
    axe.check("triage form")
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Why this rating").fill("He is an approved foster carer with children placed now.")
    page.get_by_label("Refer externally").check()
    page.get_by_label("Rationale for the decision").fill("Allegation about a foster carer: LADO threshold met.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert "Triage recorded." in page.inner_text("main")

    # Refer to the LADO from the position-of-trust prompt.
    page.get_by_role("link", name="Record the referral to the LADO").click()
    axe.check("referral form")
    assert page.locator("#id_agency").input_value() == "lado"
    page.get_by_label("Local authority or area").fill("Devon")
    page.get_by_label("How the referral was made").select_option("phone")
    page.get_by_label("Their reference").fill("LADO-4471")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert "Referral recorded." in page.inner_text("main")
    assert "Record written confirmation" in page.inner_text("main")
    axe.check("workflow page after referring")

    # Close with an outcome and a rationale.
    page.get_by_role("link", name="Close", exact=True).click()
    axe.check("close form")
    page.get_by_role("combobox", name="Outcome").select_option("referral_accepted")
    # What the clinician who raised it may read: the kind of outcome and the agency by default.
    assert page.get_by_label("The kind of outcome and the agency, not the detail").is_checked()
    page.get_by_label("Rationale for closing").fill("The LADO has taken the allegation on; strategy meeting set.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert f"{concern.reference} is closed." in page.inner_text("main")
    chronology = page.locator("ol.chronology").inner_text()
    for label in ("Concern submitted", "Acknowledged", "Triaged", "Referred externally", "Closed"):
        assert label in chronology
    axe.check("workflow page after closing")

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    referral = ExternalReferral.objects.get(concern=concern)
    assert referral.agency == "lado" and referral.their_reference == "LADO-4471"
    assert LadoTask.objects.get(concern=concern).referral == referral

    # Off the queue.
    axe.visit(reverse("escalation:queue"))
    assert concern.reference not in page.inner_text("main")

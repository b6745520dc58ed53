"""Acceptance 3: in Chromium, a lead records a decision to share in part, then builds, edits,
finalises and prints a LADO pack for the trigger case; in Wales, finalising the pack for a phoned
referral meets its written-confirmation deadline. axe checks every page on the way."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Deadline, DeadlineState, ObligationKind
from escalation import services as workflow
from escalation.packs.models import FinalReferralPack
from tests.conftest import AxePage, login_through_page
from tests.factories.concerns import TRIGGER_CASE, submit_test_concern
from tests.factories.packs import decision_to_share
from tests.factories.workflow import acknowledged

DISCLOSER = "Mary Ellen Jones"


@pytest.mark.browser
def test_acceptance_3_the_lead_builds_edits_finalises_and_prints_a_lado_pack(page, live_server, transactional_db, cast):
    concern = submit_test_concern(
        reporter=cast.clinician,
        alleged_position_of_trust="yes",
        alleged_role="foster_carer",
        own_words=f"{TRIGGER_CASE['own_words']} I'm {DISCLOSER}; Mary is what they called me then.",
    )
    acknowledged(concern, by=cast.lead)
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.lead.email)

    # The case file says what is missing before a pack can be built.
    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    assert "record a decision to share that says what may be shared" in page.inner_text("main")

    # The decision: share in part, without consent, protecting the discloser's name.
    axe.visit(reverse("concerns:sharing_new", args=[concern.pk]))
    page.get_by_label("Share in part").check()
    for part in (
        "What the concern is about",
        "The person's account in their own words",
        "Who may be at risk",
        "The alleged person's role",
        "Earlier reports and what is new since",
    ):
        page.get_by_label(part).check()
    page.get_by_label("Recipients and their role in safeguarding").fill("The LADO for Devon")
    page.get_by_label("Purpose").fill("Children placed with the foster carer may be at risk now.")
    page.get_by_label("Exactly what is shared").fill("The referral pack, as finalised.")
    page.get_by_label("Consent not sought").check()
    page.get_by_label("Asking would put a child or an adult at risk").check()
    page.get_by_label("Why sharing without consent is justified").fill("Asking could alert the carer.")
    page.locator("#id_protect-0-name").fill(DISCLOSER)
    page.locator("#id_protect-0-other_forms").fill("Mary")
    page.locator("#id_protect-0-replacement").fill("the discloser")
    axe.check("sharing form filled in")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state("networkidle")
    assert "sharing decision" in page.get_by_role("status").inner_text()

    # Build: the lead chooses the agency; the portal drafts.
    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    page.get_by_role("link", name="Build a referral pack").click()
    axe.check("build form")
    page.get_by_label("Referral to the Local Authority Designated Officer (LADO)").check()
    page.get_by_role("button", name="Draft the pack").click()
    page.wait_for_load_state("networkidle")
    assert "is drafted" in page.get_by_role("status").inner_text()
    axe.check("draft editor")
    allegation = page.get_by_label("The allegation or concern")
    drafted = allegation.input_value()
    assert "Now they've let him foster kids." in drafted and "the discloser" in drafted
    assert "Mary" not in "".join(t.input_value() for t in page.locator("textarea").all())
    assert "Not included" in page.get_by_label("Our assessment").input_value()

    # Edit, then review to finalise (the edit is kept as version 2).
    allegation.fill(drafted + "\nThe discloser is willing to speak to the LADO.")
    page.get_by_label("What did you change? (optional)").fill("Added the discloser's willingness")
    page.get_by_role("button", name="Save and review to finalise").click()
    page.wait_for_load_state("networkidle")
    axe.check("finalise page")
    assert "The discloser is willing to speak to the LADO." in page.inner_text("main")
    page.get_by_label("Local authority or area it is sent to").fill("Devon")
    page.get_by_label("How it is sent").select_option("email")
    page.get_by_label("I have read the pack").check()
    page.get_by_role("button", name="Finalise and store the pack").click()
    page.wait_for_load_state("networkidle")
    assert "is finalised and stored" in page.get_by_role("status").inner_text()
    axe.check("finalised pack")
    final = FinalReferralPack.objects.get(pack__concern=concern)
    assert page.locator("code.sha256").inner_text() == final.sha256
    assert final.revision.number == 2

    # Print: the stored document, byte for byte, with the organisation, reference and marking.
    with page.expect_response(lambda r: r.url.endswith(reverse("escalation:pack_print", args=[final.pack_id]))) as sent:
        page.get_by_role("link", name="Open the print view").click()
    page.wait_for_load_state("networkidle")
    assert hashlib.sha256(sent.value.body()).hexdigest() == final.sha256
    axe.check("print view")
    page.emulate_media(media="print")
    printed = page.inner_text("body")
    for text in ("OFFICIAL-SENSITIVE", "Safeguarding portal", final.pack.reference, "the discloser"):
        assert text in printed
    assert "Mary" not in printed and "To print, use your browser" not in printed
    assert page.pdf(format="A4")[:5] == b"%PDF-"
    page.emulate_media(media="screen")

    # The case file and the chronology.
    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    section = page.locator("section.referral-packs").inner_text()
    assert final.pack.reference in section and "Finalised" in section
    chronology = page.locator("ol.chronology").inner_text()
    for label in ("Referral pack drafted", "Referral pack edited", "Referral pack finalised", "Referred externally"):
        assert label in chronology


@pytest.mark.browser
def test_acceptance_3_in_wales_finalising_the_pack_meets_the_written_confirmation_deadline(
    page, live_server, transactional_db, cast
):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="wales", alleged_position_of_trust="yes", alleged_role="foster_carer"
    )
    acknowledged(concern, by=cast.lead)
    decision_to_share(concern, actor=cast.lead)
    phoned = workflow.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        agency="lado",
        area="Cardiff",
        method="phone",
        referred_at=timezone.now(),
        contact_name="Duty designated officer",
    )
    deadline = Deadline.objects.get(kind=ObligationKind.WRITTEN_CONFIRMATION, state=DeadlineState.OPEN)
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.lead.email)

    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    assert "awaits written confirmation" in page.locator("section.referral-packs").inner_text()
    page.get_by_role("link", name="Write it as a referral pack").click()
    axe.check("build form for the written confirmation")
    assert page.get_by_label("Report to the Designated Officer for Safeguarding").is_checked()
    page.get_by_role("button", name="Draft the pack").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Save and review to finalise").click()
    page.wait_for_load_state("networkidle")
    axe.check("finalise page for the written confirmation")
    assert "finalising meets that deadline" in page.inner_text("main")
    page.get_by_label("I have read the pack").check()
    page.get_by_role("button", name="Finalise and store the pack").click()
    page.wait_for_load_state("networkidle")
    assert "Confirmed in writing at" in page.inner_text("main")
    axe.check("finalised written confirmation")

    deadline.refresh_from_db()
    phoned.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    assert phoned.confirmed_in_writing_at is not None and phoned.confirmed_in_writing_at <= deadline.due_at
    axe.visit(reverse("escalation:pack_print", args=[FinalReferralPack.objects.get(referral=phoned).pack_id]))
    assert "Our referral by phone on" in page.inner_text("main")

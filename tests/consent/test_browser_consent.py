"""Acceptance 3: explain the limits, file a concern from that client through the real intake form,
record a decision to share without consent, and see both on the concern page. Axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from concerns.models import Concern
from consent.models import LimitsRecord, SharingDecision
from tests.conftest import AxePage, login_through_page
from tests.factories.consent import ClientFactory, published_statement


@pytest.mark.browser
def test_limits_then_concern_then_sharing_without_consent_all_show_on_the_concern_page(page, live_server, cast):
    statement = published_statement(version=1, admin=cast.administrator)
    client = ClientFactory(team=cast.team, reference="CF-42", created_by=cast.clinician)
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)

    # 1. Record that the limits of confidentiality were explained.
    axe.visit("/consent/clients/")
    page.get_by_role("link", name="Client CF-42").click()
    axe.check("client page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Client CF-42")
    page.get_by_role("link", name="Record an explanation of the limits").click()
    axe.check("limits form")
    page.get_by_label("Spoken and a written copy given").check()
    page.get_by_label("Understood", exact=True).check()
    page.get_by_label("Who else was present (optional)").fill("Her sister")
    page.get_by_role("button", name="Save record").click()
    axe.check("client page after recording")
    expect(page.get_by_text("is recorded")).to_be_visible()
    record = LimitsRecord.objects.get(client=client)
    assert record.statement == statement and record.explained_by == cast.clinician

    # 2. File a concern from that client through the real intake form.
    axe.visit("/concerns/new/")
    page.locator("#div_id_immediate_danger").get_by_label("No", exact=True).check()
    page.get_by_label("Client (if the concern arose in your work with a client)").select_option(
        label="CF-42 (Children and families)"
    )
    status = page.locator("#limits-status")
    expect(status).to_contain_text("Limits of confidentiality: Client CF-42")
    expect(status).to_contain_text("statement version 1")
    axe.check("intake form with the limits status")
    page.get_by_label("Nation where the person at risk lives").select_option(label="England")
    page.locator("#div_id_urgency").get_by_label("Same day").check()
    page.locator("summary", has_text="When and where").click()
    page.get_by_label("Or describe when, if you do not know the date").fill("This morning's session")
    page.locator("summary", has_text="Who raised the concern").click()
    page.get_by_label("The client told me").check()
    page.locator("summary", has_text="Categories and your summary").click()
    page.locator("input[name=categories][value=child-sexual]").check()
    page.get_by_label("Summary of the concern (your summary, up to 500 characters)").fill(
        "Adult client disclosed childhood sexual abuse by a man who now fosters children."
    )
    page.get_by_label("What the person said, in their own words").fill('"He is fostering now."')
    page.get_by_role("button", name="Submit the concern to the safeguarding lead").click()
    page.wait_for_load_state("networkidle")
    concern = Concern.objects.get(client=client)
    axe.check("after submitting the concern")

    # 3. Record a decision to share without consent.
    axe.visit(f"/concerns/{concern.pk}/sharing/new/")
    page.get_by_label("Share", exact=True).check()
    # Only the questions that apply show (consent.js): nothing about not sharing or refusal reasons.
    expect(page.locator("#not-sharing-section")).to_be_hidden()
    expect(page.get_by_label("The client's reasons for refusing")).to_be_hidden()
    page.get_by_label("Recipients and their role in safeguarding").fill(
        "LADO, Anyshire County Council (allegations about people who work with children)"
    )
    page.get_by_label("Purpose").fill("Protect the children placed with the foster carer")
    page.get_by_label("Exactly what is shared").fill("Client's account of abuse by the foster carer in the 1990s.")
    page.get_by_label("Consent not sought").check()
    page.get_by_label("Asking would put a child or an adult at risk").check()
    # Without a reason the form refuses, beside the field, and keeps what was typed.
    page.get_by_role("button", name="Save decision").click()
    axe.check("sharing form with errors")
    expect(page.get_by_text("Sharing without consent needs a reason").first).to_be_visible()
    expect(page.get_by_label("Purpose")).to_have_value("Protect the children placed with the foster carer")
    page.get_by_label("Why sharing without consent is justified").fill(
        "Children may be at risk now; telling him first could put them at greater risk."
    )
    page.get_by_role("button", name="Save decision").click()

    # 4. Both show on the concern page.
    expect(page).to_have_url(re.compile(rf"/concerns/{concern.pk}/$"))
    axe.check("concern page")
    panel = page.locator("section.consent-panel")
    expect(panel).to_contain_text("Without consent")
    expect(panel).to_contain_text("Not sought: Asking would put a child or an adult at risk")
    expect(panel).to_contain_text("Article 6(1)(e): public task")
    expect(panel).to_contain_text("LADO, Anyshire County Council")
    expect(panel).to_contain_text("Client CF-42: explained on")
    expect(panel).to_contain_text("statement version 1")
    expect(panel).to_contain_text("understanding: understood")
    decision = SharingDecision.objects.get(concern=concern)
    assert decision.is_without_consent and decision.decided_by == cast.clinician

    # 5. The concern filed since the explanation puts the client on the revisit list.
    axe.visit("/consent/clients/needs-revisit/")
    expect(page.get_by_role("main")).to_contain_text("A concern was filed about this client after the limits")
    expect(page.get_by_role("link", name="Client CF-42", exact=True)).to_be_visible()

"""Acceptance: a clinician files an adult-at-risk concern in Wales with the Welsh criteria and the
capacity question; the form offers only Wales's categories (and every nation's), and axe passes on
the form, the after-submit page and the case file."""

import re

import pytest
from playwright.sync_api import expect

from concerns.models import Concern
from tests.conftest import AxePage, login_through_page


@pytest.mark.browser
def test_an_adult_at_risk_concern_in_wales_with_the_criteria_and_capacity(page, live_server, cast):
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")

    page.locator("#div_id_immediate_danger").get_by_label("No", exact=True).check()
    adult_section = page.locator("#adult-at-risk")
    expect(adult_section).not_to_have_attribute("open", "")
    page.get_by_label("Nation where the person at risk lives").select_option(label="Wales")
    page.locator("#div_id_urgency").get_by_label("Same day").check()
    for section in ("When and where", "Who raised the concern", "Categories and your summary"):
        page.locator("summary", has_text=section).click()
    page.get_by_label("Or describe when, if you do not know the date").fill("This afternoon's home visit")

    # Only Wales's list and every nation's list are offered.
    expect(page.locator(".category-group[data-nations='wales']")).to_be_visible()
    expect(page.locator(".category-group[data-nations='']")).to_be_visible()
    for other in ("england", "scotland", "northern_ireland"):
        expect(page.locator(f".category-group[data-nations='{other}']")).to_be_hidden()
    expect(page.locator("input[name=categories][value=adult-financial]")).to_be_disabled()

    # An adult at risk in Wales: the section opens by itself, with the Welsh (s.126) three limbs only.
    page.locator("[name=persons-0-kind]").select_option("adult_at_risk")
    page.locator("[name=persons-0-identity]").select_option("known")
    page.locator("[name=persons-0-kind]").locator("xpath=ancestor::fieldset[1]").locator("summary").click()
    page.locator("[name=persons-0-description]").fill("The client's mother, 82, lives alone")
    expect(adult_section).to_have_attribute("open", "")
    expect(page.get_by_text("Social Services and Well-being (Wales) Act 2014, section 126")).to_be_visible()
    expect(page.locator(".criteria-group[data-nations='scotland']")).to_be_hidden()
    expect(page.locator(".criteria-group[data-nations='northern_ireland']")).to_be_hidden()
    page.locator("#div_id_adult-care_and_support_needs").get_by_label("Yes", exact=True).check()
    page.locator("#div_id_adult-abuse_or_neglect").get_by_label("Yes", exact=True).check()
    page.locator("#div_id_adult-unable_to_protect_self").get_by_label("Not known", exact=True).check()
    page.get_by_label("What are the adult's views and wishes? What outcome do they want?").fill(
        "She wants her son to stop taking her pension. She does not want the police."
    )
    page.locator("#div_id_adult-knows_of_concern").get_by_label("No", exact=True).check()
    page.get_by_label("If they do not know, why not?").fill("Her son reads her post and answers her phone.")
    page.locator("#div_id_adult-capacity_doubt").get_by_label("Yes", exact=True).check()
    page.get_by_label("About their capacity (what makes you think so)").fill("Forgets conversations within minutes.")
    page.get_by_label("Communication needs").fill("Hearing aid; prefers Welsh.")
    page.locator("#div_id_adult-advocacy").get_by_label("May need an independent advocate").check()
    axe.check("intake form, adult at risk in Wales")

    page.get_by_label("The client told me").check()
    welsh_financial = page.locator("input[name=categories][value=wales-financial]")
    welsh_financial.check()
    # Picking another nation hides Wales's list (nothing of it is sent); picking Wales again brings back the tick.
    nation = page.get_by_label("Nation where the person at risk lives")
    nation.select_option(label="Scotland")
    expect(welsh_financial).to_be_hidden()
    expect(page.locator(".category-group[data-nations='scotland']")).to_be_visible()
    expect(page.locator(".criteria-group[data-nations='scotland']")).to_be_visible()
    nation.select_option(label="Wales")
    expect(welsh_financial).to_be_checked()
    expect(welsh_financial).to_be_enabled()
    page.get_by_label("Summary of the concern (your summary, up to 500 characters)").fill(
        "Client says her son takes their mother's pension and she is left without food."
    )
    page.get_by_label("What the person said, in their own words").fill('"He takes Mam\'s money every Friday."')

    page.get_by_role("button", name="Submit the concern to the safeguarding lead").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    axe.check("after submitting")

    concern = Concern.objects.get()
    assert concern.jurisdiction == "wales"
    assert list(concern.categories.values_list("code", flat=True)) == ["wales-financial"]
    details = concern.adult_at_risk
    assert (details.care_and_support_needs, details.abuse_or_neglect, details.unable_to_protect_self) == (
        "yes",
        "yes",
        "unknown",
    )
    assert (details.capacity_doubt, details.knows_of_concern, details.advocacy) == ("yes", "no", "needs_advocate")

    axe.visit(f"/concerns/{concern.pk}/")
    record = page.locator(".adult-at-risk-record")
    expect(record).to_contain_text("Does the adult have needs for care and support")
    expect(record).to_contain_text("Forgets conversations within minutes.")
    expect(record).to_contain_text("May need an independent advocate")

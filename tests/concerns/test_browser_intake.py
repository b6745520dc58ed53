"""Acceptance (issue 3): the trigger case filed end to end, and a draft that survives an expired session.
Axe runs on every page visited: new concern, after submit, My concerns, concern page, print view."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from concerns.models import Concern, ConcernDraft
from consent.models import Client
from tests.conftest import AxePage, login_through_page

SAVED = re.compile(r"Draft saved at \d\d:\d\d:\d\d")


@pytest.mark.browser
def test_trigger_case_filed_end_to_end_without_names(page, live_server, cast):
    Client.objects.create(team=cast.team, reference="AT-7", created_by=cast.clinician)
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)

    axe.visit("/concerns/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New safeguarding concern")
    danger = page.locator("#div_id_immediate_danger")
    danger.get_by_label("Unsure", exact=True).check()
    expect(page.get_by_text("If the answer is yes or unsure: act now")).to_be_visible()
    danger.get_by_label("No", exact=True).check()
    expect(page.locator("#emergency-section")).to_be_hidden()

    page.get_by_label("Client (if the concern arose in your work with a client)").select_option(
        label="AT-7 (Children and families)"
    )
    page.get_by_label("Nation where the person at risk lives").select_option(label="England")
    page.locator("#div_id_urgency").get_by_label("Same day").check()
    # The full path: every "add more detail" section is opened and filled.
    for section in (
        "When and where",
        "Who raised the concern",
        "Categories and your summary",
        "More of the account",
        "Earlier reports",
        "Actions and advice",
    ):
        page.locator("summary", has_text=section).click()
    page.get_by_label("Or describe when, if you do not know the date").fill("This morning's session")
    page.get_by_label("Setting", exact=True).select_option("session")
    page.get_by_label("The abuse described happened in the past (non-recent abuse)").check()
    page.get_by_label("When the abuse happened, if known").fill("Her childhood, 1990s")

    page.locator("[name=persons-0-kind]").select_option("child")
    page.locator("[name=persons-0-identity]").select_option("unknown")
    page.locator("[name=persons-0-kind]").locator("xpath=ancestor::fieldset[1]").locator("summary").click()
    page.locator("[name=persons-0-description]").fill("Children placed with the foster carer")
    page.get_by_role("button", name="Add another person at risk").click()
    page.locator("[name=persons-1-kind]").select_option("child")
    page.locator("[name=persons-1-kind]").locator("xpath=ancestor::fieldset[1]").locator("summary").click()
    page.locator("[name=persons-1-description]").fill("Any other children in his household")
    axe.check("intake form with a second person at risk")

    page.get_by_label("The client told me").check()
    page.get_by_label("Their wishes about a police report").select_option("undecided")
    page.get_by_label("Their wishes about their own identity being shared").select_option("anonymous")
    page.get_by_label("Support offered or signposted").fill("NAPAC details given.")

    page.locator("#div_id_has_alleged_person").get_by_label("Yes", exact=True).check()
    expect(page.locator("#more-alleged")).to_have_attribute("open", "")
    page.locator("[name=alleged-0-identity]").select_option("partly_known")
    page.locator("[name=alleged-0-approximate_age]").fill("about 60")
    page.locator("[name=alleged-0-contact_with_children]").select_option("yes")
    page.locator("[name=alleged-0-position_of_trust]").select_option("yes")
    # Working with children opens the questions about that work.
    page.locator("[name=alleged-0-role]").select_option(label="Foster carer")

    page.locator("input[name=categories][value=child-sexual]").check()
    page.get_by_label("Summary of the concern (your summary, up to 500 characters)").fill(
        "Adult client disclosed sexual abuse in childhood by a man she will not name; he now fosters children."
    )
    page.get_by_label("What the person said, in their own words").fill(
        '"He did things to me when I was little. Now they have let him foster."'
    )
    page.get_by_label("What you observed").fill("Tearful, spoke quietly, asked twice whether he would find out.")
    page.get_by_label("Your professional opinion").fill("Children placed with him may be at risk now.")
    page.get_by_label("What you said or asked").fill("I said: thank you for telling me. I did not ask for details.")

    page.locator("[name=prior-0-recipient]").select_option("csc")
    page.locator("[name=prior-0-made_by]").select_option("client")
    page.locator("[name=prior-0-reported_on_text]").fill("Years ago, as a teenager")
    page.locator("[name=prior-0-reported_on_approximate]").check()
    page.locator("[name=prior-0-new_since]").fill("He is now approved as a foster carer.")
    page.get_by_label("Actions already taken").fill("Told the client I must share this with our lead.")

    page.get_by_role("button", name="Submit the concern to the safeguarding lead").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    axe.check("after submitting")
    concern = Concern.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Concern submitted: {concern.reference}")
    assert re.fullmatch(r"SG-\d{4}-\d{6}", concern.reference)
    expect(page.get_by_text("What happens next")).to_be_visible()

    alleged = concern.alleged_persons.get()
    assert (alleged.role, alleged.position_of_trust, alleged.contact_with_children) == ("foster_carer", "yes", "yes")
    assert (alleged.name, alleged.date_of_birth, alleged.address) == ("", None, "")
    persons = list(concern.persons_at_risk.all())
    assert [p.identity for p in persons] == ["unknown", "unknown"] and all(not p.name for p in persons)
    assert concern.prior_reports.get().recipient == "csc"
    assert concern.client.reference == "AT-7" and concern.non_recent
    assert not ConcernDraft.objects.exists()

    axe.visit("/concerns/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My concerns")
    page.get_by_role("link", name=concern.reference).click()
    axe.check("concern page")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Concern {concern.reference}")
    expect(page.get_by_text("He is now approved as a foster carer.")).to_be_visible()
    page.get_by_role("link", name="Print view").click()
    axe.check("print view")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Safeguarding concern {concern.reference}")


@pytest.mark.browser
def test_draft_survives_an_expired_session(page, live_server, cast):
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")
    status = page.locator("#autosave-status")

    own_words = page.get_by_label("What the person said, in their own words")
    own_words.press_sequentially('"He did things to me when I was little."', delay=5)
    expect(status).to_have_text(SAVED, timeout=15_000)
    page.locator("summary", has_text="Categories and your summary").click()
    summary = page.get_by_label("Summary of the concern (your summary, up to 500 characters)")
    summary.press_sequentially("A man who abused her now fosters children.", delay=5)
    page.locator("#div_id_has_alleged_person").get_by_label("Yes", exact=True).check()
    page.locator("[name=alleged-0-position_of_trust]").select_option("yes")
    page.locator("[name=alleged-0-role]").select_option(label="Foster carer")
    page.locator("summary", has_text="When and where").click()
    page.get_by_label("Setting", exact=True).focus()  # leaving a field saves at once
    page.wait_for_function(
        "() => { const d = document.getElementById('concern-form').dataset.lastSaved; return d && d !== '' }"
    )
    key = page.locator("input[name=submission_key]").input_value()
    # Wait until the server holds the last thing typed (the save after leaving the field).
    for _ in range(100):
        data = ConcernDraft.objects.get(submission_key=key).data
        if data.get("alleged-0-role") == ["foster_carer"] and data.get("summary", [""])[0].endswith("children."):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the draft was not autosaved")

    # The session expires (deleted in the database): the next autosave says so, and nothing is lost.
    Session.objects.all().delete()
    page.get_by_label("Where it happened").press_sequentially("Clinic room 2", delay=5)
    expect(status).to_contain_text("You have been signed out", timeout=15_000)

    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/")
    offer = page.locator(".draft-offer")
    expect(offer).to_contain_text("You have an unfinished draft from")
    offer.get_by_role("link", name=re.compile("Continue the draft")).click()
    axe.check("the restored draft")
    expect(page.get_by_label("What the person said, in their own words")).to_have_value(
        '"He did things to me when I was little."'
    )
    expect(page.get_by_label("Summary of the concern (your summary, up to 500 characters)")).to_have_value(
        "A man who abused her now fosters children."
    )
    expect(page.locator("[name=alleged-0-role]")).to_have_value("foster_carer")
    assert page.locator("input[name=submission_key]").input_value() == key

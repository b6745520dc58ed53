"""The short path in a browser: few controls, a phone-sized screen, the error summary, long pastes."""

import re

import pytest
from playwright.sync_api import expect

from concerns.models import Concern
from tests.conftest import AxePage, answer_the_essentials, login_through_page

# Greek, Arabic, Chinese and emoji: emoji are two UTF-16 units each, so a browser's maxlength cut them early.
MIXED = "Καλημέρα κόσμε مرحبا بالعالم 你好，世界 😀👩‍👧🚸 "


def mixed_text(length: int, seed: str) -> str:
    text = seed + MIXED * (length // len(MIXED) + 1)
    return text[:length]


def count_touches(page) -> int:
    return page.evaluate("() => window.__touched.size")


def track_touched_controls(page) -> None:
    # Every control the person changes, by name (a radio group counts once), plus the button pressed.
    page.evaluate(
        """() => {
        window.__touched = new Set();
        const form = document.getElementById('concern-form');
        form.addEventListener('change', e => window.__touched.add(e.target.name));
        form.addEventListener('input', e => window.__touched.add(e.target.name));
        form.addEventListener('click', e => { if (e.target.type === 'submit') window.__touched.add(e.target.id); });
    }"""
    )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_short_path_at_375px_fits_and_its_error_summary_leads_to_the_fields(page, live_server, cast):
    page.set_viewport_size({"width": 375, "height": 800})
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")
    assert no_horizontal_scroll(page), "the short path scrolls sideways at 375 px"

    # An empty submit: the summary at the top takes the focus and its links move to the fields.
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_load_state("networkidle")
    axe.check("intake with errors at 375 px")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    assert no_horizontal_scroll(page)
    links = summary.get_by_role("link")
    assert links.count() >= 3
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href").lstrip("#")
        link.click()
        expect(page.locator(f"[id='{target}']")).to_be_focused()

    danger = page.locator("#div_id_immediate_danger")
    danger.get_by_label("No", exact=True).check()
    page.get_by_label("Nation where the person at risk lives").select_option(label="England")
    page.locator("#div_id_urgency").get_by_label("Same day").check()
    page.locator("[name=persons-0-kind]").select_option("child")
    page.get_by_label("What the person said, in their own words").fill('"He hurts my little brother."')
    page.locator("#div_id_has_alleged_person").get_by_label("Yes", exact=True).check()
    axe.check("short path filled at 375 px")
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    axe.check("after the short path")

    concern = Concern.objects.get()
    assert concern.own_words == '"He hurts my little brother."'
    assert concern.persons_at_risk.get().kind == "child"
    assert concern.alleged_persons.count() == 1


@pytest.mark.browser
def test_short_path_touches_at_most_8_controls(page, live_server, cast):
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")
    track_touched_controls(page)
    answer_the_essentials(
        page,
        own_words="She takes my money.",
        nation="Wales",
        urgency="Routine",
        person_kind="adult_at_risk",
        alleged="Not known",
    )
    touched = count_touches(page)
    assert touched + 1 <= 8, f"{touched} controls before the button"  # + the "Submit now" button
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    axe.check("after the short path")
    assert Concern.objects.get().jurisdiction == "wales"


@pytest.mark.browser
def test_50000_characters_of_mixed_scripts_are_stored_whole(page, live_server, cast):
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")
    notes = mixed_text(50_000, "Notes: ")
    words = mixed_text(50_000, "Words: ")
    page.locator("#div_id_immediate_danger").get_by_label("Yes", exact=True).check()
    page.locator("#div_id_emergency_action").get_by_label("Called 999").check()
    page.get_by_label("Details of the emergency action (or why no call was made)").fill(notes)
    page.get_by_label("Nation where the person at risk lives").select_option(label="England")
    page.locator("#div_id_urgency").get_by_label("Immediate").check()
    page.locator("[name=persons-0-kind]").select_option("child")
    page.get_by_label("What the person said, in their own words").fill(words)
    assert page.get_by_label("What the person said, in their own words").input_value() == words
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    concern = Concern.objects.get()
    assert concern.emergency_action_notes == notes
    assert concern.own_words == words


@pytest.mark.browser
def test_a_colleague_is_named_through_the_type_ahead(page, live_server, cast):
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")
    answer_the_essentials(page, own_words="The deputy shouted at him and hit him.")
    page.locator("[name=alleged-0-works_here]").select_option("yes")
    search = page.get_by_label("Find them by name")
    expect(search).to_be_visible()
    search.press_sequentially("Dev", delay=20)
    choice = page.get_by_role("button", name="Dev Deputy (Children and families)")
    expect(choice).to_be_visible()
    expect(page.locator("#alleged-0-staff_results")).not_to_contain_text("@")
    axe.check("type-ahead results")
    choice.click()
    expect(page.locator(".staff-chosen").first).to_have_text("Chosen: Dev Deputy (Children and families)")
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    alleged = Concern.objects.get().alleged_persons.get()
    assert (alleged.works_here, alleged.staff_member) == ("yes", cast.deputy)


@pytest.mark.browser
def test_new_concern_restores_the_draft_and_discarding_asks_first(page, live_server, cast):
    from concerns.models import ConcernDraft

    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")
    page.get_by_label("What the person said, in their own words").fill("She said he locks her in.")
    page.get_by_label("Nation where the person at risk lives").focus()  # leaving a field saves at once
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=15_000)

    axe.visit("/concerns/new/")  # back to New concern: the draft is in the form, not a blank one
    expect(page.get_by_label("What the person said, in their own words")).to_have_value("She said he locks her in.")
    expect(page.locator(".current-draft")).to_contain_text("You are continuing your draft")
    page.get_by_label("What the person said, in their own words").fill("She said he locks her in at night.")
    page.get_by_label("Nation where the person at risk lives").focus()
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=15_000)
    assert ConcernDraft.objects.count() == 1

    page.get_by_role("link", name="Discard this draft").click()
    axe.check("discard confirmation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Discard this draft?")
    assert ConcernDraft.objects.count() == 1
    page.get_by_role("button", name="Yes, discard the draft").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("What the person said, in their own words")).to_have_value("")
    assert ConcernDraft.objects.count() == 0

"""Acceptance: a signed-in tab left open past the idle limit, polling, ends signed out; the draft is intact."""

import re

import pytest
from playwright.sync_api import expect

from tests.concerns.test_browser_intake import SAVED
from tests.conftest import AxePage, assert_accessible, login_through_page

OWN_WORDS = '"He did things to me when I was little."'


@pytest.mark.browser
def test_an_open_tab_is_signed_out_after_the_idle_limit_and_the_draft_survives(page, live_server, cast, settings):
    settings.SESSION_COOKIE_AGE = 30  # a short idle limit; the dialog warns from the start (under 2 minutes)
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit("/concerns/new/")
    own_words = page.get_by_label("What the person said, in their own words")
    own_words.press_sequentially(OWN_WORDS, delay=5)
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15_000)

    # Nobody touches the tab; its timers keep polling (the bell, the session check).
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=30_000)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_visible()
    expect(dialog.get_by_role("heading", name="You have been signed out")).to_be_visible(timeout=75_000)
    assert page.locator("body").get_attribute("data-signed-out") == "true"
    assert_accessible(page, context="the signed-out dialog")

    settings.SESSION_COOKIE_AGE = 15 * 60
    dialog.get_by_role("link", name="Sign in again").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url
    login_through_page(page, live_server.url, cast.clinician.email, check_axe=False)
    axe.visit("/concerns/")
    offer = page.locator(".draft-offer")
    offer.get_by_role("link", name=re.compile("Continue the draft")).click()
    expect(page.get_by_label("What the person said, in their own words")).to_have_value(OWN_WORDS)

"""The queue on a phone: 375 px wide, no horizontal scroll, one card per concern, and a lead
acknowledges from the card; on a wide screen the column headings sort from the keyboard.
axe checks each state."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerns.models import Concern
from tests.conftest import AxePage, login_through_page
from tests.factories.concerns import submit_test_concern

# Neither the page nor the table's own box scrolls sideways (a scrolling box would hide the
# columns on the right just as well).
NO_HORIZONTAL_SCROLL = """() => {
  const fits = (el) => el.scrollWidth <= el.clientWidth;
  return fits(document.documentElement) && [...document.querySelectorAll("main *")].every(
    (el) => !["auto", "scroll"].includes(getComputedStyle(el).overflowX) || fits(el));
}"""


@pytest.mark.browser
def test_a_lead_acknowledges_from_a_card_at_375_px(page, live_server, transactional_db, cast):
    concern = submit_test_concern(reporter=cast.clinician, urgency="immediate")
    other = submit_test_concern(reporter=cast.other_clinician, urgency="routine", jurisdiction="wales")
    page.set_viewport_size({"width": 375, "height": 800})
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.lead.email)

    axe.visit(reverse("escalation:queue") + "?sort=urgency&dir=asc")
    # The counts arrive just after the page, and fit too.
    counts = page.locator("#queue-counts")
    expect(counts).to_contain_text("Submitted, awaiting acknowledgement: 2")
    assert page.evaluate(NO_HORIZONTAL_SCROLL), page.evaluate("() => document.documentElement.scrollWidth")
    card = page.locator("#queue-rows tr").filter(has_text=concern.reference)
    # Each card shows the deadline it counts down to, and the button is on screen.
    assert "Acknowledge:" in card.locator("time.js-countdown").inner_text()
    button = card.get_by_role("button", name=f"Acknowledge {concern.reference}")
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    button.click()
    page.wait_for_load_state("networkidle")
    assert "You acknowledged" in page.get_by_role("status").inner_text()
    # Back on the same view: the order chosen is kept.
    assert "sort=urgency" in page.url
    expect(counts).to_contain_text("Acknowledged: 1")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    axe.check("queue at 375 px after acknowledging, with its counts")
    assert Concern.objects.get(pk=concern.pk).acknowledged_by_id == cast.lead.pk

    # A search and a filter, still no horizontal scroll.
    axe.visit(reverse("escalation:queue") + "?nation=wales&q=" + other.reference)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.locator("#queue-rows th[scope=row]").all_inner_texts() == [other.reference]


@pytest.mark.browser
def test_column_headings_sort_from_the_keyboard(page, live_server, transactional_db, cast):
    routine = submit_test_concern(reporter=cast.clinician, urgency="routine")
    immediate = submit_test_concern(reporter=cast.clinician, urgency="immediate")
    page.set_viewport_size({"width": 1280, "height": 900})
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.lead.email)
    axe.visit(reverse("escalation:queue"))
    heading = page.get_by_role("columnheader", name="Urgency")
    assert heading.get_attribute("aria-sort") is None
    heading.get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("columnheader", name="Urgency").get_attribute("aria-sort") == "ascending"
    assert page.locator("#queue-rows th[scope=row]").all_inner_texts() == [immediate.reference, routine.reference]
    page.get_by_role("columnheader", name="Urgency").get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("columnheader", name="Urgency").get_attribute("aria-sort") == "descending"
    assert page.locator("#queue-rows th[scope=row]").all_inner_texts() == [routine.reference, immediate.reference]
    axe.check("queue sorted by urgency")

"""Allegations against staff, acceptance 3, in Chromium with axe on every page: a clinician names
a colleague through the intake type-ahead and files; the lead then links a second alleged person
to a staff account after submission.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerns.models import Concern, StaffLink
from concerns.selectors import concerns_visible_to
from escalation.models import LadoTask
from tests.conftest import AxePage, answer_the_essentials, login_through_page


@pytest.mark.browser
def test_a_colleague_named_through_the_type_ahead_then_a_second_alleged_person_linked_by_the_lead(
    page, live_server, transactional_db, cast
):
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.clinician.email)
    axe.visit(reverse("concerns:new"))
    answer_the_essentials(page, own_words="Cliff and his friend took him out alone.")
    page.locator("[name=alleged-0-works_here]").select_option("yes")
    page.get_by_label("Find them by name").first.press_sequentially("Cliff", delay=20)
    choice = page.get_by_role("button", name="Cliff Colleague (Children and families)")
    expect(choice).to_be_visible()
    axe.check("type-ahead results")
    choice.click()
    page.get_by_role("button", name="Add another alleged person").click()
    page.locator("[name=alleged-1-name]").fill("Sam Second")
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/submitted/$"))
    axe.check("after submit")
    concern = Concern.objects.get()
    named = concern.alleged_persons.order_by("position")
    assert named[0].staff_member == cast.other_clinician
    assert named[1].name == "Sam Second"

    page.context.clear_cookies()
    login_through_page(page, live_server.url, cast.lead.email)

    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    panel = page.get_by_role("region", name="Our own people and conflicts of interest")
    assert "Cliff Colleague" in panel.inner_text()
    panel.get_by_role("link", name="Link an alleged person to a member of staff").click()
    axe.check("link form")

    # Nothing chosen: the error summary links to each field; what was typed stays.
    page.get_by_label("Why you are sure it is them").fill("The reporter described")
    page.get_by_role("button", name="Link to this member of staff").click()
    page.wait_for_load_state("networkidle")
    summary = page.get_by_role("alert", name="There is a problem")
    assert "There is a problem" in summary.inner_text()
    assert page.get_by_label("Why you are sure it is them").input_value() == "The reporter described"
    axe.check("link form with errors")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_alleged_person"

    # The staff list shows name and team only, never an email or a role.
    options = page.get_by_label("Member of staff").locator("option").all_inner_texts()
    assert "Dev Deputy (Children and families)" in options
    assert not any("@" in option or "Deputy lead" in option for option in options)
    page.get_by_label("Alleged person").select_option(label="Sam Second")
    page.get_by_label("Member of staff").select_option(label="Dev Deputy (Children and families)")
    page.get_by_label("Why you are sure it is them").fill("The reporter described the deputy's car and role.")
    page.get_by_role("button", name="Link to this member of staff").click()
    page.wait_for_load_state("networkidle")
    assert "hidden from them from now on" in page.inner_text("main")
    panel = page.get_by_role("region", name="Our own people and conflicts of interest")
    assert "Sam Second is Dev Deputy: linked by Leah Lead" in panel.inner_text()
    axe.check("workflow page after linking")

    link = StaffLink.objects.get(concern=concern)
    assert (link.staff_member, link.linked_by) == (cast.deputy, cast.lead)
    assert LadoTask.objects.filter(concern=concern).exists()
    assert not concerns_visible_to(cast.deputy).filter(pk=concern.pk).exists()
    assert not concerns_visible_to(cast.other_clinician).filter(pk=concern.pk).exists()

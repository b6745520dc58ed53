"""Allegations against staff, acceptance 3: a colleague named at intake, a second alleged person
linked to a staff account by the lead after submission, in Chromium; axe checks every page.

The intake half (a clinician naming the colleague through the type-ahead) belongs to the intake
pages: here the concern is filed through the submit service with the colleague already named.
"""

import pytest
from django.urls import reverse

from concerns.models import StaffLink
from concerns.selectors import concerns_visible_to
from escalation.models import LadoTask
from tests.conftest import AxePage, login_through_page
from tests.factories.concerns import submit_test_concern


@pytest.mark.browser
def test_the_lead_links_a_second_alleged_person_to_a_staff_account(page, live_server, transactional_db, cast):
    concern = submit_test_concern(
        reporter=cast.clinician,
        alleged_persons=[
            dict(identity="known", name="Cliff Colleague", staff_member=cast.other_clinician),
            dict(identity="known", name="Sam Second", description="Came to the session with him"),
        ],
    )
    axe = AxePage(page, live_server.url)
    login_through_page(page, live_server.url, cast.lead.email)

    axe.visit(reverse("escalation:concern", args=[concern.pk]))
    panel = page.get_by_role("region", name="Our own people and conflicts of interest")
    assert "Cliff Colleague is Cliff Colleague" in panel.inner_text()
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

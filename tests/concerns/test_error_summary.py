"""The error summary at the top of every form: each problem listed, each linked to its control."""

import re
import uuid

from django.urls import reverse

from tests.factories.concerns import intake_form_data

SUMMARY = re.compile(r'<div class="alert alert-danger error-summary".*?</div>', re.S)


def summary_links(html: str) -> list[str]:
    match = SUMMARY.search(html)
    assert match, "no error summary on the page"
    return re.findall(r'href="#([^"]+)"', match.group(0))


def test_an_empty_intake_lists_every_problem_linked_to_a_control_that_exists(client, cast):
    client.force_login(cast.clinician)
    response = client.post(reverse("concerns:new"), {"submission_key": str(uuid.uuid4())})
    html = response.content.decode()
    targets = summary_links(html)
    assert targets, "the summary links to nothing"
    for target in targets:
        assert f'id="{target}"' in html, f"the summary links to #{target}, which is not on the page"
    # Radio groups link to their first option (the group itself has no element with its id).
    assert "id_immediate_danger_0" in targets


def test_a_formset_field_error_is_in_the_summary(client, cast):
    client.force_login(cast.clinician)
    data = intake_form_data(None, **{"prior-0-recipient": "police", "prior-0-new_since": ""})
    html = client.post(reverse("concerns:new"), data).content.decode()
    assert "id_prior-0-new_since" in summary_links(html)


def test_other_forms_of_the_portal_use_the_same_summary(client, cast):
    client.force_login(cast.clinician)
    html = client.post(reverse("consent:client_new"), {"reference": ""}).content.decode()
    assert summary_links(html)
    assert "data-error-summary" in html

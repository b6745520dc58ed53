"""The short path: the essentials alone file a concern; everything else is "add more detail"."""

import uuid

from django.urls import reverse

from concerns.models import Concern
from tests.factories.concerns import formset_management

NEW = reverse("concerns:new")


def short_path(**overrides) -> dict:
    """Only what the short path asks (the untouched blank rows as a browser posts them)."""
    return {
        "submission_key": str(uuid.uuid4()),
        "immediate_danger": "no",
        "jurisdiction": "england",
        "urgency": "same_day",
        **formset_management("persons", 1),
        "persons-0-kind": "child",
        "persons-0-identity": "unknown",
        "own_words": "He hurt my sister.",
        "has_alleged_person": "yes",
        **formset_management("alleged", 1),
        "alleged-0-identity": "unknown",
        "alleged-0-contact_with_children": "unknown",
        "alleged-0-position_of_trust": "unknown",
        "alleged-0-works_with_adults_at_risk": "unknown",
        "alleged-0-works_here": "unknown",
        **formset_management("prior", 1),
        "prior-0-recipient": "unknown",
        "prior-0-made_by": "unknown",
        **formset_management("others", 1),
        "others-0-contact_with_children": "unknown",
        **overrides,
    }


def test_the_essentials_alone_file_a_concern(client, cast):
    client.force_login(cast.clinician)
    response = client.post(NEW, short_path())
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert [c.code for c in concern.categories.all()] == ["unclear"]
    assert concern.own_words == "He hurt my sister."
    assert concern.persons_at_risk.get().kind == "child"
    # "Someone is alleged" with nothing more known still files that person, as not known.
    assert concern.alleged_persons.get().identity == "unknown"
    assert concern.discloser_type == ""


def test_no_alleged_person_files_none(client, cast):
    client.force_login(cast.clinician)
    assert client.post(NEW, short_path(has_alleged_person="no")).status_code == 302
    assert not Concern.objects.get().alleged_persons.exists()


def test_empty_optional_repeats_show_no_required_marks(client, cast):
    client.force_login(cast.clinician)
    html = client.get(NEW + "?new=1").content.decode()
    prior = html.split('data-formset-prefix="prior"', 1)[1].split("</template>", 1)[0]
    assert "asteriskField" not in prior and "required" not in prior


def test_a_started_repeat_still_needs_its_required_answers(client, cast):
    client.force_login(cast.clinician)
    response = client.post(NEW, short_path(**{"persons-0-kind": "", "persons-0-identity": "known"}))
    assert response.status_code == 200
    assert "id_persons-0-kind" in response.content.decode().split('id="error-summary"', 1)[1]


def test_relevant_sections_open_by_themselves(client, cast):
    client.force_login(cast.clinician)
    data = short_path(**{"alleged-0-position_of_trust": "yes", "own_words": ""}, immediate_danger="yes")
    html = client.post(NEW, data).content.decode()
    assert 'id="more-alleged" data-opens-when="has_alleged_person=yes" open' in html
    assert 'data-opens-when="alleged-0-position_of_trust=yes" open' in html
    assert 'id="more-prior" open' not in html


def test_other_people_involved_are_their_own_repeatable_part(client, cast):
    client.force_login(cast.clinician)
    data = short_path(
        **formset_management("others", 2),
        **{
            "others-0-role": "co_carer",
            "others-0-relationship": "His wife, also approved to foster",
            "others-0-contact_with_children": "yes",
            "others-1-role": "household",
            "others-1-description": "An adult son who lives with them",
            "others-1-contact_with_children": "unknown",
        },
    )
    assert client.post(NEW, data).status_code == 302
    concern = Concern.objects.get()
    others = list(concern.other_people.all())
    assert [(o.role, o.position) for o in others] == [("co_carer", 0), ("household", 1)]
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "His wife, also approved to foster" in page and "An adult son who lives with them" in page


def test_detail_left_out_at_submission_is_added_later_under_its_heading(client, cast):
    client.force_login(cast.clinician)
    client.post(NEW, short_path())
    concern = Concern.objects.get()
    response = client.post(
        reverse("concerns:addendum_add", args=[concern.pk]),
        {"section": "other_people", "text": "His wife also fosters; she was in the house."},
    )
    assert response.status_code == 302
    addendum = concern.addenda.get()
    assert (addendum.section, addendum.text) == ("other_people", "His wife also fosters; she was in the house.")
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "Adds to: Other people involved" in page

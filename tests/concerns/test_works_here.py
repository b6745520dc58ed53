"""'Do they work or volunteer here?': the type-ahead (name and team only) and the stored link."""

from django.urls import reverse

from accounts.roles import Role
from concerns.models import Concern
from concerns.selectors import is_about_staff
from tests.factories.accounts import UserFactory
from tests.factories.concerns import intake_form_data

NEW = reverse("concerns:new")


def test_the_type_ahead_shows_name_and_team_and_nothing_else(client, cast):
    UserFactory(email="gone@example.test", full_name="Lena Leaver", roles=[Role.CLINICIAN], is_active=False)
    client.force_login(cast.clinician)
    response = client.get(reverse("concerns:staff_search"), {"q": "le"})
    results = response.json()["results"]
    assert {"name": "Leah Lead", "teams": "Children and families", "id": cast.lead.pk} in results
    assert all(set(row) == {"id", "name", "teams"} for row in results)
    assert "Lena Leaver" not in response.content.decode()  # only active people
    body = response.content.decode()
    assert "@example.test" not in body and '"lead"' not in body and "role" not in body


def test_one_letter_finds_nobody(client, cast):
    client.force_login(cast.clinician)
    assert client.get(reverse("concerns:staff_search"), {"q": "l"}).json() == {"results": []}


def test_the_submit_stores_the_link_to_the_colleague(client, cast):
    client.force_login(cast.clinician)
    data = intake_form_data(None, **{"alleged-0-works_here": "yes", "alleged-0-staff_member": str(cast.deputy.pk)})
    assert client.post(NEW, data).status_code == 302
    concern = Concern.objects.get()
    alleged = concern.alleged_persons.get()
    assert (alleged.works_here, alleged.staff_member) == ("yes", cast.deputy)
    assert is_about_staff(concern)


def test_works_here_but_not_found_counts_as_a_concern_about_staff(client, cast):
    client.force_login(cast.clinician)
    data = intake_form_data(
        None, **{"alleged-0-works_here": "yes", "alleged-0-staff_not_found": "A new volunteer called Sam, Tuesdays"}
    )
    assert client.post(NEW, data).status_code == 302
    concern = Concern.objects.get()
    assert concern.alleged_persons.get().staff_member is None
    assert is_about_staff(concern)


def test_not_working_here_is_not_about_staff(client, cast):
    client.force_login(cast.clinician)
    client.post(NEW, intake_form_data(None, **{"alleged-0-works_here": "no"}))
    assert not is_about_staff(Concern.objects.get())


def test_a_restored_draft_shows_the_chosen_colleague(client, cast):
    client.force_login(cast.clinician)
    data = intake_form_data(None, **{"alleged-0-works_here": "yes", "alleged-0-staff_member": str(cast.deputy.pk)})
    client.post(reverse("concerns:draft_save"), data)
    html = client.get(NEW).content.decode()
    assert "Chosen: Dev Deputy (Children and families)" in html

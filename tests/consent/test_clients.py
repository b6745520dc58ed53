"""The clients register: team ownership, who sees what, pseudonymous display."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from consent.models import Client
from consent.selectors import clients_for_user
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.consent import ClientFactory


@pytest.fixture
def clients(cast):
    return {
        "ours": ClientFactory(team=cast.team, reference="CF-1", created_by=cast.clinician),
        "theirs": ClientFactory(team=cast.other_team, reference="AT-1", created_by=cast.clinician_other_team),
    }


def test_clinicians_see_their_teams_clients_and_leads_their_covered_teams(cast, clients):
    assert list(clients_for_user(cast.clinician)) == [clients["ours"]]
    assert list(clients_for_user(cast.other_clinician)) == [clients["ours"]]
    assert list(clients_for_user(cast.clinician_other_team)) == [clients["theirs"]]
    assert list(clients_for_user(cast.lead)) == [clients["ours"]]
    assert list(clients_for_user(cast.lead_other_team)) == [clients["theirs"]]
    assert list(clients_for_user(cast.manager)) == []
    org_lead = UserFactory(roles=["safeguarding_lead"], covers_all_teams=True)
    assert set(clients_for_user(org_lead)) == set(clients.values())


def test_another_teams_client_is_404_on_every_page(client, cast, clients):
    client.force_login(cast.clinician)
    theirs = clients["theirs"].pk
    for url in [
        reverse("consent:client_detail", args=[theirs]),
        reverse("consent:limits_new", args=[theirs]),
        reverse("consent:limits_status") + f"?client={theirs}",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("consent:client_detail", args=[clients["ours"].pk])).status_code == 200


def test_client_list_shows_only_the_teams_clients_pseudonymously(client, cast, clients):
    clients["ours"].display_name = "Jane Example"
    clients["ours"].save(update_fields=["display_name"])
    client.force_login(cast.clinician)
    response = client.get(reverse("consent:client_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Client CF-1" in html
    assert "Jane Example" not in html  # the list does not need the name
    assert "AT-1" not in html


def test_managers_and_administrators_have_no_client_register(client, cast):
    for person in (cast.manager, cast.administrator):
        client.force_login(person)
        assert client.get(reverse("consent:client_list")).status_code == 403


def test_adding_a_client_needs_only_a_reference_and_is_audited(client, cast):
    client.force_login(cast.clinician)
    response = client.post(reverse("consent:client_new"), {"team": cast.team.pk, "reference": " CF-77 "})
    added = Client.objects.get(reference="CF-77")
    assert response.status_code == 302
    assert response["Location"] == reverse("consent:client_detail", args=[added.pk])
    assert added.team == cast.team and added.display_name == "" and added.created_by == cast.clinician
    event = AuditEvent.objects.get(action="client.created")
    assert event.subject_id == str(added.pk) and event.subject_ref == ""


def test_a_duplicate_reference_is_explained_and_what_was_typed_is_kept(client, cast, clients):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("consent:client_new"), {"team": cast.team.pk, "reference": "CF-1", "display_name": "Sam"}
    )
    assert response.status_code == 200
    assert "already has a client with the reference CF-1" in response.content.decode()
    assert response.context["form"]["display_name"].value() == "Sam"


def test_a_clinician_cannot_add_a_client_to_another_team(client, cast):
    client.force_login(cast.clinician)
    response = client.post(reverse("consent:client_new"), {"team": cast.other_team.pk, "reference": "X-1"})
    assert response.status_code == 200  # the other team is not a choice
    assert not Client.objects.filter(reference="X-1").exists()
    assert "team" in response.context["form"].errors


def test_team_choice_covers_a_leads_covered_teams(cast):
    from consent.forms import ClientForm

    extra = TeamFactory(code="extra-team")
    cast.lead.covered_teams.add(extra)
    form = ClientForm(user=cast.lead)
    assert set(form.fields["team"].queryset) == {cast.team, extra}

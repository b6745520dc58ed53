"""A client's page lists only the concerns its reader may open, and never hints at a hidden one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.selectors import REASON_CONCERN_SINCE
from escalation.staff_services import link_alleged_person_to_staff
from tests.factories.concerns import submit_test_concern
from tests.factories.consent import ClientFactory, explain_limits, published_statement

pytestmark = pytest.mark.django_db


def test_a_clinician_sees_on_a_clients_page_only_the_concerns_they_filed(client, cast):
    record = ClientFactory(team=cast.team, created_by=cast.clinician)
    mine = submit_test_concern(reporter=cast.clinician, client=record)
    theirs = submit_test_concern(reporter=cast.other_clinician, client=record)

    client.force_login(cast.clinician)
    page = client.get(reverse("consent:client_detail", args=[record.pk])).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page

    # The lead covering the team sees both.
    client.force_login(cast.lead)
    page = client.get(reverse("consent:client_detail", args=[record.pk])).content.decode()
    assert mine.reference in page and theirs.reference in page


def test_a_concern_hidden_from_its_reader_does_not_count_as_filed_since_the_limits(client, cast):
    statement = published_statement(version=1, admin=cast.administrator)
    record = ClientFactory(team=cast.team, created_by=cast.clinician)
    explain_limits(
        client=record,
        statement=statement,
        actor=cast.clinician,
        explained_at=timezone.now() - datetime.timedelta(days=3),
    )
    concern = submit_test_concern(reporter=cast.other_clinician, client=record)
    link_alleged_person_to_staff(
        actor=cast.lead,
        concern_id=concern.pk,
        alleged_person_id=concern.alleged_persons.get().pk,
        staff_member_id=cast.deputy.pk,
        reason="Named by the reporter.",
    )
    status_url = reverse("consent:limits_status") + f"?client={record.pk}"

    client.force_login(cast.deputy)
    for url in (status_url, reverse("consent:client_detail", args=[record.pk]), reverse("consent:client_list")):
        page = client.get(url).content.decode()
        assert REASON_CONCERN_SINCE not in page, url
        assert concern.reference not in page, url

    client.force_login(cast.lead)
    assert REASON_CONCERN_SINCE in client.get(status_url).content.decode()

"""An addendum reaches whoever answers for the concern, and the case file marks it new until the
owner has looked."""

import pytest
from django.urls import reverse

from alerts.models import Notification
from concerns.services import add_addendum
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged

pytestmark = pytest.mark.django_db

ADDENDUM = "The carer is Mr Jones; the fostering agency is Brightside Fostering."


def test_an_addendum_notifies_the_owner_only(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    assert concern.owner == cast.lead
    add_addendum(actor=cast.clinician, concern=concern, text=ADDENDUM)
    told = Notification.objects.filter(title__startswith="New information added")
    assert [n.user for n in told] == [cast.lead]
    # The notice says there is an addendum, never what it says.
    assert "Jones" not in told.get().title + told.get().body
    assert told.get().link.endswith(reverse("escalation:concern", args=[concern.pk]))


def test_with_nobody_owning_it_the_duty_leads_hear_but_never_the_author(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    assert concern.owner is None
    add_addendum(actor=cast.clinician, concern=concern, text=ADDENDUM)
    told = {n.user for n in Notification.objects.filter(title__startswith="New information added")}
    assert cast.lead in told
    assert cast.clinician not in told


def test_the_owner_adding_an_addendum_is_not_told_of_their_own(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    add_addendum(actor=cast.lead, concern=concern, text=ADDENDUM)
    assert not Notification.objects.filter(user=cast.lead, title__startswith="New information added").exists()


def test_the_case_file_marks_addenda_new_since_the_owners_last_view(client, cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    url = reverse("escalation:concern", args=[concern.pk])
    client.force_login(cast.lead)
    assert "Added since" not in client.get(url).content.decode()

    add_addendum(actor=cast.clinician, concern=concern, text=ADDENDUM)
    client.force_login(cast.deputy)
    page = client.get(url).content.decode()
    assert "Added since Leah Lead (the owner) last looked" in page
    assert ADDENDUM in page[: page.index("full-record")]  # in the summary, before the full record

    client.force_login(cast.lead)
    assert "Added since Leah Lead (the owner) last looked" in client.get(url).content.decode()
    # Once the owner has seen it, it is no longer new.
    assert "Added since" not in client.get(url).content.decode()

"""Limits-of-confidentiality records, "needs revisiting" and the intake fragment."""

import datetime

import pytest
import time_machine
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent import services
from consent.models import LimitsRecord
from consent.selectors import clients_needing_revisit, latest_limits_record, limits_status
from consent.signals import review_date_set
from tests.factories.concerns import submit_test_concern
from tests.factories.consent import ClientFactory, explain_limits, published_statement


@pytest.fixture
def v1(cast):
    return published_statement(version=1, effective_from=timezone.localdate() - datetime.timedelta(days=300))


def test_publishing_a_new_version_lists_every_client_explained_an_older_one(cast, v1):
    """Acceptance 1."""
    on_v1 = [ClientFactory(team=cast.team, created_by=cast.clinician) for _ in range(3)]
    for c in on_v1:
        explain_limits(client=c, statement=v1, actor=cast.clinician)
    assert list(clients_needing_revisit(cast.clinician)) == []

    draft = services.create_statement_draft(actor=cast.administrator, title="Revised", text="New limits.")
    v2 = services.publish_statement(actor=cast.administrator, statement=draft)

    assert set(clients_needing_revisit(cast.clinician)) == set(on_v1)
    # A revisit with the new version takes the client off the list.
    explain_limits(client=on_v1[0], statement=v2, actor=cast.clinician)
    assert set(clients_needing_revisit(cast.clinician)) == set(on_v1[1:])


def test_the_needs_revisit_page_and_the_count_on_the_client_list(client, cast, v1):
    told = ClientFactory(team=cast.team, reference="CF-TOLD", created_by=cast.clinician)
    explain_limits(client=told, statement=v1, actor=cast.clinician)
    ClientFactory(team=cast.team, reference="CF-NEVER", created_by=cast.clinician)
    ClientFactory(team=cast.other_team, reference="AT-NEVER", created_by=cast.clinician_other_team)
    client.force_login(cast.clinician)

    html = client.get(reverse("consent:needs_revisit")).content.decode()
    assert "Client CF-NEVER" in html and "never been recorded as explained" in html
    assert "CF-TOLD" not in html and "AT-NEVER" not in html

    response = client.get(reverse("consent:client_list"))
    assert response.context["needs_revisit_count"] == 1
    assert "1 client needs the limits of confidentiality revisited" in " ".join(response.content.decode().split())


def test_a_reached_review_date_and_a_concern_filed_since_mean_a_revisit(cast, v1):
    reviewed = ClientFactory(team=cast.team, created_by=cast.clinician)
    concerned = ClientFactory(team=cast.team, created_by=cast.clinician)
    today = timezone.localdate()
    explain_limits(client=reviewed, statement=v1, actor=cast.clinician, review_on=today + datetime.timedelta(days=7))
    explain_limits(client=concerned, statement=v1, actor=cast.clinician)
    assert list(clients_needing_revisit(cast.clinician)) == []

    with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
        assert list(clients_needing_revisit(cast.clinician)) == [reviewed]
        assert limits_status(reviewed).reasons[0].startswith("The review date")

    submit_test_concern(reporter=cast.clinician, client=concerned)
    assert list(clients_needing_revisit(cast.clinician)) == [concerned]
    assert "concern was filed" in limits_status(concerned).reasons[0]


def test_recording_an_explanation_through_the_page(client, cast, v1):
    c = ClientFactory(team=cast.team, created_by=cast.clinician)
    client.force_login(cast.clinician)
    url = reverse("consent:limits_new", args=[c.pk])
    assert client.get(url).status_code == 200
    review_on = timezone.localdate() + datetime.timedelta(days=90)
    sent = []

    @receiver(review_date_set)
    def capture(sender, **kwargs):
        sent.append(kwargs)

    try:
        response = client.post(
            url,
            {
                "statement": v1.pk,
                "explained_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "method": "both",
                "interpreter_used": "on",
                "interpreter_language": "Polish",
                "present": "Her sister",
                "understanding": "partly",
                "understanding_notes": "Thought the police would always be told.",
                "review_on": review_on.isoformat(),
            },
        )
    finally:
        review_date_set.disconnect(capture)
    assert response.status_code == 302
    record = LimitsRecord.objects.get()
    assert (record.client, record.statement, record.explained_by) == (c, v1, cast.clinician)
    assert record.interpreter_language == "Polish" and record.understanding == "partly"
    assert AuditEvent.objects.filter(action="limits.explained", subject_id=str(record.pk)).exists()
    assert sent == [
        dict(
            signal=review_date_set,
            obligation="limits_revisit",
            subject=record,
            due_on=review_on,
            concern=None,
            actor=cast.clinician,
        )
    ]


def test_bad_input_is_explained_beside_the_fields_and_kept(client, cast, v1):
    c = ClientFactory(team=cast.team, created_by=cast.clinician)
    client.force_login(cast.clinician)
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("consent:limits_new", args=[c.pk]),
        {
            "statement": v1.pk,
            "explained_at": future,
            "method": "spoken",
            "interpreter_used": "on",
            "understanding": "understood",
            "present": "Mother",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "cannot be in the future" in errors["explained_at"][0]
    assert "language" in errors["interpreter_language"][0]
    assert response.context["form"]["present"].value() == "Mother"
    assert not LimitsRecord.objects.exists()


def test_a_correction_is_a_new_record_that_replaces_the_old_as_latest(client, cast, v1):
    c = ClientFactory(team=cast.team, created_by=cast.clinician)
    wrong = explain_limits(client=c, statement=v1, actor=cast.clinician, understanding="understood")
    client.force_login(cast.clinician)
    url = reverse("consent:limits_new", args=[c.pk]) + f"?corrects={wrong.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "statement": v1.pk,
            "explained_at": timezone.localtime(wrong.explained_at).strftime("%Y-%m-%dT%H:%M"),
            "method": "spoken",
            "understanding": "not",
            "correction_reason": "Understanding was recorded wrongly.",
        },
    )
    assert response.status_code == 302
    correction = LimitsRecord.objects.exclude(pk=wrong.pk).get()
    assert correction.corrects == wrong
    assert latest_limits_record(c.pk) == correction
    assert LimitsRecord.objects.count() == 2


def test_limits_status_fragment_warns_but_never_blocks(client, cast, v1):
    c = ClientFactory(team=cast.team, reference="CF-9", created_by=cast.clinician)
    client.force_login(cast.clinician)
    url = reverse("consent:limits_status")

    html = client.get(url, {"client": c.pk}).content.decode()
    assert "never been recorded as explained" in html and "You can still file this concern" in html

    explain_limits(client=c, statement=v1, actor=cast.clinician, understanding="partly")
    html = client.get(url, {"client": c.pk}).content.decode()
    assert "version 1" in html and "Cara Clinician" in html and "partly understood" in html
    assert "alert-warning" not in html

    assert client.get(url).status_code == 200  # no client picked: an empty fragment
    assert client.get(url, {"client": "nonsense"}).status_code == 404

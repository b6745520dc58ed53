"""A refused or "not found" attempt on a concern's URL is recorded against that concern and shows
in its access log ("Who has seen")."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from escalation.services import record_referral
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged

pytestmark = pytest.mark.django_db


def test_clinician_bs_attempt_to_open_clinician_as_concern_is_in_its_access_log(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.other_clinician)
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404
    assert client.get(reverse("concerns:print", args=[concern.pk])).status_code == 404

    attempts = AuditEvent.objects.filter(actor=cast.other_clinician, action="access.not_found")
    assert attempts.count() == 2
    assert {(e.subject_type, e.subject_id, e.subject_ref) for e in attempts} == {
        ("concerns.concern", str(concern.pk), concern.reference)
    }

    client.force_login(cast.manager)
    log = client.get(reverse("audit:concern_access_log", args=[concern.reference]))
    assert log.status_code == 200
    assert "Cliff Colleague" in log.content.decode()
    assert any(e.action == "access.not_found" for e in log.context["page"].events)


def test_a_refused_role_on_a_concern_url_is_recorded_against_the_concern(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.other_clinician)
    assert client.get(reverse("escalation:concern", args=[concern.pk])).status_code == 403
    event = AuditEvent.objects.get(actor=cast.other_clinician, action="access.denied")
    assert event.subject_ref == concern.reference


def test_another_teams_lead_on_a_referral_url_is_recorded_against_its_concern(client, cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    referral = record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        agency="lado",
        area="Devon",
        method="phone",
        referred_at=concern.acknowledged_at,
    )
    client.force_login(cast.lead_other_team)
    assert client.get(reverse("escalation:referral_response", args=[referral.pk])).status_code == 404
    assert AuditEvent.objects.get(actor=cast.lead_other_team, action="access.not_found").subject_ref == (
        concern.reference
    )


def test_a_missing_concern_is_still_recorded_with_its_path_and_no_subject(client, cast):
    client.force_login(cast.other_clinician)
    assert client.get(reverse("concerns:detail", args=[987654])).status_code == 404
    event = AuditEvent.objects.get(actor=cast.other_clinician, action="access.not_found")
    assert event.subject_ref == "" and event.details["path"] == "/concerns/987654/"

"""A concern's chronology reads its labels, kinds and sentences from the audit registry."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alerts.models import Deadline, ObligationKind
from audit.actions import AuditKind
from audit.models import AuditEvent
from escalation import services
from escalation.selectors import concern_chronology
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%-d %b %Y %H:%M")


@time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=LONDON), tick=False)  # a Tuesday
def test_each_step_reads_as_a_labelled_sentence(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN)
    concern = acknowledged(concern, by=cast.lead)
    services.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="medium",
        rating_rationale="Historic.",
    )
    services.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="triaged",
        risk_rating="high",
        rating_rationale="Children placed now.",
        change_reason="Two children are placed with him.",
    )
    services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="triaged",
        agency="childrens_social_care",
        area="Leeds",
        method="portal",
        referred_at=timezone.now(),
    )
    services.close_concern(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="referred",
        outcome="referral_accepted",
        rationale="CSC have taken it on.",
    )

    entries = concern_chronology(concern)
    by_action = {}
    for entry in entries:
        by_action.setdefault(entry.action, entry)
        assert entry.kind, f"{entry.action} is not in the registry"
        assert "{" not in entry.summary and "None" not in entry.summary

    opened = [e for e in entries if e.action == "deadline.opened" and "Acknowledge a concern" in e.summary]
    assert len(opened) == 1
    assert opened[0].label == "Deadline started"
    assert opened[0].summary.startswith(f"Acknowledge a concern, due {_local(deadline.due_at)}")
    assert opened[0].kind == AuditKind.ALERTS
    met = next(e for e in entries if e.action == "deadline.met" and "Acknowledge a concern" in e.summary)
    assert met.label == "Deadline met" and f"was due {_local(deadline.due_at)}" in met.summary

    assert (by_action["concern.submitted"].label, by_action["concern.submitted"].kind) == (
        "Concern submitted",
        AuditKind.CONCERN,
    )
    assert by_action["concern.acknowledged"].label == "Acknowledged"
    assert by_action["concern.triaged"].summary == "risk rating Medium"
    assert by_action["concern.risk_changed"].summary == (
        "from Medium to High, reason: Two children are placed with him."
    )
    assert by_action["concern.referred"].summary.startswith(
        "to Children's social care, by Online portal or secure form, response due "
    )
    assert by_action["concern.closed"].summary == (
        "Referral accepted by the agency, the clinician may read: The kind of outcome and the agency, not the detail"
    )


def test_a_view_is_of_the_views_kind_and_names_its_page(client, cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    client.force_login(cast.lead)
    assert client.get(reverse("escalation:concern", args=[concern.pk])).status_code == 200
    viewed = [e for e in concern_chronology(concern) if e.action == "concern.viewed"]
    assert viewed and viewed[-1].kind == AuditKind.ACCESS
    assert viewed[-1].summary == "on the case file"


def test_an_old_code_in_the_trail_still_reads(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    # A row written before the registry, under a code nothing writes now (inserted directly:
    # record_event refuses unknown codes).
    AuditEvent.objects.create(
        occurred_at=timezone.now(),
        action="alert.sent",
        subject_ref=concern.reference,
        details={"kind": "acknowledge_concern", "level": 2},
        prev_hash="0" * 64,
        hash="f" * 64,
    )
    old = next(e for e in concern_chronology(concern) if e.action == "alert.sent")
    assert (old.label, old.kind) == ("Alert: sent", "")
    assert old.summary == "kind: Acknowledge a concern; level: 2"

"""The lead's workflow through its services: LADO task, triage, referrals, close and reopen."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Deadline, DeadlineState, ObligationKind
from audit.models import AuditEvent
from concerns.models import ConcernStatus
from escalation import services
from escalation.models import ExternalReferral, LadoTask
from escalation.selectors import concern_chronology
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


# --- Acceptance 3: position of trust -> LADO task with its own deadline -----------------------


@time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=LONDON), tick=False)  # a Tuesday
def test_foster_carer_gets_lado_task_due_within_one_working_day_in_england(cast):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="england", alleged_position_of_trust="yes", alleged_role="foster_carer"
    )

    task = LadoTask.objects.get(concern=concern)
    assert "foster carer" in task.reason
    assert task.completed_at is None
    # One working day (09:00-17:00): from 10:00 on Tuesday to 10:00 on Wednesday.
    assert task.due_at == datetime(2026, 3, 11, 10, 0, tzinfo=LONDON)
    assert task.due_at - timezone.now() <= timedelta(days=1)
    deadline = Deadline.objects.get(kind=ObligationKind.LADO_TASK, concern=concern, state=DeadlineState.OPEN)
    assert deadline.due_at == task.due_at


@time_machine.travel(datetime(2026, 3, 13, 16, 0, tzinfo=LONDON), tick=False)  # a Friday afternoon
def test_foster_carer_in_england_counts_working_days_over_the_weekend(cast):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="england", alleged_position_of_trust="yes", alleged_role="foster_carer"
    )
    # One working day from Friday 16:00 is Monday 16:00.
    assert LadoTask.objects.get(concern=concern).due_at == datetime(2026, 3, 16, 16, 0, tzinfo=LONDON)


@time_machine.travel(datetime(2026, 3, 13, 16, 0, tzinfo=LONDON), tick=False)  # a Friday afternoon
def test_foster_carer_in_wales_gets_designated_officer_task_within_24_hours(cast):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="wales", alleged_position_of_trust="yes", alleged_role="foster_carer"
    )
    task = LadoTask.objects.get(concern=concern)
    assert task.due_at == timezone.now() + timedelta(hours=24)


def test_no_lado_task_when_nobody_is_in_a_position_of_trust(cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="no")
    assert not LadoTask.objects.filter(concern=concern).exists()


def test_referral_to_the_lado_completes_the_task_and_stops_its_clock(cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer")
    concern = acknowledged(concern, by=cast.lead)
    referral = services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status=concern.status,
        agency="lado",
        area="Devon",
        method="phone",
        referred_at=timezone.now(),
    )
    task = LadoTask.objects.get(concern=concern)
    assert task.completed_at is not None and task.referral == referral
    assert not Deadline.objects.filter(kind=ObligationKind.LADO_TASK, concern=concern, state="open").exists()
    # The response clock and, for a phone call, the written-confirmation clock are open; the
    # lead's own decision is still to be recorded (a triage decision meets it).
    kinds = set(Deadline.objects.filter(concern=concern, state="open").values_list("kind", flat=True))
    assert kinds == {
        ObligationKind.REFERRAL_RESPONSE,
        ObligationKind.WRITTEN_CONFIRMATION,
        ObligationKind.DECIDE_CONCERN,
    }
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.REFERRED


# --- Triage, conflicts, close and reopen ---------------------------------------------------------


def test_changing_the_risk_rating_needs_a_reason_which_goes_into_the_chronology(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="medium",
        rating_rationale="Historic, but he now fosters.",
    )
    with pytest.raises(services.WorkflowError, match="Give a reason"):
        services.record_triage(
            actor=cast.lead,
            concern_id=concern.pk,
            expected_status="triaged",
            risk_rating="high",
            rating_rationale="Children placed now.",
        )
    services.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="triaged",
        risk_rating="high",
        rating_rationale="Children placed now.",
        change_reason="Learned that two children are placed with him.",
    )
    entries = [e for e in concern_chronology(concern) if e.action == "concern.risk_changed"]
    assert len(entries) == 1
    assert "Learned that two children are placed with him" in entries[0].summary


def test_a_stale_status_is_a_conflict_and_nothing_is_saved(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.close_concern(
        actor=cast.deputy,
        concern_id=concern.pk,
        expected_status="acknowledged",
        outcome="no_further_action",
        rationale="Already known to CSC, no new risk.",
    )
    with pytest.raises(services.WorkflowConflict, match="changed by someone else.*Closed"):
        services.record_triage(
            actor=cast.lead,
            concern_id=concern.pk,
            expected_status="acknowledged",
            risk_rating="low",
            rating_rationale="x",
        )
    assert not concern.triage_records.exists()


def test_triage_before_acknowledgement_is_refused(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    with pytest.raises(services.WorkflowConflict, match="acknowledged first"):
        services.record_triage(
            actor=cast.lead, concern_id=concern.pk, expected_status="submitted", risk_rating="low", rating_rationale="x"
        )


def test_close_stops_every_deadline_and_reopen_needs_a_reason(cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="teacher")
    concern = acknowledged(concern, by=cast.lead)
    services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
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
    assert not Deadline.objects.filter(concern=concern, state="open").exists()
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and concern.closed_at is not None
    with pytest.raises(services.WorkflowError):
        services.reopen_concern(actor=cast.lead, concern_id=concern.pk, reason="  ")
    services.reopen_concern(actor=cast.lead, concern_id=concern.pk, reason="New disclosure in session.")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.REOPENED and concern.closed_at is None
    actions = [e.action for e in concern_chronology(concern)]
    assert (
        actions.index("concern.submitted")
        < actions.index("concern.acknowledged")
        < actions.index("concern.referred")
        < actions.index("concern.closed")
        < actions.index("concern.reopened")
    )


def test_recording_the_response_ends_the_chase(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    referral = services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        agency="police",
        area="Avon",
        method="email",
        referred_at=timezone.now() - timedelta(days=3),
        response_due_at=timezone.now() - timedelta(days=1),
    )
    services.record_referral_response(
        actor=cast.lead,
        referral_id=referral.pk,
        received_at=timezone.now(),
        response_summary="Crime number issued.",
        outcome="Police to visit.",
    )
    referral.refresh_from_db()
    assert referral.response_received_at is not None
    assert not Deadline.objects.filter(kind=ObligationKind.REFERRAL_RESPONSE, concern=concern, state="open").exists()
    with pytest.raises(services.WorkflowConflict, match="already recorded"):
        services.record_referral_response(
            actor=cast.lead, referral_id=referral.pk, received_at=timezone.now(), response_summary="again"
        )


def test_assign_tells_the_new_owner_and_is_audited(cast):
    from alerts.models import OutboxMessage

    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.assign_concern(actor=cast.lead, concern_id=concern.pk, new_owner_id=cast.deputy.pk, note="Over to you.")
    concern.refresh_from_db()
    assert concern.owner == cast.deputy
    assert OutboxMessage.objects.filter(recipient=cast.deputy, concern=concern).exists()
    assert AuditEvent.objects.filter(action="concern.assigned", subject_ref=concern.reference).exists()
    with pytest.raises(services.WorkflowError, match="covers"):
        services.assign_concern(actor=cast.lead, concern_id=concern.pk, new_owner_id=cast.lead_other_team.pk)


def test_possible_links_show_references_of_similar_alleged_persons(cast):
    base = dict(identity="known", position_of_trust="no")
    one = submit_test_concern(reporter=cast.clinician, alleged_persons=[dict(base, name="Jonathan Smithson")])
    two = submit_test_concern(reporter=cast.clinician, alleged_persons=[dict(base, name="Jonathon Smithson")])
    submit_test_concern(reporter=cast.clinician, alleged_persons=[dict(base, name="Mary Jones")])
    from escalation.selectors import possible_links

    links = possible_links(one)
    assert [link.reference for link in links] == [two.reference]
    assert "similar name" in links[0].why


def test_referral_queryset_marks_overdue_as_chase(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        agency="police",
        area="Avon",
        method="email",
        referred_at=timezone.now() - timedelta(days=3),
        response_due_at=timezone.now() - timedelta(days=1),
    )
    from escalation.selectors import queue_for_lead

    row = queue_for_lead(cast.lead).get(pk=concern.pk)
    assert row.chase is True
    assert ExternalReferral.objects.filter(concern=concern).count() == 1

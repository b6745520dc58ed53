"""Issue 5, acceptance 1 and 2: acknowledgement stops the reminders; two leads, one acknowledgement."""

import threading

import pytest
from django.db import connections

from alerts.models import Alert, Deadline, DeadlineState, ObligationKind, OutboxMessage
from alerts.services.sweep import run_sweep
from audit.models import AuditEvent
from concerns.models import Concern, ConcernStatus
from escalation.services import AlreadyAcknowledged, NotCoveringLead, acknowledge_concern
from tests.factories.clocks import make_due_concern


def test_acknowledged_concern_gets_no_acknowledgement_alert(cast):
    concern, deadline = make_due_concern(team=cast.team, reporter=cast.clinician)

    acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    run_sweep()

    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    assert deadline.next_fire_at is None
    assert not Alert.objects.filter(deadline__concern=concern).exists()
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    assert concern.acknowledged_by == cast.lead
    assert concern.owner == cast.lead
    assert AuditEvent.objects.filter(action="concern.acknowledged", subject_ref=concern.reference).count() == 1
    # The reporter is told who picked it up.
    told = OutboxMessage.objects.filter(recipient=cast.clinician, concern=concern)
    assert {m.channel for m in told} == {"email", "in_app"}
    assert all("Leah Lead" in m.subject for m in told)


def test_sweep_alerts_unacknowledged_concern_then_acknowledgement_stops_the_ladder(cast):
    concern, deadline = make_due_concern(team=cast.team, reporter=cast.clinician)

    run_sweep()
    assert Alert.objects.filter(deadline=deadline, step=1).count() == 1
    acknowledge_concern(actor=cast.deputy, concern_id=concern.pk)
    Deadline.objects.filter(pk=deadline.pk).update(next_fire_at=deadline.due_at)  # as if step 2 came due
    run_sweep()

    assert list(Alert.objects.filter(deadline=deadline).values_list("step", flat=True)) == [1]


def test_only_leads_covering_the_team_may_acknowledge(cast):
    concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician)
    for outsider in (cast.lead_other_team, cast.clinician, cast.manager):
        with pytest.raises(NotCoveringLead):
            acknowledge_concern(actor=outsider, concern_id=concern.pk)
    assert Concern.objects.get(pk=concern.pk).acknowledged_at is None


def test_second_acknowledgement_names_who_was_first(cast):
    concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician)
    acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    with pytest.raises(AlreadyAcknowledged, match="already acknowledged by Leah Lead"):
        acknowledge_concern(actor=cast.deputy, concern_id=concern.pk)


@pytest.mark.django_db(transaction=True)
def test_two_leads_acknowledging_at_the_same_moment_give_exactly_one(cast):
    rounds = 20
    for _ in range(rounds):
        concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician)
        barrier = threading.Barrier(2)
        outcomes = []

        def acknowledge(lead, concern_id=concern.pk, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait(timeout=10)
                acknowledge_concern(actor=lead, concern_id=concern_id)
                outcomes.append(("ok", lead.pk))
            except AlreadyAcknowledged as exc:
                outcomes.append(("lost", exc.acknowledged_by.pk))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=acknowledge, args=(lead,)) for lead in (cast.lead, cast.deputy)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

        winners = [who for result, who in outcomes if result == "ok"]
        losers_saw = [who for result, who in outcomes if result == "lost"]
        assert len(winners) == 1 and losers_saw == winners, outcomes
        concern.refresh_from_db()
        assert concern.acknowledged_by_id == winners[0]
        assert AuditEvent.objects.filter(action="concern.acknowledged", subject_ref=concern.reference).count() == 1
        assert Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN).state == "met"

"""The queue's order column: concerns.next_due_at follows the clock engine's open deadlines."""

from alerts.models import Deadline, DeadlineState, ObligationKind
from concerns.models import Concern
from escalation.selectors import queue_for_lead
from escalation.services import acknowledge_concern, record_triage
from tests.factories.concerns import submit_test_concern


def _next_due(concern):
    return Concern.objects.values_list("next_due_at", flat=True).get(pk=concern.pk)


def _earliest_open(concern):
    return (
        Deadline.objects.filter(concern=concern, state=DeadlineState.OPEN)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


def test_next_due_follows_open_deadlines_through_acknowledgement(cast):
    foster = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer")
    acknowledge_deadline = Deadline.objects.get(concern=foster, kind=ObligationKind.ACKNOWLEDGE_CONCERN)
    assert (
        _next_due(foster)
        == _earliest_open(foster)
        == min(acknowledge_deadline.due_at, Deadline.objects.get(concern=foster, kind=ObligationKind.LADO_TASK).due_at)
    )

    acknowledge_concern(actor=cast.lead, concern_id=foster.pk)
    # The LADO task and the new "decide what to do" deadline are open: the earlier of the two
    # now decides the concern's place in the queue.
    open_kinds = set(Deadline.objects.filter(concern=foster, state=DeadlineState.OPEN).values_list("kind", flat=True))
    assert open_kinds == {ObligationKind.LADO_TASK, ObligationKind.DECIDE_CONCERN}
    assert _next_due(foster) == _earliest_open(foster)

    Deadline.objects.filter(concern=foster).update(state=DeadlineState.CANCELLED)
    assert _next_due(foster) is None


def test_the_queue_orders_by_the_earliest_open_deadline(cast):
    routine = submit_test_concern(reporter=cast.clinician, urgency="routine")
    immediate = submit_test_concern(reporter=cast.clinician, urgency="immediate")
    # Acknowledged: its place follows the decision deadline (1 hour for immediate danger,
    # earlier than the routine concern's 4 working hours to acknowledge).
    acknowledged = submit_test_concern(reporter=cast.clinician, urgency="immediate")
    acknowledge_concern(actor=cast.lead, concern_id=acknowledged.pk)
    # Decided: no open deadline, so last.
    decided = submit_test_concern(reporter=cast.clinician, urgency="immediate")
    acknowledge_concern(actor=cast.lead, concern_id=decided.pk)
    record_triage(
        actor=cast.lead,
        concern_id=decided.pk,
        expected_status="acknowledged",
        risk_rating="low",
        rating_rationale="Advice given.",
        decision="no_further_action",
        decision_rationale="Nothing to refer.",
    )
    order = [c.pk for c in queue_for_lead(cast.lead)]
    assert order.index(immediate.pk) < order.index(acknowledged.pk) < order.index(routine.pk) < order.index(decided.pk)

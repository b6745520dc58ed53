"""After acknowledgement: the "decide what to do" deadline, notifications marked done when their
obligation is met, the reporter told at acknowledgement, decision and closure at the level the
lead chooses, and the LADO task for every concern about one of our own staff."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.calendar import compute_due_at
from alerts.models import Alert, Channel, Deadline, DeadlineState, Notification, ObligationKind, OutboxMessage
from alerts.policies import resolve_policy
from alerts.services.sweep import run_sweep
from audit.models import AuditEvent
from concerns.models import AllegedPerson
from escalation import services
from escalation.models import LadoTask, ReporterFeedback
from tests.factories.concerns import submit_test_concern

DECISION_RATIONALE = "Foster placement means children at risk now; LADO and CSC must hear today."
CLOSURE_RATIONALE = "LADO strategy meeting held; carer suspended pending enquiries."


def decide(concern, lead, *, decision="refer", feedback=None, status="acknowledged"):
    extra = {} if feedback is None else {"reporter_feedback": feedback}
    return services.record_triage(
        actor=lead,
        concern_id=concern.pk,
        expected_status=status,
        risk_rating="high",
        rating_rationale="Named carer with current access to children.",
        decision=decision,
        decision_rationale=DECISION_RATIONALE,
        **extra,
    )


def refer(concern, lead, agency="lado"):
    return services.record_referral(
        actor=lead,
        concern_id=concern.pk,
        expected_status="triaged",
        agency=agency,
        area="Devon",
        method="email",
        referred_at=timezone.now(),
    )


def close(concern, lead, *, feedback=None):
    extra = {} if feedback is None else {"reporter_feedback": feedback}
    return services.close_concern(
        actor=lead,
        concern_id=concern.pk,
        expected_status="referred",
        outcome="referral_accepted",
        rationale=CLOSURE_RATIONALE,
        **extra,
    )


# --- The decision deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "minutes", "basis"),
    [("immediate", 60, "elapsed"), ("same_day", 240, "working"), ("routine", 480, "working")],
)
def test_acknowledging_opens_the_decision_deadline_for_the_urgency(cast, urgency, minutes, basis):
    concern = submit_test_concern(reporter=cast.clinician, urgency=urgency)
    acknowledged = services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.DECIDE_CONCERN)
    policy = resolve_policy(kind=ObligationKind.DECIDE_CONCERN, urgency=urgency)
    assert (policy.duration_minutes, policy.duration_basis) == (minutes, basis)
    assert [s.recipients for s in policy.steps] == ["duty_leads", "safeguarding_manager", "named_lead"]
    assert deadline.due_at == compute_due_at(
        acknowledged.acknowledged_at, minutes=minutes, basis=basis, jurisdiction="england"
    )
    assert deadline.state == DeadlineState.OPEN


def test_the_decision_deadline_escalates_to_the_owner_then_the_managers(cast):
    concern = submit_test_concern(reporter=cast.clinician, urgency="immediate")
    services.acknowledge_concern(actor=cast.deputy, concern_id=concern.pk)
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.DECIDE_CONCERN)
    Deadline.objects.filter(pk=deadline.pk).update(next_fire_at=timezone.now() - timedelta(seconds=1))
    run_sweep()
    first = Alert.objects.get(deadline=deadline, step=1)
    assert {m.recipient for m in first.messages.filter(channel=Channel.EMAIL)} == {cast.deputy}  # the owner
    assert "decide what to do about a concern" in first.messages.first().body
    Deadline.objects.filter(pk=deadline.pk).update(next_fire_at=timezone.now() - timedelta(seconds=1))
    run_sweep()
    second = Alert.objects.get(deadline=deadline, step=2)
    assert {m.recipient for m in second.messages.filter(channel=Channel.EMAIL)} == {cast.manager}


def test_the_triage_decision_meets_the_decision_deadline_and_a_rating_alone_does_not(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    services.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="high",
        rating_rationale="Needs a closer look.",
    )
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.DECIDE_CONCERN)
    assert deadline.state == DeadlineState.OPEN
    decide(concern, cast.lead, status="triaged")
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    assert AuditEvent.objects.filter(action="deadline.met", subject_ref=concern.reference).exists()


def test_reopening_asks_for_a_new_decision(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    decide(concern, cast.lead, decision="no_further_action")
    services.close_concern(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="triaged",
        outcome="no_further_action",
        rationale="Nothing more to do.",
    )
    services.reopen_concern(actor=cast.lead, concern_id=concern.pk, reason="New information from the school.")
    decisions = Deadline.objects.filter(concern=concern, kind=ObligationKind.DECIDE_CONCERN)
    assert sorted(decisions.values_list("state", flat=True)) == [DeadlineState.MET, DeadlineState.OPEN]


# --- Notifications are done when their obligation is met --------------------------------------------


def test_new_concern_and_alert_notifications_are_done_once_the_concern_is_acknowledged(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN)
    Deadline.objects.filter(pk=deadline.pk).update(next_fire_at=timezone.now() - timedelta(seconds=1))
    run_sweep()
    waiting = Notification.objects.filter(user=cast.deputy)
    assert waiting.count() == 2  # the new-concern notice and the step 1 alert
    assert all(n.deadline_id == deadline.pk and n.done_at is None for n in waiting)
    client.force_login(cast.deputy)
    assert client.get(reverse("alerts:notification_count")).json()["unread"] == 2

    services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)

    assert all(n.done_at is not None for n in Notification.objects.filter(user=cast.deputy))
    assert client.get(reverse("alerts:notification_count")).json()["unread"] == 0
    page = client.get(reverse("alerts:notifications")).content.decode()
    assert "Done" in page and "Acknowledge a concern: met" in page
    # Unread stays unread: nobody pretends the deputy read them.
    assert not Notification.objects.filter(user=cast.deputy, read_at__isnull=False).exists()


def test_decision_alerts_are_done_when_the_decision_is_recorded(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.DECIDE_CONCERN)
    Deadline.objects.filter(pk=deadline.pk).update(next_fire_at=timezone.now() - timedelta(seconds=1))
    run_sweep()
    assert Notification.objects.filter(deadline=deadline, done_at__isnull=True).count() == 1
    decide(concern, cast.lead)
    assert not Notification.objects.filter(deadline=deadline, done_at__isnull=True).exists()


# --- The reporter is told ---------------------------------------------------------------------------


def reporter_messages(concern, cast):
    return OutboxMessage.objects.filter(concern=concern, recipient=cast.clinician).order_by("id")


def test_the_reporter_is_told_at_acknowledgement_decision_and_closure_without_any_content(cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer")
    services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    decide(concern, cast.lead)
    refer(concern, cast.lead)
    close(concern, cast.lead)

    messages = list(reporter_messages(concern, cast))
    assert {(m.channel) for m in messages} == {Channel.EMAIL, Channel.IN_APP}
    subjects = [m.subject for m in messages if m.channel == Channel.EMAIL]
    assert subjects == [
        f"{concern.reference} was picked up by Leah Lead",
        f"A decision was recorded on {concern.reference}",
        f"{concern.reference} was closed",
    ]
    for message in messages:
        text = (message.subject + message.body).lower()
        for content in ("foster", "lado", "refer", "accepted", "strategy", "children", "devon", "high"):
            assert content not in text, (content, message.subject)


@pytest.mark.parametrize(
    ("feedback", "shows_outcome", "shows_rationale"),
    [
        (ReporterFeedback.DECISION_ONLY, False, False),
        (None, True, False),  # the default: the kind of outcome and the agency, not the detail
        (ReporterFeedback.DETAIL, True, True),
    ],
)
def test_the_reporters_page_shows_the_level_the_lead_chose(client, cast, feedback, shows_outcome, shows_rationale):
    concern = submit_test_concern(reporter=cast.clinician)
    services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    decide(concern, cast.lead, feedback=feedback)
    refer(concern, cast.lead)
    close(concern, cast.lead, feedback=feedback)

    client.force_login(cast.clinician)
    page = client.get(concern.get_absolute_url()).content.decode()
    assert "Decision recorded by Leah Lead" in page and "Closed by Leah Lead" in page
    assert ("Refer externally" in page) is shows_outcome
    assert ("Referral accepted by the agency" in page) is shows_outcome
    assert ("Referred to: LADO or designated officer" in page) is shows_outcome
    assert (DECISION_RATIONALE in page) is shows_rationale
    assert (CLOSURE_RATIONALE in page) is shows_rationale


def test_the_lead_chooses_the_level_on_the_forms_and_it_is_audited(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    services.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    client.force_login(cast.lead)
    form = client.get(reverse("escalation:triage", args=[concern.pk])).content.decode()
    assert 'name="reporter_feedback"' in form and 'value="outcome"' in form
    response = client.post(
        reverse("escalation:triage", args=[concern.pk]),
        {
            "expected_status": "acknowledged",
            "risk_rating": "low",
            "rating_rationale": "Advice only.",
            "decision": "no_further_action",
            "decision_rationale": "Nothing to refer.",
            "reporter_feedback": "detail",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="concern.decided", subject_ref=concern.reference)
    assert event.details["reporter_feedback"] == "detail"
    assert "the clinician may read: The outcome and the agency with the lead's rationale" in (
        event.readable_details.sentence
    )
    close_form = client.get(reverse("escalation:close", args=[concern.pk])).content.decode()
    assert 'name="reporter_feedback"' in close_form


# --- A concern about our own staff always opens the LADO task ------------------------------------------


@pytest.mark.parametrize(("nation", "hours"), [("england", None), ("wales", 24)])
def test_a_concern_about_staff_opens_the_lado_task_whatever_the_position_of_trust_answer(cast, nation, hours):
    concern = submit_test_concern(
        reporter=cast.clinician,
        jurisdiction=nation,
        alleged_persons=[dict(identity="known", name="A colleague", position_of_trust="no", staff_member=cast.deputy)],
    )
    task = LadoTask.objects.get(concern=concern)
    assert task.reason == "Alleged person works or volunteers here"
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.LADO_TASK)
    if hours is not None:
        assert deadline.due_at == concern.submitted_at + timedelta(hours=hours)
    else:
        assert deadline.due_at == compute_due_at(concern.submitted_at, minutes=480, basis="working")
    assert AllegedPerson.objects.get(concern=concern).position_of_trust == "no"


def test_linking_a_colleague_later_opens_the_lado_task_once(cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="no")
    assert not LadoTask.objects.filter(concern=concern).exists()
    AllegedPerson.objects.create(concern=concern, position=5, staff_member=cast.deputy)
    first = services.open_lado_task_if_needed(concern=concern, actor=cast.lead)
    again = services.open_lado_task_if_needed(concern=concern, actor=cast.lead)
    assert first is not None and first == again
    assert LadoTask.objects.filter(concern=concern).count() == 1

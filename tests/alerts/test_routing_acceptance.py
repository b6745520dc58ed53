"""Routing with the real sweep and a real Celery worker delivering to a real SMTP server.

- Immediate danger at 02:40 on a Sunday: due 15 minutes later; the duty lead and deputy, then
  the manager (then the named executive lead), each exactly once.
- A team nobody covers: the organisation-wide lead, then the managers; the admin and /healthz
  show the gap.
- A concern about the deputy on duty: every acknowledgement alert goes to the others, never to
  the deputy (no message, notification or email).
"""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from alerts.models import (
    Alert,
    Channel,
    Deadline,
    DutyShift,
    EscalationPolicy,
    Notification,
    OutboxMessage,
    OutboxStatus,
)
from alerts.services.sweep import run_sweep
from health.services import record_heartbeat
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.concerns import submit_test_concern
from tests.support import CeleryWorker, SmtpSink, SweepLoopProcess, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def all_delivered() -> bool:
    return OutboxMessage.objects.exists() and not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def alert_emails(deadline, step: int):
    return OutboxMessage.objects.filter(alert__deadline=deadline, alert__step=step, channel=Channel.EMAIL)


def assert_each_email_arrived_once(sink: SmtpSink) -> None:
    expected = set(OutboxMessage.objects.filter(channel=Channel.EMAIL).values_list("message_id", flat=True))
    counts = sink.message_id_counts()
    assert expected <= set(counts), expected - set(counts)
    assert all(counts[mid] == 1 for mid in expected), {m: counts[m] for m in expected if counts[m] != 1}


def test_immediate_danger_at_0240_on_a_sunday_is_due_at_0255_and_climbs_the_ladder_once(cast):
    """Acceptance (nations) 2."""
    # The weekend on-call rota: the lead and the deputy from Friday 17:00 to Monday 09:00. Another
    # lead covers the team but is not on call: the rota, read when each step fires, decides.
    friday, monday = local(2026, 11, 20, 17, 0), local(2026, 11, 23, 9, 0)
    DutyShift.objects.create(user=cast.lead, role="lead", team=cast.team, starts_at=friday, ends_at=monday)
    DutyShift.objects.create(user=cast.deputy, role="deputy", team=cast.team, starts_at=friday, ends_at=monday)
    off_call = UserFactory(
        email="lee@example.test",
        full_name="Lee Offcall",
        roles=[Role.LEAD],
        teams=[cast.team],
        covered_teams=[cast.team],
    )
    # The administrator named the executive lead on the immediate policy's last step.
    executive = UserFactory(email="erin@example.test", full_name="Erin Executive")
    policy = EscalationPolicy.objects.get(kind="acknowledge_concern", urgency="immediate", jurisdiction="")
    policy.steps.get(number=3).named_people.add(executive)

    sink = SmtpSink().start()
    worker = CeleryWorker({"EMAIL_URL": sink.email_url}).start()
    try:
        with time_machine.travel(local(2026, 11, 22, 2, 40), tick=False):  # Sunday, 02:40 GMT
            concern = submit_test_concern(
                reporter=cast.clinician,
                urgency="immediate",
                immediate_danger="yes",
                emergency_action="999",
                emergency_action_notes="Police attended at 02:30.",
            )
        deadline = Deadline.objects.get(concern=concern, kind="acknowledge_concern")
        assert deadline.due_at == local(2026, 11, 22, 2, 55)

        # The sweep as beat runs it, at each step's time: 02:55, 03:25 (+30 min), 04:55 (+2 h).
        ladder = [(local(2026, 11, 22, 2, 55, 30), 1), (local(2026, 11, 22, 3, 25, 30), 2)]
        ladder.append((local(2026, 11, 22, 4, 55, 30), 3))
        following = [local(2026, 11, 22, 3, 25), local(2026, 11, 22, 4, 55), None]
        for (moment, step), next_fire in zip(ladder, following, strict=True):
            with time_machine.travel(moment, tick=False):
                run_sweep()
            deadline.refresh_from_db()
            assert (deadline.step, deadline.next_fire_at) == (step, next_fire)
        # More sweeps (another beat, a retry) add nothing: the ladder is done.
        with time_machine.travel(local(2026, 11, 22, 6, 0), tick=False):
            run_sweep()
            run_sweep()
        wait_for(all_delivered, timeout=90, message="every message delivered")
    finally:
        worker.stop()
        sink.stop()

    assert Alert.objects.filter(deadline=deadline).count() == 3
    assert {m.recipient for m in alert_emails(deadline, 1)} == {cast.lead, cast.deputy}
    assert {m.recipient for m in alert_emails(deadline, 2)} == {cast.manager}
    assert {m.recipient for m in alert_emails(deadline, 3)} == {executive}
    first, second = (Alert.objects.get(deadline=deadline, step=n) for n in (1, 2))
    assert first.created_at < second.created_at
    # Each person was alerted once (one email, one in-app notification), and nobody off call.
    alerted = Counter(
        m.recipient for m in OutboxMessage.objects.filter(alert__deadline=deadline, channel=Channel.EMAIL)
    )
    assert alerted == Counter({cast.lead: 1, cast.deputy: 1, cast.manager: 1, executive: 1})
    in_app = Counter(n.user for n in Notification.objects.filter(deadline=deadline, message__alert__isnull=False))
    assert in_app == alerted
    assert off_call not in {m.recipient for m in OutboxMessage.objects.all()}
    assert_each_email_arrived_once(sink)
    arrived = Counter(address for r in sink.received if r.message_id.startswith("<alert.") for address in r.to)
    assert arrived == Counter({p.email: 1 for p in (cast.lead, cast.deputy, cast.manager, executive)})


def test_a_team_without_cover_alerts_the_organisation_wide_lead_then_the_managers(client, cast):
    """Acceptance (nations) 3: the alerts, the admin and /healthz."""
    outreach = TeamFactory(name="Outreach", code="outreach")
    cast.clinician.teams.add(outreach)
    org_lead = UserFactory(
        email="orla@example.test", full_name="Orla Orgwide", roles=[Role.LEAD], covers_all_teams=True
    )
    sink = SmtpSink().start()
    worker = CeleryWorker({"EMAIL_URL": sink.email_url}).start()
    sweeper = SweepLoopProcess(interval=0.5)
    try:
        with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
            concern = submit_test_concern(reporter=cast.clinician, team=outreach, urgency="immediate")
        deadline = Deadline.objects.get(concern=concern, kind="acknowledge_concern")
        sweeper.start()
        wait_for(lambda: Alert.objects.filter(deadline=deadline).count() == 3, timeout=90, message="three steps")
        wait_for(all_delivered, timeout=90, message="every message delivered")
    finally:
        sweeper.stop()
        worker.stop()
        sink.stop()

    new_concern = OutboxMessage.objects.filter(concern=concern, alert__isnull=True, channel=Channel.EMAIL)
    assert {m.recipient for m in new_concern} == {org_lead}
    assert {m.recipient for m in alert_emails(deadline, 1)} == {org_lead}
    assert {m.recipient for m in alert_emails(deadline, 2)} == {cast.manager}
    assert_each_email_arrived_once(sink)
    assert {address for r in sink.received for address in r.to} == {org_lead.email, cast.manager.email}

    cast.administrator.is_superuser = True
    cast.administrator.save(update_fields=["is_superuser"])
    client.force_login(cast.administrator)
    assert "No lead or deputy covers Outreach" in client.get(reverse("admin:index")).content.decode()
    record_heartbeat(name="beat")  # the worker and the sweep loop recorded theirs
    record_heartbeat(name="sweep")
    record_heartbeat(name="worker:test@host")
    health = client.get("/healthz")
    assert health.status_code == 200, health.json()
    assert health.json()["status"] == "degraded"
    assert health.json()["components"]["cover"]["detail"] == "1 team without cover"


def test_with_the_deputy_on_duty_named_every_alert_goes_to_the_others_and_never_to_the_deputy(cast):
    """Allegations against staff, acceptance 2."""
    now = timezone.now()
    for person, role in ((cast.lead, "lead"), (cast.deputy, "deputy")):
        DutyShift.objects.create(
            user=person, role=role, team=cast.team, starts_at=now - timedelta(hours=6), ends_at=now + timedelta(hours=6)
        )
    sink = SmtpSink().start()
    worker = CeleryWorker({"EMAIL_URL": sink.email_url}).start()
    sweeper = SweepLoopProcess(interval=0.5)
    try:
        with time_machine.travel(now - timedelta(hours=3), tick=False):
            concern = submit_test_concern(
                reporter=cast.clinician,
                urgency="immediate",
                alleged_persons=[
                    dict(identity="known", name="Dev", position_of_trust="unknown", staff_member=cast.deputy)
                ],
            )
        deadline = Deadline.objects.get(concern=concern, kind="acknowledge_concern")
        sweeper.start()
        wait_for(lambda: Alert.objects.filter(deadline=deadline).count() == 3, timeout=90, message="three steps")
        wait_for(all_delivered, timeout=90, message="every message delivered")
    finally:
        sweeper.stop()
        worker.stop()
        sink.stop()

    assert {m.recipient for m in alert_emails(deadline, 1)} == {cast.lead}
    assert {m.recipient for m in alert_emails(deadline, 2)} == {cast.manager}
    assert {m.recipient for m in alert_emails(deadline, 3)} == {cast.manager}
    assert cast.lead in {m.recipient for m in OutboxMessage.objects.filter(concern=concern, alert__isnull=True)}
    # Nothing of it reached the deputy: no outbox row, no notification, no email.
    assert not OutboxMessage.objects.filter(recipient=cast.deputy).exists()
    assert not Notification.objects.filter(user=cast.deputy).exists()
    assert cast.deputy.email not in {address for r in sink.received for address in r.to}
    assert all(concern.reference not in r.text() for r in sink.received if cast.deputy.email in r.to)
    assert_each_email_arrived_once(sink)

"""Allegations against staff, acceptance 2, with the colleague identified after submission.

The deputy on duty is linked to the concern's alleged person by the lead after the new-concern
notice was already written to them: from the link's commit, the real sweep and a real Celery
worker route every acknowledgement alert to the others, the notice already written is withheld
instead of emailed, and the deputy's bell no longer shows it.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert, Channel, Deadline, DutyShift, OutboxMessage, OutboxStatus
from alerts.selectors import notifications_for, unread_count
from alerts.services.delivery import WITHHELD
from escalation.staff_services import link_alleged_person_to_staff
from tests.factories.concerns import submit_test_concern
from tests.support import CeleryWorker, SmtpSink, SweepLoopProcess, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def nothing_left_to_deliver() -> bool:
    waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.RETRY)
    return OutboxMessage.objects.exists() and not OutboxMessage.objects.filter(status__in=waiting).exists()


def test_with_the_deputy_on_duty_linked_after_submission_alerts_go_to_the_others_and_never_to_the_deputy(cast):
    now = timezone.now()
    for person, role in ((cast.lead, "lead"), (cast.deputy, "deputy")):
        DutyShift.objects.create(
            user=person, role=role, team=cast.team, starts_at=now - timedelta(hours=6), ends_at=now + timedelta(hours=6)
        )
    with time_machine.travel(now - timedelta(hours=3), tick=False):
        concern = submit_test_concern(
            reporter=cast.clinician,
            urgency="immediate",
            alleged_persons=[dict(identity="known", name="D. Deputy", position_of_trust="unknown")],
        )
    # Before the link the deputy on duty was told, like every lead on duty: the notice is in
    # their bell and their email is waiting for a worker.
    assert OutboxMessage.objects.filter(recipient=cast.deputy, concern=concern, channel=Channel.EMAIL).exists()
    assert unread_count(cast.deputy) == 1

    link_alleged_person_to_staff(
        actor=cast.lead,
        concern_id=concern.pk,
        alleged_person_id=concern.alleged_persons.get().pk,
        staff_member_id=cast.deputy.pk,
        reason="The reporter described the deputy by name and role.",
    )
    assert unread_count(cast.deputy) == 0
    assert not notifications_for(cast.deputy).exists()

    deadline = Deadline.objects.get(concern=concern, kind="acknowledge_concern")
    sink = SmtpSink().start()
    worker = CeleryWorker({"EMAIL_URL": sink.email_url}).start()
    sweeper = SweepLoopProcess(interval=0.5).start()
    try:
        wait_for(lambda: Alert.objects.filter(deadline=deadline).count() == 3, timeout=90, message="three steps")
        wait_for(nothing_left_to_deliver, timeout=90, message="every message delivered or withheld")
    finally:
        sweeper.stop()
        worker.stop()
        sink.stop()

    alerted = OutboxMessage.objects.filter(alert__deadline=deadline, channel=Channel.EMAIL)
    assert {m.recipient for m in alerted.filter(alert__step=1)} == {cast.lead}
    assert {m.recipient for m in alerted.filter(alert__step=2)} == {cast.manager}
    assert not alerted.filter(recipient=cast.deputy).exists()
    # The notice written before the link was withheld, never sent.
    withheld = OutboxMessage.objects.get(recipient=cast.deputy, channel=Channel.EMAIL)
    assert (withheld.status, withheld.last_error) == (OutboxStatus.FAILED, WITHHELD)
    assert cast.deputy.email not in {address for r in sink.received for address in r.to}
    assert cast.lead.email in {address for r in sink.received for address in r.to}
    assert not notifications_for(cast.deputy).exists()

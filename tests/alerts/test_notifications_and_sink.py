"""The bell, the notification list, the banner, the receiver of concern_submitted, the SMTP sink."""

import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.models import Channel, Deadline, DutyShift, Notification, ObligationKind, OutboxMessage
from alerts.selectors import duty_leads
from alerts.services.sweep import run_sweep
from health.models import Heartbeat
from health.services import record_heartbeat
from tests.factories.clocks import make_due_concern
from tests.factories.concerns import submit_test_concern
from tests.support import ROOT, free_port


def test_new_concern_opens_its_deadline_and_tells_the_lead_on_duty_at_once(cast):
    now = timezone.now()
    DutyShift.objects.create(
        user=cast.deputy,
        role="deputy",
        team=cast.team,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    concern = submit_test_concern(reporter=cast.clinician, urgency="immediate")

    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN)
    assert deadline.due_at == concern.submitted_at + timedelta(minutes=15)
    told = OutboxMessage.objects.filter(concern=concern, alert__isnull=True)
    assert {(m.recipient, m.channel) for m in told} == {(cast.deputy, Channel.EMAIL), (cast.deputy, Channel.IN_APP)}
    email = told.get(channel=Channel.EMAIL)
    # Reference, urgency, team and a link: nothing of the account.
    assert concern.reference in email.subject and "Immediate" in email.body and cast.team.name in email.body
    for private in ("foster", "He did things", "tearful", "Client"):
        assert private.lower() not in (email.subject + email.body).lower()
    assert email.message_id.startswith("<new-concern.")


def test_rota_falls_back_to_covering_leads_and_skips_leave(cast):
    assert set(duty_leads(team=cast.team)) == {cast.lead, cast.deputy}
    now = timezone.now()
    DutyShift.objects.create(
        user=cast.lead, role="lead", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    assert duty_leads(team=cast.team) == [cast.lead]
    cast.lead.leave.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    assert set(duty_leads(team=cast.team)) == {cast.deputy}


def test_bell_list_and_mark_as_read(client, cast):
    make_due_concern(team=cast.team, reporter=cast.clinician)
    run_sweep()
    mine = Notification.objects.filter(user=cast.lead)
    assert mine.count() == 1
    client.force_login(cast.lead)

    page = client.get(reverse("alerts:notifications"))
    assert page.status_code == 200
    assert b"data-notification-count>1<" in page.content
    assert mine.get().title.encode() in page.content
    assert client.get(reverse("alerts:notification_count")).json() == {"unread": 1, "label": "1 unread"}

    response = client.post(reverse("alerts:notification_read", args=[mine.get().pk]))
    assert response.status_code == 302
    assert client.get(reverse("alerts:notification_count")).json() == {"unread": 0, "label": "0 unread"}
    # Nobody else can mark it, or even learn that it exists.
    client.force_login(cast.deputy)
    assert client.post(reverse("alerts:notification_read", args=[mine.get().pk])).status_code == 404
    assert client.get(reverse("alerts:notification_read", args=[mine.get().pk])).status_code == 405


def test_alerting_delayed_banner_for_leads_and_managers_only(client, cast):
    Heartbeat.objects.filter(name="sweep").delete()
    for person, shown in ((cast.lead, True), (cast.manager, True), (cast.clinician, False)):
        client.force_login(person)
        page = client.get(reverse("alerts:notifications"))
        assert (b"Alerting is delayed" in page.content) is shown, person
    run_sweep()  # records the sweep heartbeat
    client.force_login(cast.lead)
    assert b"Alerting is delayed" not in client.get(reverse("alerts:notifications")).content


def test_the_banner_asks_for_the_heartbeat_again_only_once_the_run_it_knows_is_three_intervals_old(
    client, cast, settings
):
    settings.SWEEP_INTERVAL_SECONDS = 0.2  # the banner shows 0.6 s after the last run
    record_heartbeat(name="sweep")
    client.force_login(cast.lead)
    page_url = reverse("alerts:notifications")

    def page_and_heartbeat_reads():
        with CaptureQueriesContext(connection) as statements:
            page = client.get(page_url)
        reads = [q for q in statements.captured_queries if "health_heartbeat" in q["sql"]]
        return b"Alerting is delayed" in page.content, len(reads)

    assert page_and_heartbeat_reads() == (False, 1)
    # The run it read about is recent: a newer read could only say the same.
    assert page_and_heartbeat_reads() == (False, 0)
    time.sleep(0.7)
    # No run since: it asks again, and the banner shows as soon as it would have.
    assert page_and_heartbeat_reads() == (True, 1)
    record_heartbeat(name="sweep")
    assert page_and_heartbeat_reads() == (False, 1)


@pytest.mark.django_db
def test_smtp_sink_stores_mail_for_the_administrators_page(client, cast, settings, tmp_path):
    import subprocess
    import sys

    settings.DEV_MAIL_DIR = tmp_path
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "manage.py", "smtp_sink", "--port", str(port), "--dir", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        sink.stdout.readline()  # "SMTP sink on ..." once it listens
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "portal@example.test", "leah@example.test", "SG-1 due"
        message["Message-ID"] = "<alert.1.2.email@test>"
        message.set_content("Open it: http://127.0.0.1:8000/concerns/1/")
        for _ in range(50):
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                    smtp.send_message(message)
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    stored = list(tmp_path.glob("*.eml"))
    assert len(stored) == 1

    client.force_login(cast.lead)
    assert client.get(reverse("devtools:mail")).status_code == 403
    client.force_login(cast.administrator)
    listing = client.get(reverse("devtools:mail"))
    assert b"SG-1 due" in listing.content
    detail = client.get(reverse("devtools:mail_message", args=[stored[0].stem]))
    assert b"&lt;alert.1.2.email@test&gt;" in detail.content and b"Open it" in detail.content

"""A canary: a unique string in a concern's account must never leave the record.

It is typed into the intake form (the real POST), the concern then goes through the real
machinery (deadlines, the sweep's alerts, the acknowledgement, the outbox, a real Celery worker
delivering email to a real SMTP server), and afterwards the string is looked for in:

- the application's logs (this process, at the production level, and the worker's output);
- Redis: every key and value of the cache and broker databases, Celery's base64 bodies decoded;
- every Celery message published (the task name, arguments and headers);
- every email body and header delivered;
- the audit trail's details and row-change records.
"""

import base64
import json
import logging
import uuid
from datetime import timedelta

import pytest
import redis
from celery.signals import before_task_publish
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from concerns.models import Concern
from tests.factories.concerns import intake_form_data
from tests.support import CeleryWorker, SmtpSink, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ACCOUNT_FIELDS = ("summary", "own_words", "observations", "opinion", "questions_asked", "actions_taken")


def intake_post(canary: str) -> dict:
    """The intake form as a browser posts it, the canary in every part of the account."""
    return intake_form_data(
        **{name: f"Account text {canary} ({name})" for name in ACCOUNT_FIELDS},
        **{"persons-0-description": f"A child {canary}"},
    )


def _redis_texts(url: str) -> list[str]:
    """Every key and value in one Redis database, with Celery's base64 message bodies decoded."""
    connection = redis.Redis.from_url(url)
    texts = []
    for key in connection.scan_iter(count=500):
        kind = connection.type(key).decode()
        if kind == "string":
            values = [connection.get(key)]
        elif kind == "list":
            values = connection.lrange(key, 0, -1)
        elif kind == "hash":
            values = [v for pair in connection.hgetall(key).items() for v in pair]
        elif kind == "set":
            values = list(connection.smembers(key))
        elif kind == "zset":
            values = [member for member, _score in connection.zrange(key, 0, -1, withscores=True)]
        else:
            values = []
        texts.append(key.decode("utf-8", "replace"))
        for value in values:
            if value is None:
                continue
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            texts.append(text)
            texts.extend(_celery_bodies(text))
    return texts


def _celery_bodies(text: str) -> list[str]:
    try:
        envelope = json.loads(text)
    except ValueError:
        return []
    found = []
    candidates = envelope if isinstance(envelope, list) else [envelope]
    for candidate in candidates:
        if isinstance(candidate, dict) and isinstance(candidate.get("body"), str):
            try:
                found.append(base64.b64decode(candidate["body"]).decode("utf-8", "replace"))
            except ValueError:
                found.append(candidate["body"])
    return found


def test_the_account_text_never_leaves_the_record(client, cast, caplog):
    canary = f"CANARY-{uuid.uuid4().hex}"
    caplog.set_level(logging.INFO)  # the production level
    published = []

    def remember_publish(sender=None, body=None, headers=None, **kwargs):
        published.append(json.dumps({"task": sender, "body": body, "headers": headers}, default=str))

    before_task_publish.connect(remember_publish, weak=False)
    sink = SmtpSink().start()
    # At INFO, the production level, with its output kept to look for the canary in.
    worker = CeleryWorker({"EMAIL_URL": sink.email_url}, name="canaryworker", loglevel="INFO", log=True).start()
    try:
        # The clinician files the concern through the real form.
        client.force_login(cast.clinician)
        response = client.post(reverse("concerns:new"), intake_post(canary))
        assert response.status_code == 302, response.content[:2000]
        concern = Concern.objects.get()
        assert canary in concern.own_words  # stored, as it should be

        # Its acknowledgement deadline falls due: the sweep alerts the leads.
        from alerts.models import Deadline
        from alerts.services.sweep import run_sweep

        past = timezone.now() - timedelta(minutes=1)
        Deadline.objects.filter(concern=concern).update(due_at=past, next_fire_at=past)
        run_sweep()
        # A lead acknowledges it: the reporter is told by email.
        lead = client.__class__()
        lead.force_login(cast.lead)
        assert lead.post(reverse("escalation:acknowledge", args=[concern.pk])).status_code == 302

        from alerts.models import Channel, OutboxMessage, OutboxStatus

        emails = OutboxMessage.objects.filter(channel=Channel.EMAIL)
        assert emails.count() >= 2, "expected alert and acknowledgement emails"
        wait_for(
            lambda: not emails.exclude(status=OutboxStatus.SENT).exists(), timeout=60, message="every email delivered"
        )
        wait_for(lambda: len(sink.texts()) >= emails.count(), timeout=30, message="emails at the SMTP server")
    finally:
        before_task_publish.disconnect(remember_publish)
        worker.stop()
        sink.stop()

    worker_output = worker.output()
    worker.cleanup()
    places = {
        "application log": [record.getMessage() for record in caplog.records]
        + [str(record.args) for record in caplog.records],
        "worker output": [worker_output],
        "Redis cache": _redis_texts(settings.CACHES["default"]["LOCATION"]),
        "Redis broker": _redis_texts(settings.CELERY_BROKER_URL),
        "Celery messages": published,
        "emails": sink.texts(),
        "audit details": [json.dumps(d) for d in AuditEvent.objects.values_list("details", flat=True)],
    }
    assert published, "no Celery message was published: the canary would prove nothing"
    assert "deliver_message" in worker_output, "the worker's output was not captured"
    leaks = {place: sum(canary in text for text in texts) for place, texts in places.items()}
    assert not any(leaks.values()), f"the canary leaked: {leaks}"

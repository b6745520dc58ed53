"""Alerts demo (``manage.py seed_demo``): a duty rota, and a concern that comes due within a
minute of ``make run``, so its alert email shows at /dev/mail/ soon after start.

Idempotent: the rota is not duplicated, and each run re-times the one demo deadline in place
(only while it has not alerted yet) instead of opening another.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from alerts.models import Deadline, DeadlineState, DutyRole, DutyShift, ObligationKind
from alerts.services.deadlines import open_deadline

DEMO_ALERT_KEY = uuid.UUID("9b7c2a4e-51f3-4d0e-8c6a-2e5f1d7b3a91")
DUE_IN = timedelta(seconds=45)


def _rota(users: dict, log) -> None:
    now = timezone.now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for email, role in (("lead@demo.test", DutyRole.LEAD), ("deputy@demo.test", DutyRole.DEPUTY)):
        user = users.get(email)
        if user is None:
            continue
        if DutyShift.objects.filter(user=user, role=role, starts_at__lte=now, ends_at__gt=now).exists():
            continue
        DutyShift.objects.create(user=user, role=role, team=None, starts_at=start, ends_at=start + timedelta(days=14))
        log(f"On duty for two weeks: {email} ({role})")


def _demo_concern(users: dict, concerns: list):
    waiting = [c for c in concerns if c.acknowledged_at is None and c.is_open]
    if waiting:
        return waiting[-1]
    from concerns.models import Concern

    existing = Concern.objects.filter(submission_key=DEMO_ALERT_KEY).first()
    if existing is not None or "clinician@demo.test" not in users:
        return existing
    from concerns.demo import ADULT
    from concerns.services import submit_concern

    data = {k: v for k, v in ADULT.items() if k != "client_reference"}
    concern, _ = submit_concern(actor=users["clinician@demo.test"], data=data, submission_key=DEMO_ALERT_KEY)
    return concern


def seed(*, log, users=None, concerns=(), **context) -> dict:
    users = users or {}
    _rota(users, log)
    concern = _demo_concern(users, list(concerns))
    if concern is None:
        log("No unacknowledged demo concern; the alerts demo is skipped.")
        return {}
    concern.refresh_from_db()
    if concern.acknowledged_at is not None:
        log(f"{concern.reference} is acknowledged; no demo alert this time.")
        return {}
    due_at = timezone.now() + DUE_IN
    deadline = Deadline.objects.filter(
        kind=ObligationKind.ACKNOWLEDGE_CONCERN, concern=concern, state=DeadlineState.OPEN
    ).first()
    if deadline is None:
        deadline = open_deadline(kind=ObligationKind.ACKNOWLEDGE_CONCERN, concern=concern, due_at=due_at)
    elif deadline.step == 0:
        # Not alerted yet: re-time the same row, so a second seed creates nothing new.
        Deadline.objects.filter(pk=deadline.pk, step=0).update(due_at=due_at, next_fire_at=due_at)
        deadline.due_at = due_at
    else:
        log(f"{concern.reference} has already been escalated (step {deadline.step}); it keeps escalating.")
        return {"alert_demo_concern": concern}
    log(
        f"{concern.reference} comes due at {timezone.localtime(deadline.due_at):%H:%M:%S}: "
        "watch the alert arrive at /dev/mail/ (sign in as admin@demo.test)."
    )
    return {"alert_demo_concern": concern}

"""Concerns and deadlines for the clock-engine tests.

``make_concern`` writes the concern header directly (fast: the alert tests need hundreds); use
``tests.factories.concerns.submit_test_concern`` when the real intake path matters.
"""

import itertools
import uuid
from datetime import timedelta

from django.utils import timezone

from alerts.models import ObligationKind
from alerts.services.deadlines import open_deadline
from concerns.models import Concern

_numbers = itertools.count(1)


def make_concern(*, team, reporter, urgency="same_day", jurisdiction="england", submitted_at=None, **fields):
    number = next(_numbers)
    return Concern.objects.create(
        reference=f"SG-TEST-{uuid.uuid4().hex[:6].upper()}{number}"[:20],
        team=team,
        reporter=reporter,
        urgency=urgency,
        jurisdiction=jurisdiction,
        submitted_at=submitted_at or timezone.now(),
        submission_key=uuid.uuid4(),
        immediate_danger="no",
        discloser_type="client_self",
        **fields,
    )


def make_due_concern(*, team, reporter, due_in_seconds: float = -1.0, urgency="same_day", **fields):
    """A concern whose acknowledgement deadline is due ``due_in_seconds`` from now (negative: past)."""
    concern = make_concern(team=team, reporter=reporter, urgency=urgency, **fields)
    deadline = open_deadline(
        kind=ObligationKind.ACKNOWLEDGE_CONCERN,
        concern=concern,
        due_at=timezone.now() + timedelta(seconds=due_in_seconds),
    )
    return concern, deadline

"""Concerns in given workflow states, and many open concerns at once (for query-count tests).

concern = submit_test_concern(reporter=cast.clinician)       # tests.factories.concerns
acknowledged(concern, by=cast.lead)
clone_open_concerns(concern, 500)                             # rows for the queue
"""

import uuid
from datetime import timedelta

from django.forms.models import model_to_dict
from django.utils import timezone

from alerts.models import Deadline, DeadlineState, ObligationKind
from concerns.models import Concern
from escalation.services import acknowledge_concern


def acknowledged(concern, *, by):
    acknowledge_concern(actor=by, concern_id=concern.pk)
    concern.refresh_from_db()
    return concern


def clone_open_concerns(template: Concern, count: int, *, owner=None) -> list[Concern]:
    """``count`` copies of a submitted concern, each with its categories and an open
    acknowledgement deadline, written in three bulk INSERTs (submitting 500 would take minutes).
    """
    fields = model_to_dict(template, exclude=["id", "categories", "reference", "submission_key"])
    fields = {k: v for k, v in fields.items() if k not in ("team", "reporter", "client", "owner", "acknowledged_by")}
    now = timezone.now()
    stamp = uuid.uuid4().hex[:6].upper()
    concerns = Concern.objects.bulk_create(
        [
            Concern(
                **fields,
                team_id=template.team_id,
                reporter_id=template.reporter_id,
                client_id=template.client_id,
                owner=owner,
                reference=f"T{stamp}-{i:05d}",
                submission_key=uuid.uuid4(),
                category_codes=template.category_codes,  # not editable, so not in model_to_dict
            )
            for i in range(count)
        ]
    )
    through = Concern.categories.through
    category_ids = list(template.categories.values_list("id", flat=True))
    through.objects.bulk_create(
        [through(concern_id=c.pk, concerncategory_id=cat) for c in concerns for cat in category_ids]
    )
    Deadline.objects.bulk_create(
        [
            Deadline(
                kind=ObligationKind.ACKNOWLEDGE_CONCERN,
                concern=c,
                subject_type="concerns.concern",
                subject_id=str(c.pk),
                subject_ref=c.reference,
                team_id=c.team_id,
                urgency=c.urgency,
                jurisdiction=c.jurisdiction,
                due_at=now + timedelta(minutes=i),
                next_fire_at=now + timedelta(minutes=i),
                state=DeadlineState.OPEN,
            )
            for i, c in enumerate(concerns)
        ]
    )
    return concerns

"""Pages that show concern content write an access event first."""

import datetime

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent import services
from tests.factories.concerns import submit_test_concern


def test_opening_a_decision_to_supersede_it_writes_an_access_event(client, cast):
    concern = submit_test_concern(reporter=cast.clinician, team=cast.team)
    first = services.record_sharing_decision(
        actor=cast.clinician,
        concern=concern,
        decision="not_share",
        purpose="p",
        consent="sought_given",
        not_sharing_reasons="Not yet clear",
        review_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(cast.lead)
    url = reverse("concerns:sharing_new", args=[concern.pk]) + f"?supersedes={first.pk}"
    assert b"Not yet clear" in client.get(url).content
    viewed = AuditEvent.objects.filter(action="concern.viewed", actor_id=cast.lead.pk, subject_ref=concern.reference)
    assert viewed.count() == 1
    assert viewed.get().details == {"page": "sharing_supersedes", "decision_id": first.pk}

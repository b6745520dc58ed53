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


def test_every_page_that_shows_concern_content_writes_an_access_event(cast):
    """Crawl every GET pattern as each role that may see the concern; content shown means an event written.

    "Content" is the account in the person's own words, which appears nowhere but on pages
    of the concern itself. The event must be written by the same request, before the answer.
    """
    from django.db import transaction

    from audit.actions import AuditKind, codes_of_kind
    from tests.security.test_authorization_matrix import (
        ADMIN_PREFIX,
        MATRIX,
        all_patterns,
        build_path,
        build_world,
        client_for,
        object_kwargs,
    )

    world = build_world(cast)
    own_words = "He did things to me when I was little."
    access_codes = codes_of_kind(AuditKind.ACCESS)
    shown, missing = [], []
    for role in ("clinician", "lead", "manager"):
        client = client_for(world, role)
        for pattern in all_patterns():
            row = MATRIX.get(pattern.key)
            if pattern.key.startswith(ADMIN_PREFIX) or pattern.route.startswith("admin/"):
                continue
            if row is not None and row.method != "GET":
                continue
            kwargs = row.kwargs(world) if (row and row.kwargs) else object_kwargs(pattern.key, world)
            path = build_path(pattern.route, kwargs)
            with transaction.atomic():
                before = AuditEvent.objects.filter(action__in=access_codes, actor_id=world.users[role].pk).count()
                response = client.get(path)
                after = AuditEvent.objects.filter(action__in=access_codes, actor_id=world.users[role].pk).count()
                transaction.set_rollback(True)
            content = getattr(response, "content", b"").decode(errors="replace")
            if response.status_code == 200 and own_words in content:
                shown.append(f"{role} {path}")
                if after == before:
                    missing.append(f"{role} GET {path}")
    assert shown, "the crawl found no page showing the concern: the content marker changed"
    assert not missing, "pages showing concern content without an access event:\n" + "\n".join(missing)

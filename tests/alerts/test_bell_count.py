"""The bell's unread count: unread, not done, and never a notification about a concern hidden
from its reader, whether the notification names the concern through its message or its deadline."""

import pytest
from django.utils import timezone

from alerts.models import Deadline, Notification, OutboxMessage
from alerts.selectors import notifications_for, unread_count
from escalation.staff_services import link_alleged_person_to_staff
from tests.factories.concerns import submit_test_concern

pytestmark = pytest.mark.django_db


def _notify(user, *, message=None, deadline=None, **extra):
    return Notification.objects.create(user=user, message=message, deadline=deadline, title="A concern", **extra)


def test_the_count_leaves_out_read_done_and_hidden_notifications_whichever_way_they_name_the_concern(cast):
    hidden = submit_test_concern(reporter=cast.clinician)
    shown = submit_test_concern(reporter=cast.clinician)
    Notification.objects.filter(user=cast.deputy).delete()
    hidden_message = OutboxMessage.objects.filter(concern=hidden).first()
    hidden_deadline = Deadline.objects.filter(concern=hidden).first()
    shown_deadline = Deadline.objects.filter(concern=shown).first()
    assert hidden_message is not None and hidden_deadline is not None and shown_deadline is not None
    # Counted: about a visible concern, about nothing in particular.
    _notify(cast.deputy, deadline=shown_deadline)
    _notify(cast.deputy)
    # Never counted: read or done, whatever they are about.
    _notify(cast.deputy, read_at=timezone.now())
    _notify(cast.deputy, done_at=timezone.now())
    # About the concern that is about to be hidden: by its message, by its deadline.
    by_message = _notify(cast.deputy, message=hidden_message)
    by_deadline = _notify(cast.deputy, deadline=hidden_deadline)
    assert unread_count(cast.deputy) == 4

    link_alleged_person_to_staff(
        actor=cast.lead,
        concern_id=hidden.pk,
        alleged_person_id=hidden.alleged_persons.get().pk,
        staff_member_id=cast.deputy.pk,
        reason="Named by the reporter.",
    )

    assert unread_count(cast.deputy) == 2
    listed = set(notifications_for(cast.deputy).values_list("pk", flat=True))
    assert by_message.pk not in listed and by_deadline.pk not in listed
    assert (
        unread_count(cast.lead)
        == Notification.objects.filter(user=cast.lead, read_at__isnull=True, done_at__isnull=True).count()
    )

"""The lead's workflow hears about new concerns (connected by importing this module in
EscalationConfig.ready). Runs inside the submit transaction.
"""

from django.db.models.functions import Now
from django.dispatch import receiver

from concerns.selectors import register_extra_access
from concerns.signals import concern_submitted
from escalation.models import BreakGlassGrant
from escalation.services import open_lado_task_if_needed


@receiver(concern_submitted, dispatch_uid="escalation.open_lado_task")
def open_lado_task(sender, *, concern, actor=None, **kwargs):
    """An alleged person in a position of trust (a foster carer, say): the LADO must be told."""
    open_lado_task_if_needed(concern=concern, actor=actor)


def break_glass_concern_ids(user):
    """A lead's live break-glass grants open the concern page too (concerns.selectors asks)."""
    if not user.is_lead:
        return None
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=Now()).values("concern_id")


register_extra_access(break_glass_concern_ids)

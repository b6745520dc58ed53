"""The lead's workflow hears about new concerns (connected by importing this module in
EscalationConfig.ready). Runs inside the submit transaction.
"""

from django.dispatch import receiver

from concerns.signals import concern_submitted
from escalation.services import open_lado_task_if_needed


@receiver(concern_submitted, dispatch_uid="escalation.open_lado_task")
def open_lado_task(sender, *, concern, actor=None, **kwargs):
    """An alleged person in a position of trust (a foster carer, say): the LADO must be told."""
    open_lado_task_if_needed(concern=concern, actor=actor)

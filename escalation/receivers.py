"""The lead's workflow hears about new concerns. Connected in EscalationConfig.ready; runs
inside the submit transaction."""

from escalation.services import open_lado_task_if_needed


def open_lado_task(sender, *, concern, actor=None, **kwargs):
    """An alleged person in a position of trust (a foster carer, say): the LADO must be told."""
    open_lado_task_if_needed(concern=concern, actor=actor)

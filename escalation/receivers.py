"""The lead's workflow hears about new concerns. Connected in EscalationConfig.ready; runs
inside the submit transaction."""

from escalation.services import notify_about_addendum, open_lado_task_if_needed


def open_lado_task(sender, *, concern, actor=None, **kwargs):
    """An alleged person in a position of trust (a foster carer, say): the LADO must be told."""
    open_lado_task_if_needed(concern=concern, actor=actor)


def tell_about_addendum(sender, *, concern, addendum, actor=None, **kwargs):
    """New information on a concern reaches whoever answers for it: the owner, or the leads on
    duty when nobody owns it (or the owner cannot be reached). The message says only that
    there is an addendum: its text is read on the case file, where it is marked new."""
    notify_about_addendum(concern=concern, addendum=addendum, actor=actor)

"""The one upward seam of the architecture.

``concern_submitted`` is sent inside the submit transaction with ``concern`` and ``actor``.
Receivers (the escalation app) start the clocks and queue the first notifications in the
same transaction; anything that leaves the process must go through transaction.on_commit.
"""

from django.dispatch import Signal

concern_submitted = Signal()

# Sent inside the addendum's transaction with ``concern``, ``addendum`` and ``actor``: the lead's
# workflow tells whoever answers for the concern that there is new information.
addendum_added = Signal()

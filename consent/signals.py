"""Signals the consent records send to higher layers (consent never imports them).

``review_date_set`` is sent inside the service transaction whenever a record sets a date by
which something must be looked at again. The escalation app receives it to open a deadline
in its clock engine (in the same transaction; anything leaving the process goes through
``transaction.on_commit``). Keyword arguments:

- ``obligation``: ``"sharing_review"`` (a decision not to share, to be reviewed),
  ``"client_informed_review"`` (the client was not told yet) or ``"limits_revisit"``
  (the limits of confidentiality are to be explained again);
- ``subject``: the record that set the date (SharingDecision, ClientInformedRecord or
  LimitsRecord);
- ``due_on``: a ``datetime.date``;
- ``concern``: the concern the record belongs to, or ``None`` (limits records);
- ``actor``: the user who recorded it.

A later record of the same kind supersedes the earlier one; receivers should close the
earlier obligation for the same concern (or client) when a new one arrives.
"""

from django.dispatch import Signal

review_date_set = Signal()

SHARING_REVIEW = "sharing_review"
CLIENT_INFORMED_REVIEW = "client_informed_review"
LIMITS_REVISIT = "limits_revisit"

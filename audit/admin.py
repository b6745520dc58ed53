"""No audit events in the Django admin.

Events name who saw which concern and why (break-glass reasons, sharing decisions): reading
them is itself an access to record. Managers read the trail through the audited pages
(/audit/), which write their access events; the admin would not.
"""

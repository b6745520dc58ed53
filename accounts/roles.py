"""Roles are Django groups with these names; code asks ``user.has_role(Role.LEAD)``."""

from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    LEAD = "safeguarding_lead", "Safeguarding lead"
    DEPUTY = "deputy_lead", "Deputy lead"
    MANAGER = "manager", "Manager"
    ADMINISTRATOR = "administrator", "Administrator"


# Leads and deputies work the queue; both count as "leads" for access to concerns.
LEAD_ROLES = (Role.LEAD, Role.DEPUTY)

"""Escalation models, split by concern so that clocks and the lead's workflow evolve apart."""

from escalation.models.clocks import *  # noqa: F403
from escalation.models.workflow import *  # noqa: F403

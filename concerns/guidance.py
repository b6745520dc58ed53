"""Plain-language guidance shown after submission (words, not rules).

The times come from the escalation policies in force (``selectors.first_notice``); these words
only add what the person filing should do themselves.
"""

from django.utils.translation import gettext_lazy as _

from concerns.models import Urgency

NEXT_STEPS_BY_URGENCY = {
    Urgency.IMMEDIATE: _("If anyone is in danger and you have not called 999, do it now."),
    Urgency.SAME_DAY: _("If the risk changes before a lead replies, call the lead or deputy on duty."),
    Urgency.ROUTINE: _("If the risk changes before a lead replies, call the lead or deputy on duty."),
}

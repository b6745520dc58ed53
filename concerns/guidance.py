"""Plain-language guidance shown at intake and after submission (words, not rules)."""

from concerns.models import Urgency

# What the person filing is told to expect. The escalation policies hold the real clocks;
# these words describe the organisation's defaults (domain.md 4.3).
NEXT_STEPS_BY_URGENCY = {
    Urgency.IMMEDIATE: "A safeguarding lead is alerted now and should acknowledge it within 1 working hour. "
    "If anyone is in danger and you have not called 999, do it now.",
    Urgency.SAME_DAY: "A safeguarding lead is alerted now and should acknowledge it within 1 working hour, "
    "and decide what to do the same working day.",
    Urgency.ROUTINE: "A safeguarding lead is alerted now and should acknowledge it within 4 working hours, "
    "and decide what to do within 1 working day.",
}

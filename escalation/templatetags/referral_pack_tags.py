"""The referral packs section of the lead's concern page (the case file)."""

from django import template

from escalation.packs import selectors
from escalation.services import WORKING_STATUSES

register = template.Library()


@register.inclusion_tag("escalation/packs/_case_file_section.html")
def referral_packs(concern):
    """The concern's packs (drafts and finalised), phoned referrals awaiting their written
    confirmation, and the way to build one: a fixed number of queries."""
    working = concern.status in WORKING_STATUSES
    awaiting = [r for r in selectors.referrals_without_pack(concern) if r.awaiting_written_confirmation]
    return {
        "concern": concern,
        "rows": selectors.packs_for_concern(concern),
        "awaiting": awaiting,
        "working": working,
        "can_build": working and selectors.shareable_decisions(concern).exists(),
    }

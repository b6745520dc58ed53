"""The referral pack carries the adult at risk's criteria (the concern's nation's), views, capacity
and advocacy under the people at risk, and only when the decision shares the people at risk."""

from consent.models import SharedPart
from escalation.packs import builder
from escalation.packs.selectors import latest_revision
from tests.factories.concerns import submit_test_concern
from tests.factories.packs import build_pack, decision_to_share
from tests.factories.workflow import acknowledged


def _pack_text(concern, lead, parts) -> str:
    decision = decision_to_share(concern, actor=lead, parts=parts)
    pack = build_pack(concern, actor=lead, decision=decision, agency="adult_social_care")
    return "\n".join(f"{s['heading']}\n{s['body']}" for s in latest_revision(pack).sections)


def test_the_pack_states_the_welsh_criteria_capacity_and_wishes(cast):
    concern = submit_test_concern(
        reporter=cast.clinician,
        jurisdiction="wales",
        categories=("wales-financial",),
        persons_at_risk=[dict(kind="adult_at_risk", identity="known", description="The client's mother")],
        adult_at_risk=dict(
            care_and_support_needs="yes",
            abuse_or_neglect="yes",
            unable_to_protect_self="unknown",
            views_and_wishes="She wants the money to stop, without the police.",
            knows_of_concern="no",
            not_told_reason="Her son answers her phone.",
            capacity_doubt="yes",
            advocacy="needs_advocate",
        ),
    )
    acknowledged(concern, by=cast.lead)
    text = _pack_text(concern, cast.lead, [SharedPart.SUMMARY, SharedPart.PERSONS_AT_RISK])
    assert "Social Services and Well-being (Wales) Act 2014, section 126" in text
    assert "Does the adult have needs for care and support" in text
    assert "the risk of it?: Not known" in text
    assert "Reason to doubt their capacity about this decision: Yes" in text
    assert "She wants the money to stop, without the police." in text
    assert "Her son answers her phone." in text
    assert "May need an independent advocate" in text
    assert "three-point test" not in text

    withheld = _pack_text(concern, cast.lead, [SharedPart.SUMMARY])
    assert "She wants the money to stop" not in withheld and "capacity" not in withheld.lower()
    assert builder.NOT_SHARED_TEXT in withheld

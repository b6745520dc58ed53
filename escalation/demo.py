"""Demo workflow states for the concerns that concerns.demo submitted (``manage.py seed_demo``).

Idempotent: each step runs only while its concern is still in the state before it, so a
second run changes nothing. Everything goes through the real services (audit events, clocks).
"""

from datetime import timedelta

from django.utils import timezone

from concerns.models import ConcernStatus
from escalation import services
from escalation.services import acknowledge_concern


def _ack(concern, lead):
    if concern.acknowledged_at is None:
        acknowledge_concern(actor=lead, concern_id=concern.pk)
        concern.refresh_from_db()


def seed(*, log, users, concerns=(), **context) -> dict:
    lead, deputy = users.get("lead@demo.test"), users.get("deputy@demo.test")
    if lead is None or len(concerns) < 3:
        return {}
    foster_carer, immediate, adult = concerns[0], concerns[1], concerns[2]
    now = timezone.now()

    # The trigger case: acknowledged, rated high, referred to the LADO (completes the LADO task).
    _ack(foster_carer, lead)
    if foster_carer.status == ConcernStatus.ACKNOWLEDGED:
        services.record_triage(
            actor=lead,
            concern_id=foster_carer.pk,
            expected_status=foster_carer.status,
            risk_rating="high",
            rating_rationale="The alleged abuser is an approved foster carer with children placed now.",
            decision="refer",
            decision_rationale="Allegation about a foster carer meets the LADO threshold.",
        )
        services.record_referral(
            actor=lead,
            concern_id=foster_carer.pk,
            expected_status=ConcernStatus.TRIAGED,
            agency="lado",
            area="Devon County Council",
            method="phone",
            referred_at=now - timedelta(minutes=30),
            contact_name="Duty LADO",
            their_reference="LADO-DEMO-0001",
            shared_summary="The disclosure, the fostering context, no names of the client.",
        )
        log(f"Referred {foster_carer.reference} to the LADO")

    # The 999 case: acknowledged by the deputy, rated severe, referred to the police, closed.
    _ack(immediate, deputy or lead)
    if immediate.status == ConcernStatus.ACKNOWLEDGED:
        actor = deputy or lead
        services.record_triage(
            actor=actor,
            concern_id=immediate.pk,
            expected_status=immediate.status,
            risk_rating="severe",
            rating_rationale="Physical assault of a 14-year-old by a household member.",
            decision="refer",
            decision_rationale="Police already attending; children's social care to follow.",
        )
        referral = services.record_referral(
            actor=actor,
            concern_id=immediate.pk,
            expected_status=ConcernStatus.TRIAGED,
            agency="police",
            area="Devon and Cornwall Police",
            method="phone",
            referred_at=now - timedelta(hours=2),
            their_reference="CAD-DEMO-123",
        )
        services.record_referral_response(
            actor=actor,
            referral_id=referral.pk,
            received_at=now - timedelta(hours=1),
            response_summary="Officers attended; strategy discussion arranged.",
            outcome="Section 47 enquiry",
        )
        services.close_concern(
            actor=actor,
            concern_id=immediate.pk,
            expected_status=ConcernStatus.REFERRED,
            outcome="referral_accepted",
            rationale="Police and children's social care have taken it on.",
        )
        log(f"Closed {immediate.reference} after a police referral")

    # The adult concern (Wales): acknowledged only, waiting for triage.
    _ack(adult, lead)
    return {}

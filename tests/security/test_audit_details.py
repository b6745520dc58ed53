"""Audit details hold references and codes, never text a person typed (they are kept forever)."""

from django.utils import timezone

from audit.models import AuditEvent
from escalation import services
from escalation.selectors import concern_chronology
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged

RISK_REASON = "Learned that two children are placed with him."
REOPEN_REASON = "New disclosure in session about his nephew."


def test_typed_reasons_stay_in_their_records_and_the_chronology_shows_them(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="medium",
        rating_rationale="x",
    )
    services.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="triaged",
        risk_rating="high",
        rating_rationale="x",
        change_reason=RISK_REASON,
    )
    services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="triaged",
        agency="childrens_social_care",
        area="Leeds",
        method="portal",
        referred_at=timezone.now(),
    )
    services.close_concern(
        actor=cast.lead, concern_id=concern.pk, expected_status="referred", outcome="referral_accepted", rationale="x"
    )
    services.reopen_concern(actor=cast.lead, concern_id=concern.pk, reason=REOPEN_REASON)

    stored = " ".join(str(details) for details in AuditEvent.objects.values_list("details", flat=True))
    assert RISK_REASON not in stored
    assert REOPEN_REASON not in stored
    reopened = AuditEvent.objects.get(action="concern.reopened")
    assert set(reopened.details) == {"closure_record_id"}

    summaries = {entry.action: entry.summary for entry in concern_chronology(concern)}
    assert RISK_REASON in summaries["concern.risk_changed"]
    assert REOPEN_REASON in summaries["concern.reopened"]


def test_an_other_agency_name_stays_in_the_referral(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        agency="other",
        agency_other="Northshire Fostering Panel",
        area="Leeds",
        method="portal",
        referred_at=timezone.now(),
    )
    stored = " ".join(str(details) for details in AuditEvent.objects.values_list("details", flat=True))
    assert "Northshire Fostering Panel" not in stored
    referred = next(entry for entry in concern_chronology(concern) if entry.action == "concern.referred")
    assert "Northshire Fostering Panel" in referred.summary

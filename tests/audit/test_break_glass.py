import pytest

from audit.models import AuditEvent, BreakGlassAccess
from audit.services import BreakGlassReviewError, record_break_glass, review_break_glass


def test_break_glass_writes_the_access_row_and_an_audit_event(cast):
    access = record_break_glass(
        actor=cast.lead_other_team, concern_reference="SG-2026-000001", team=cast.team, reason="Covering for Leah"
    )
    event = AuditEvent.objects.get(action="concern.break_glass")
    assert event.actor == cast.lead_other_team
    assert event.subject_ref == "SG-2026-000001"
    # The typed reason stays in its own record; the trail's details hold references only.
    assert "reason" not in event.details and access.reason == "Covering for Leah"
    assert access.opened_at == event.occurred_at
    assert access.team == cast.team and not access.is_reviewed


def test_break_glass_needs_a_reason(cast):
    with pytest.raises(ValueError, match="reason"):
        record_break_glass(actor=cast.lead, concern_reference="SG-2026-000001", team=cast.team, reason="  ")
    assert not BreakGlassAccess.objects.exists()


def test_a_manager_reviews_once_with_a_comment_and_the_review_is_audited(cast):
    access = record_break_glass(
        actor=cast.lead_other_team, concern_reference="SG-2026-000002", team=cast.team, reason="On call"
    )
    with pytest.raises(BreakGlassReviewError, match="comment"):
        review_break_glass(actor=cast.manager, access_id=access.pk, comment="")
    with pytest.raises(BreakGlassReviewError, match="manager"):
        review_break_glass(actor=cast.lead, access_id=access.pk, comment="Looks fine")

    reviewed = review_break_glass(actor=cast.manager, access_id=access.pk, comment="Confirmed with the rota")
    assert reviewed.reviewed_by == cast.manager and reviewed.review_comment == "Confirmed with the rota"
    event = AuditEvent.objects.get(action="break_glass.reviewed")
    assert event.subject_ref == "SG-2026-000002" and event.details == {"break_glass_id": access.pk}

    with pytest.raises(BreakGlassReviewError, match="already"):
        review_break_glass(actor=cast.manager, access_id=access.pk, comment="Again")

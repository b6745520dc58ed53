import threading
import uuid

import pytest
from django.db import connection, connections

from audit.models import AuditEvent
from concerns.models import AllegedPerson, Concern, ConcernCategory, PersonAtRisk
from concerns.services import submit_concern
from concerns.signals import concern_submitted
from tests.factories.concerns import submit_test_concern


def test_submit_writes_concern_parts_audit_and_signal_in_one_go(cast):
    received = []

    def receiver(sender, concern, actor, **kwargs):
        received.append((concern.pk, actor.pk, connection.in_atomic_block))

    concern_submitted.connect(receiver, dispatch_uid="test-receiver")
    try:
        concern = submit_test_concern(
            reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer"
        )
    finally:
        concern_submitted.disconnect(dispatch_uid="test-receiver")
    assert concern.reference.startswith("SG-") and len(concern.reference) == len("SG-2026-000001")
    assert concern.team == cast.team
    assert received == [(concern.pk, cast.clinician.pk, True)]
    alleged = concern.alleged_persons.get()
    assert (alleged.position_of_trust, alleged.role, alleged.name, alleged.date_of_birth) == (
        "yes",
        "foster_carer",
        "",
        None,
    )
    assert concern.persons_at_risk.get().identity == "unknown"
    assert concern.prior_reports.get().new_since == "He is now a foster carer."
    assert list(concern.categories.values_list("code", flat=True)) == ["child-sexual"]
    event = AuditEvent.objects.get(action="concern.submitted", subject_ref=concern.reference)
    assert event.actor == cast.clinician
    assert "own_words" not in str(event.details) or event.details.get("own_words") == "[redacted]"


def test_seeded_category_lists_cover_the_nations(db):
    codes = set(ConcernCategory.objects.values_list("code", flat=True))
    assert {
        "child-physical",
        "child-emotional",
        "child-sexual",
        "child-neglect",
        "child-fgm",
        "child-online",
        "child-domestic-abuse",
        "child-on-child",
        "unclear",
    } <= codes
    assert len([c for c in codes if c.startswith("adult-")]) == 10
    assert any(c.startswith("wales-") for c in codes) and any(c.startswith("ni-") for c in codes)


def test_double_submit_with_the_same_key_creates_one_concern(cast):
    key = uuid.uuid4()
    first = submit_test_concern(reporter=cast.clinician, submission_key=key)
    second = submit_test_concern(reporter=cast.clinician, submission_key=key)
    assert first.pk == second.pk
    assert Concern.objects.count() == 1
    assert AuditEvent.objects.filter(action="concern.submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_with_the_same_key_create_one_concern(cast):
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            results.append(submit_test_concern(reporter=cast.clinician, submission_key=key).pk)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert Concern.objects.filter(submission_key=key).count() == 1


def test_emergency_action_is_required_when_danger_is_yes_or_unsure(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        submit_test_concern(reporter=cast.clinician, immediate_danger="unsure")
    assert "emergency_action" in excinfo.value.message_dict
    concern = submit_test_concern(
        reporter=cast.clinician,
        immediate_danger="yes",
        emergency_action="999",
        emergency_action_notes="Police attended.",
    )
    assert concern.needs_emergency_action


def test_service_refuses_control_characters_and_overlong_text(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        submit_test_concern(reporter=cast.clinician, own_words="bad\x00text")
    assert "control character" in str(excinfo.value.message_dict["own_words"])
    with pytest.raises(ValidationError) as excinfo:
        submit_test_concern(reporter=cast.clinician, summary="x" * 501)
    assert "summary" in excinfo.value.message_dict
    assert Concern.objects.count() == 0


def test_no_identifying_field_is_required(cast):
    concern, created = submit_concern(
        actor=cast.clinician,
        submission_key=uuid.uuid4(),
        data=dict(
            immediate_danger="no",
            urgency="routine",
            jurisdiction="england",
            discloser_type="anonymous",
            categories=["unclear"],
            persons_at_risk=[dict(kind="unborn")],
            alleged_persons=[{}],
        ),
    )
    assert created
    assert PersonAtRisk.objects.get(concern=concern).identity == "unknown"
    assert AllegedPerson.objects.get(concern=concern).contact_with_children == "unknown"

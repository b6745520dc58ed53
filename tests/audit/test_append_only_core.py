from audit.chain import GENESIS_HASH, hash_of_event
from audit.models import AuditEvent
from audit.services import record_event


def test_events_form_a_hash_chain_and_redact_sensitive_details(db):
    first = record_event(action="test.first", details={"password": "hunter2", "nested": {"own_words": "secret"}})
    second = record_event(action="test.second")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.prev_hash == GENESIS_HASH or AuditEvent.objects.filter(id__lt=first.id).exists()
    assert second.prev_hash == first.hash
    assert hash_of_event(first) == first.hash
    assert hash_of_event(second) == second.hash
    assert first.details == {"password": "[redacted]", "nested": {"own_words": "[redacted]"}}

from audit.actions import AuditAction
from audit.chain import GENESIS_HASH, hash_of_event
from audit.models import AuditEvent
from audit.services import record_event


def test_events_form_a_hash_chain_and_redact_sensitive_details(db):
    first = record_event(
        action=AuditAction.AUTH_LOGIN_FAILED, details={"password": "hunter2", "nested": {"own_words": "secret"}}
    )
    second = record_event(action=AuditAction.AUTH_LOGIN_FAILED)
    first.refresh_from_db()
    second.refresh_from_db()
    # The first links to whatever was last in the chain before it (events committed by other
    # tests stay: the table is append-only), or to the genesis value on an empty trail.
    predecessor = AuditEvent.objects.filter(id__lt=first.id).order_by("-id").first()
    assert first.prev_hash == (predecessor.hash if predecessor else GENESIS_HASH)
    assert second.prev_hash == first.hash
    assert hash_of_event(first) == first.hash
    assert hash_of_event(second) == second.hash
    assert first.details == {"password": "[redacted]", "nested": {"own_words": "[redacted]"}}

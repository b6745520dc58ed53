"""The hash chain: each event's hash covers its content and the previous event's hash.

Both the writer (record_event) and the checker (verify_audit) use ``event_hash``, so the
canonical form is defined exactly once.
"""

import hashlib
import json
from datetime import UTC

GENESIS_HASH = "0" * 64
# A fixed advisory-lock key: one writer at a time extends the chain.
CHAIN_LOCK_KEY = 72_610_001


def canonical_content(
    *,
    event_id: int,
    occurred_at,
    actor_id,
    actor_email: str,
    actor_role: str,
    ip_address,
    user_agent: str,
    action: str,
    subject_type: str,
    subject_id: str,
    subject_ref: str,
    details: dict,
    request_id: str,
    prev_hash: str,
) -> bytes:
    payload = {
        "id": event_id,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor_id": actor_id,
        "actor_email": actor_email,
        "actor_role": actor_role,
        "ip_address": ip_address,
        "user_agent": user_agent,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "subject_ref": subject_ref,
        "details": details,
        "request_id": request_id,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(**content) -> str:
    return hashlib.sha256(canonical_content(**content)).hexdigest()


def hash_of_event(event) -> str:
    """Recompute the hash of a stored AuditEvent."""
    return event_hash(
        event_id=event.id,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_email=event.actor_email,
        actor_role=event.actor_role,
        ip_address=event.ip_address,
        user_agent=event.user_agent,
        action=event.action,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        subject_ref=event.subject_ref,
        details=event.details,
        request_id=event.request_id,
        prev_hash=event.prev_hash,
    )

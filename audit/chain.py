"""The hash chain: each event's hash covers its content and the previous event's hash.

``CHAIN_FIELDS`` names the columns the chain covers, once: the writer (record_event), the
checker (verify_audit) and the benchmark loader all build the hashed content from it, so the
canonical form is defined exactly once. Never change it: every stored hash depends on it.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC

GENESIS_HASH = "0" * 64
# A fixed advisory-lock key: one writer at a time extends the chain.
CHAIN_LOCK_KEY = 72_610_001

# The AuditEvent columns the hash covers (every column but ``hash`` itself). The canonical JSON
# sorts its keys, so the order here does not change any hash.
CHAIN_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_email",
    "actor_role",
    "ip_address",
    "user_agent",
    "action",
    "subject_type",
    "subject_id",
    "subject_ref",
    "details",
    "request_id",
    "prev_hash",
)


def canonical_content(content: Mapping) -> bytes:
    """The bytes that are hashed: the chain fields as compact JSON with sorted keys, time in UTC.

    ``content`` maps exactly the names in CHAIN_FIELDS to their values: a missing field would
    change every hash, and an extra one would be stored without being covered by the hash.
    """
    if set(content) != set(CHAIN_FIELDS):
        differences = sorted(set(content).symmetric_difference(CHAIN_FIELDS))
        raise ValueError(f"The hashed content must hold exactly CHAIN_FIELDS; it differs in {', '.join(differences)}.")
    payload = {name: content[name] for name in CHAIN_FIELDS}
    payload["occurred_at"] = payload["occurred_at"].astimezone(UTC).isoformat()
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(content: Mapping) -> str:
    return hashlib.sha256(canonical_content(content)).hexdigest()


def chain_content(event) -> dict:
    """The hashed content of a stored event (a model instance or a row with the same attributes)."""
    return {name: getattr(event, name) for name in CHAIN_FIELDS}


def hash_of_event(event) -> str:
    """Recompute the hash of a stored AuditEvent."""
    return event_hash(chain_content(event))

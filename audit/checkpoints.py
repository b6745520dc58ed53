"""Signed checkpoints of the chain head, kept outside the database.

The hash chain shows an event changed in the middle, but someone able to write the database
could rewrite or cut its tail and recompute every later hash. So, every hour, the chain
head (the last event's id and hash) is signed with an Ed25519 key that only the checkpoint
command holds (``AUDIT_CHECKPOINT_PRIVATE_KEY`` in its own environment, never the web's or the
worker's) and appended to a file outside the database (``AUDIT_CHECKPOINT_FILE``; ship it
somewhere write-once). ``verify_audit`` checks every checkpoint with the public key
(``AUDIT_CHECKPOINT_PUBLIC_KEY``): a bad signature, an event whose hash differs from its
checkpoint (forged) or an event that is gone (truncated) is named.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection
from django.utils import timezone

PRIVATE_KEY_VARIABLE = "AUDIT_CHECKPOINT_PRIVATE_KEY"


@dataclass(frozen=True)
class Checkpoint:
    event_id: int
    hash: str
    signed_at: str
    signature: str

    def signed_bytes(self) -> bytes:
        return f"{self.event_id}:{self.hash}:{self.signed_at}".encode()


def new_key_pair() -> tuple[str, str]:
    """A fresh (private, public) pair, each the raw key in base64."""
    from cryptography.hazmat.primitives import serialization

    private = Ed25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    private_bytes = private.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public_bytes = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    return base64.b64encode(private_bytes).decode(), base64.b64encode(public_bytes).decode()


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def chain_head() -> tuple[int, str] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        return cursor.fetchone()


def write_checkpoint() -> Checkpoint | None:
    """Sign the current head with the key from this process's environment and append it."""
    encoded = os.environ.get(PRIVATE_KEY_VARIABLE, "")
    if not encoded:
        raise RuntimeError(f"{PRIVATE_KEY_VARIABLE} is not set: only the checkpoint job holds the signing key.")
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded))
    head = chain_head()
    if head is None:
        return None
    unsigned = Checkpoint(event_id=head[0], hash=head[1], signed_at=timezone.now().isoformat(), signature="")
    signature = base64.b64encode(private.sign(unsigned.signed_bytes())).decode()
    checkpoint = Checkpoint(unsigned.event_id, unsigned.hash, unsigned.signed_at, signature)
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(checkpoint.__dict__, sort_keys=True) + "\n")
    return checkpoint


def read_checkpoints() -> list[Checkpoint]:
    path = checkpoint_file()
    if not path.exists():
        return []
    return [Checkpoint(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def checkpoint_faults() -> list[str]:
    """What the signed checkpoints say is wrong with the stored chain (empty: all agree).

    Without a public key configured there is nothing to check against (development).
    """
    if not settings.AUDIT_CHECKPOINT_PUBLIC_KEY:
        return []
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(settings.AUDIT_CHECKPOINT_PUBLIC_KEY))
    checkpoints = read_checkpoints()
    if not checkpoints:
        return []
    faults = []
    stored = _stored_hashes([checkpoint.event_id for checkpoint in checkpoints])
    for checkpoint in checkpoints:
        try:
            public.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
        except (InvalidSignature, ValueError):
            faults.append(
                f"the checkpoint of {checkpoint.signed_at} for event #{checkpoint.event_id} is not validly signed"
            )
            continue
        actual = stored.get(checkpoint.event_id)
        if actual is None:
            faults.append(
                f"event #{checkpoint.event_id}, signed as the head at {checkpoint.signed_at}, is missing: "
                "the trail's tail was truncated"
            )
        elif actual != checkpoint.hash:
            faults.append(
                f"event #{checkpoint.event_id} differs from its signed checkpoint of {checkpoint.signed_at}: "
                "the trail's tail was forged"
            )
    return faults


def _stored_hashes(event_ids: list[int]) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, hash FROM audit_auditevent WHERE id = ANY(%s)", [event_ids])
        return dict(cursor.fetchall())

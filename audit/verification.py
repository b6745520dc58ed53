"""Checking the hash chain: streamed, in constant memory, naming the first bad event."""

import logging
import time
from dataclasses import dataclass

from django.db import transaction

from audit.actions import AuditAction
from audit.chain import CHAIN_FIELDS, GENESIS_HASH, hash_of_event
from audit.models import AuditChainHead, AuditEvent

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000


@dataclass(frozen=True)
class ChainFault:
    event_id: int | None
    action: str
    problem: str

    def __str__(self) -> str:
        where = f"event #{self.event_id} ({self.action})" if self.event_id is not None else "the trail"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    last_event_id: int | None
    last_hash: str
    seconds: float
    fault: ChainFault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None

    @property
    def events_per_second(self) -> float:
        return self.events_checked / self.seconds if self.seconds > 0 else float(self.events_checked)


def _pinned_hashes() -> dict[int, AuditChainHead]:
    """Heads recorded by earlier intact verifications: event id -> the head that pinned it."""
    pinned = {}
    for head in AuditChainHead.objects.filter(ok=True, last_event_id__isnull=False).order_by("verified_at"):
        pinned.setdefault(head.last_event_id, head)
    return pinned


def verify_chain(*, chunk_size: int = CHUNK_SIZE) -> ChainReport:
    """Recompute every event's hash in id order and check each link to its predecessor.

    Events are streamed through a server-side cursor (``iterator``), so memory stays flat at
    millions of events. Gaps in ids are normal (a rolled-back transaction consumes an id);
    a missing event shows as a broken link instead. Earlier verified heads are checked too,
    which catches an older event rewritten with every later hash recomputed.
    """
    started = time.monotonic()
    pinned = _pinned_hashes()
    expected_prev = GENESIS_HASH
    previous_id = None
    checked = 0
    fault = None
    # One snapshot for the whole walk (REPEATABLE READ would be stricter; the chain only
    # grows at the end, in id order, so a READ COMMITTED cursor sees a consistent prefix).
    with transaction.atomic():
        # Plain named tuples (not model instances): the same attributes hash_of_event reads,
        # at a fraction of the cost per row.
        events = (
            AuditEvent.objects.order_by("id")
            .values_list(*CHAIN_FIELDS, "hash", named=True)
            .iterator(chunk_size=chunk_size)
        )
        for event in events:
            checked += 1
            if event.prev_hash != expected_prev:
                before = f"event #{previous_id}" if previous_id is not None else "the genesis value"
                fault = ChainFault(
                    event.id,
                    event.action,
                    f"its prev_hash does not match the hash of {before}: an event was changed, "
                    "removed or inserted at this point",
                )
                break
            if hash_of_event(event) != event.hash:
                fault = ChainFault(
                    event.id, event.action, "its content no longer matches its hash: the event was changed"
                )
                break
            head = pinned.pop(event.id, None)
            if head is not None and head.last_hash != event.hash:
                fault = ChainFault(
                    event.id,
                    event.action,
                    f"its hash differs from the head verified at {head.verified_at:%Y-%m-%d %H:%M}: "
                    "the chain was rewritten",
                )
                break
            expected_prev = event.hash
            previous_id = event.id
    if fault is None and pinned:
        missing_id, head = min(pinned.items())
        if previous_id is None or missing_id <= previous_id:
            fault = ChainFault(
                missing_id,
                "(missing)",
                f"this event was the verified head at {head.verified_at:%Y-%m-%d %H:%M} and is gone",
            )
    return ChainReport(
        events_checked=checked,
        last_event_id=previous_id,
        last_hash=expected_prev if previous_id is not None else "",
        seconds=time.monotonic() - started,
        fault=fault,
    )


def verify_and_record_head() -> AuditChainHead:
    """The daily check: verify, then append the head (intact or not) and log it for off-host copies."""
    from django.utils import timezone

    from audit.services import record_event

    report = verify_chain()
    head = AuditChainHead.objects.create(
        verified_at=timezone.now(),
        last_event_id=report.last_event_id,
        last_hash=report.last_hash,
        ok=report.ok,
        events_checked=report.events_checked,
        problem=str(report.fault) if report.fault else "",
    )
    if report.ok:
        logger.info(
            "audit chain intact: %s events, head #%s %s", report.events_checked, report.last_event_id, report.last_hash
        )
        record_event(
            action=AuditAction.AUDIT_CHAIN_VERIFIED,
            subject=head,
            details={"events_checked": report.events_checked, "head_event_id": report.last_event_id},
        )
    else:
        logger.critical("audit chain BROKEN: %s", report.fault)
        record_event(action=AuditAction.AUDIT_CHAIN_BROKEN, subject=head, details={"problem": str(report.fault)})
    return head

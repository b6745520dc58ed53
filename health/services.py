from django.db import connection
from django.db.models import DateTimeField, Func

from health.models import Heartbeat


class ClockTimestamp(Func):
    """The database's wall clock now (not the transaction's start, as now() would be)."""

    template = "clock_timestamp()"
    output_field = DateTimeField()


def record_heartbeat(*, name: str, details: dict | None = None) -> None:
    """Upsert the heartbeat with the database clock, so every process agrees on time."""
    Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": ClockTimestamp(), "details": details or {}})


def close_stale_connection() -> None:
    """Long-lived non-request processes (beat, worker threads) must drop dead connections."""
    connection.close_if_unusable_or_obsolete()

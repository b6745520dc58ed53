"""Reads the state of the database, the broker, the workers, beat and the sweep, and the checks
higher layers register (``register_check``: e.g. teams without cover)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection


@dataclass(frozen=True)
class ComponentState:
    name: str
    healthy: bool
    detail: str
    age_seconds: float | None = None
    # False: when unhealthy the portal still works but something needs a person (degraded);
    # True: the portal cannot do its job (unhealthy).
    critical: bool = True

    def as_dict(self) -> dict:
        data: dict = {"healthy": self.healthy, "detail": self.detail}
        if self.age_seconds is not None:
            data["age_seconds"] = round(self.age_seconds, 1)
        if not self.critical:
            data["critical"] = False
        return data


OK, DEGRADED, UNHEALTHY = "ok", "degraded", "unhealthy"

# Checks that higher layers add (this layer imports none of them): each returns one
# ComponentState. Registered from an AppConfig.ready.
_registered_checks: list[Callable[[], ComponentState]] = []


def register_check(check: Callable[[], ComponentState]) -> None:
    if check not in _registered_checks:
        _registered_checks.append(check)


def overall_status(states: list[ComponentState]) -> str:
    """ "unhealthy" if a critical component fails, "degraded" if only a non-critical one does."""
    if any(not s.healthy and s.critical for s in states):
        return UNHEALTHY
    if any(not s.healthy for s in states):
        return DEGRADED
    return OK


def _database_state() -> ComponentState:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return ComponentState("database", True, "ok")
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return ComponentState("database", False, exc.__class__.__name__)


def _broker_state() -> ComponentState:
    import redis

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        return ComponentState("broker", True, "ok")
    except Exception as exc:  # noqa: BLE001
        return ComponentState("broker", False, exc.__class__.__name__)


def _age_state(name: str, age: float | None, max_age: float, missing: str) -> ComponentState:
    if age is None:
        return ComponentState(name, False, missing)
    healthy = age <= max_age
    return ComponentState(name, healthy, "ok" if healthy else f"last seen {age:.0f}s ago", age)


def heartbeat_ages() -> dict[str, float]:
    """Seconds since each heartbeat, measured on the database clock that wrote them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, EXTRACT(EPOCH FROM clock_timestamp() - last_seen) FROM health_heartbeat")
        return {name: float(age) for name, age in cursor.fetchall()}


def heartbeat_age_states() -> list[ComponentState]:
    max_age = settings.HEARTBEAT_MAX_AGE_SECONDS
    ages = heartbeat_ages()
    worker_age = min((age for name, age in ages.items() if name.startswith("worker:")), default=None)
    # The sweep is the dead man's switch: stale after three missed intervals.
    sweep_max_age = max(3 * settings.SWEEP_INTERVAL_SECONDS, 1.0)
    return [
        _age_state("worker", worker_age, max_age, "no worker has reported"),
        _age_state("beat", ages.get("beat"), max_age, "beat has not run"),
        _age_state("sweep", ages.get("sweep"), sweep_max_age, "the alert sweep has not run"),
    ]


def _registered_states() -> list[ComponentState]:
    states = []
    for check in _registered_checks:
        try:
            states.append(check())
        except Exception as exc:  # noqa: BLE001 - a failing check is reported, not raised
            states.append(ComponentState(getattr(check, "__name__", "check"), False, exc.__class__.__name__))
    return states


def system_health() -> list[ComponentState]:
    database = _database_state()
    states = [database, _broker_state()]
    if database.healthy:
        states.extend(heartbeat_age_states())
        states.extend(_registered_states())
    return states


class _SweepSighting:
    """When this process last learnt that the sweep ran, on its own monotonic clock.

    The sweep's heartbeat only moves forward, so while the last run this process read about is
    recent enough, a newer read could only say the same: the page need not ask the database.
    It asks again once that run is three intervals old, so the banner shows exactly when it
    would have, without a statement on every lead's and manager's page.
    """

    ran_at: float | None = None


def alerting_is_delayed() -> bool:
    """True when the sweep has not run for three intervals (shown on lead and manager pages)."""
    limit = 3 * settings.SWEEP_INTERVAL_SECONDS
    ran_at = _SweepSighting.ran_at
    if ran_at is not None and time.monotonic() - ran_at <= limit:
        return False
    age = heartbeat_ages().get("sweep")
    _SweepSighting.ran_at = None if age is None else time.monotonic() - age
    return age is None or age > limit


def forget_sweep_sighting() -> None:
    """Make the next ``alerting_is_delayed`` read the heartbeat (tests roll the table back)."""
    _SweepSighting.ran_at = None

"""The beat scheduler, which also records its own heartbeat in Postgres as it ticks."""

import logging
import time

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):
    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        from django.conf import settings

        now = time.monotonic()
        if now - self._last_heartbeat >= settings.HEARTBEAT_INTERVAL_SECONDS:
            self._last_heartbeat = now
            try:
                from health.services import close_stale_connection, record_heartbeat

                close_stale_connection()
                record_heartbeat(name="beat")
            except Exception:
                logger.exception("Could not record the beat heartbeat")
        # Wake often enough to keep the heartbeat fresh even between long-interval tasks.
        return min(super().tick(*args, **kwargs), settings.HEARTBEAT_INTERVAL_SECONDS)

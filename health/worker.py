"""A worker bootstep that records the worker's heartbeat in Postgres on a timer.

A dead worker stops writing, so /healthz notices within HEARTBEAT_MAX_AGE_SECONDS.
"""

import logging
import socket

from celery import bootsteps

logger = logging.getLogger(__name__)


class HeartbeatStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.hostname = getattr(worker, "hostname", None) or socket.gethostname()

    def start(self, worker):
        from django.conf import settings

        self.beat()
        self.tref = worker.timer.call_repeatedly(settings.HEARTBEAT_INTERVAL_SECONDS, self.beat, priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def beat(self):
        from health.services import close_stale_connection, record_heartbeat

        try:
            close_stale_connection()
            record_heartbeat(name=f"worker:{self.hostname}")
        except Exception:  # the timer must survive a database hiccup
            logger.exception("Could not record the worker heartbeat")

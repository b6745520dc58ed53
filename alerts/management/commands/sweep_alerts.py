"""Run the alert sweep without Celery: once, or in a loop (a supervised process, like
healthchecks' sendalerts). Any number may run at once; see alerts.services.sweep."""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from alerts.services.sweep import run_sweep
from health.services import close_stale_connection

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fire due escalation steps and republish undelivered messages (once, or --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until SIGTERM or Ctrl-C.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between sweeps with --loop (default: SWEEP_INTERVAL_SECONDS).",
        )

    def handle(self, *args, loop=False, interval=None, **options):
        if not loop:
            result = run_sweep()
            self.stdout.write(f"Sweep done: {result.as_dict()}")
            return
        interval = interval or settings.SWEEP_INTERVAL_SECONDS
        stop = threading.Event()

        def request_stop(signum, frame):
            # Finish the sweep in progress (its transaction commits or rolls back), then leave.
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"Sweeping every {interval:g}s; SIGTERM stops after the current sweep.")
        self.stdout.flush()
        while not stop.is_set():
            try:
                close_stale_connection()
                run_sweep()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
                logger.exception("Sweep failed; trying again in %ss", interval)
            stop.wait(interval)
        self.stdout.write("Sweep loop stopped.")

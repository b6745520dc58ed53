"""The alert sweep in a thread of this process, every ``interval`` seconds, as beat would run it."""

from __future__ import annotations

import threading


class SweepLoop:
    """``with SweepLoop(interval=0.5) as loop: ...``; errors are kept in ``loop.errors``."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.errors: list[Exception] = []

    def _run(self) -> None:
        from django.db import connections

        from alerts.services.sweep import run_sweep

        try:
            while not self.stop_event.is_set():
                try:
                    run_sweep()
                except Exception as exc:  # noqa: BLE001 - kept for the test to assert on
                    self.errors.append(exc)
                self.stop_event.wait(self.interval)
        finally:
            connections.close_all()

    def __enter__(self) -> SweepLoop:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join(timeout=60)

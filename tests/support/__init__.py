"""What the test suite and the benchmarks start around the portal, written once.

- ``SmtpSink``: a real SMTP server on a loopback port; stop/start it, or make it refuse mail (451).
- ``CeleryWorker``, ``CeleryBeat``, ``SweepLoopProcess``: the portal's background processes.
- ``RedisServer``: a private redis-server on a port of its own (for outages).
- ``GunicornServer``: the portal behind gunicorn, with its own control socket.
- ``SweepLoop``: the alert sweep in a thread of this process.
- ``free_port``, ``wait_for_port``, ``wait_for``.

Nothing here imports Django at import time, so the benchmarks can use it before ``django.setup()``.
"""

from tests.support.ports import free_port, wait_for_port
from tests.support.processes import (
    ROOT,
    START_HOOKS,
    CeleryBeat,
    CeleryWorker,
    GunicornServer,
    PortalProcess,
    RedisServer,
    SweepLoopProcess,
    portal_env,
)
from tests.support.smtp import Received, SmtpSink
from tests.support.sweep import SweepLoop
from tests.support.waiting import wait_for

__all__ = [
    "ROOT",
    "START_HOOKS",
    "CeleryBeat",
    "CeleryWorker",
    "GunicornServer",
    "PortalProcess",
    "Received",
    "RedisServer",
    "SmtpSink",
    "SweepLoop",
    "SweepLoopProcess",
    "free_port",
    "portal_env",
    "wait_for",
    "wait_for_port",
]

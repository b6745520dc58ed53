"""Test support for the alert tests: a scriptable SMTP server, processes, a sweep loop.

All of it is real: aiosmtpd speaks SMTP on a loopback port, redis-server and Celery run as
subprocesses. Nothing of ours is replaced.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connections

from alerts.services.sweep import run_sweep
from tests.conftest import ROOT, WorkerProcess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    message_id: str
    to: list
    subject: str
    received_at: float


@dataclass
class RecordingHandler:
    """Accepts every message (or answers 421 while ``failing``) and records it."""

    received: list = field(default_factory=list)
    failing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.failing:
            return "421 Service not available, try later"
        parsed = message_from_bytes(envelope.content)
        with self.lock:
            self.received.append(
                Received(parsed.get("Message-ID", ""), list(envelope.rcpt_tos), parsed.get("Subject", ""), time.time())
            )
        return "250 Message accepted"


class SmtpSink:
    """A real SMTP server on a loopback port that can be stopped and started again."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.controller = None

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def message_id_counts(self) -> Counter:
        return Counter(r.message_id for r in self.received)


class SweepLoop:
    """run_sweep() every ``interval`` seconds in a thread, as beat would."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.errors = []

    def _run(self):
        try:
            while not self.stop_event.is_set():
                try:
                    run_sweep()
                except Exception as exc:  # noqa: BLE001 - recorded and re-raised by stop()
                    self.errors.append(exc)
                self.stop_event.wait(self.interval)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(timeout=60)


class RedisServer:
    """A private redis-server on its own port (never the shared 6379), for outage tests."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class ManagedProcess(WorkerProcess):
    """Another process of the portal (celery beat, the sweep loop) with the worker's environment."""

    def __init__(self, args: list[str], extra_env: dict | None = None, name: str = "proc"):
        super().__init__(extra_env, name=name)
        self.args = args
        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, *self.args],
            cwd=ROOT,
            env=self.env(),
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def cleanup(self):
        self.stop()
        os.unlink(self.log.name)


def beat_process(extra_env: dict, name: str) -> ManagedProcess:
    schedule = Path(tempfile.mkdtemp(prefix="beat-")) / "schedule"
    return ManagedProcess(
        ["-m", "celery", "-A", "safeguarding", "beat", "--loglevel=WARNING", "--schedule", str(schedule), "--pidfile="],
        extra_env,
        name=name,
    )


def sweep_loop_process(extra_env: dict, interval: float = 1.0, name: str = "sweeper") -> ManagedProcess:
    return ManagedProcess(["manage.py", "sweep_alerts", "--loop", "--interval", str(interval)], extra_env, name=name)

"""The benchmark's own servers: Redis, an SMTP sink, gunicorn, a Celery worker and beat.

Each is started on a free port of its own and stopped by its process id; nothing shared
with the other people on this machine is touched.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 200)]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port near {preferred}")


def wait_port(port: int, *, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before listening on {port}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Nothing listened on port {port} within {timeout}s")


@dataclass
class Managed:
    name: str
    proc: subprocess.Popen
    log: Path

    def stop(self, timeout: float = 20.0) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: only what we started
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass


def start(name: str, args: list[str], *, env: dict, log_dir: Path) -> Managed:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    handle = log.open("wb")
    proc = subprocess.Popen(  # noqa: S603 - our own fixed commands
        args,
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return Managed(name, proc, log)


def start_redis(port: int, log_dir: Path) -> Managed:
    managed = start(
        "redis",
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        env=dict(os.environ),
        log_dir=log_dir,
    )
    wait_port(port, proc=managed.proc)
    return managed


def start_gunicorn(port: int, env: dict, log_dir: Path, *, workers: int = 2, threads: int = 4) -> Managed:
    # The same shape as scripts/run.sh: two workers with four threads each.
    managed = start(
        "gunicorn",
        [
            str(VENV_BIN / "gunicorn"),
            "safeguarding.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--graceful-timeout",
            "5",
            "--timeout",
            "120",
        ],
        env=env,
        log_dir=log_dir,
    )
    wait_port(port, proc=managed.proc)
    return managed


def start_celery_worker(env: dict, log_dir: Path, *, concurrency: int = 2) -> Managed:
    # As scripts/run.sh: the prefork pool with two processes.
    return start(
        "celery-worker",
        [
            str(VENV_BIN / "celery"),
            "-A",
            "safeguarding",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={concurrency}",
            "-n",
            "bench@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        log_dir=log_dir,
    )


def start_celery_beat(env: dict, log_dir: Path) -> Managed:
    return start(
        "celery-beat",
        [
            str(VENV_BIN / "celery"),
            "-A",
            "safeguarding",
            "beat",
            "--loglevel=WARNING",
            "--schedule",
            str(log_dir / "celerybeat-schedule"),
            "--pidfile=",
        ],
        env=env,
        log_dir=log_dir,
    )


# --- Memory ---------------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc: no psutil needed)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the peak resident set of one process so far, in MiB."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class PeakMemory:
    """Samples the peak RSS of every process under each root every second, keeping the maximum."""

    def __init__(self):
        self.roots: dict[str, int] = {}
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, name: str, pid: int) -> None:
        self.roots[name] = pid
        if not self._thread.is_alive():
            self._thread.start()

    def sample(self) -> None:
        for name, root in list(self.roots.items()):
            # Workers only: the gunicorn arbiter and Celery's main process do not serve requests or tasks.
            workers = [p for p in process_tree(root) if p != root] or [root]
            for pid in workers:
                value = peak_rss_mb(pid)
                if value is not None and value > self.peaks.get(name, 0.0):
                    self.peaks[name] = value

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.sample()

    def stop(self) -> dict[str, float]:
        self.sample()
        self._stop.set()
        return {name: round(value, 1) for name, value in self.peaks.items()}


# --- SMTP sink ------------------------------------------------------------------------------


@dataclass
class Accepted:
    at: float  # time.time() when the sink accepted the message
    subject: str
    to: list[str] = field(default_factory=list)


class SmtpSink:
    """An in-process aiosmtpd server that notes when it accepted each message."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.port = port
        self.accepted: list[Accepted] = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                message = message_from_bytes(envelope.original_content or envelope.content)
                with sink._lock:
                    sink.accepted.append(
                        Accepted(time.time(), str(message.get("Subject", "")), list(envelope.rcpt_tos))
                    )
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def snapshot(self) -> list[Accepted]:
        with self._lock:
            return list(self.accepted)

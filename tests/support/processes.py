"""Processes the tests and the benchmarks start: Celery worker and beat, the sweep loop, Redis, gunicorn.

Each runs in its own session (its own process group), so stopping it stops its children and
nothing else, and each is stopped by its own process id. Output goes to the caller's terminal,
to a temporary file (``log=True``, read back with ``output()``) or to a given file.

A test process's defaults (``portal_env``) connect it to the same database, broker and cache
as the test process itself; the benchmarks pass a complete ``env`` of their own instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from tests.support.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]

# Called with each process just before it starts (tests/conftest.py refuses Celery processes
# in tests without the ``worker`` marker, so that ``make test-fast`` never starts one).
START_HOOKS: list[Callable[[PortalProcess], None]] = []


def portal_env(extra_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a portal process that shares this process's (test) database, broker and cache."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "safeguarding.settings_test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CACHE_URL": settings.CACHES["default"]["LOCATION"],
            "EMAIL_URL": os.environ.get("EMAIL_URL", "smtp://127.0.0.1:8025"),
        }
    )
    env.update(extra_env or {})
    return env


class PortalProcess:
    """One subprocess in its own process group.

    ``env`` is the whole environment (default: ``portal_env()`` when started); ``extra_env``
    is laid over it. ``log``: False inherits our output, True keeps it in a temporary file,
    a path writes it there. ``ready_port``: ``start()`` returns once something listens on it.
    """

    # Celery worker, beat and the sweep loop: what ``-m "not worker"`` promises not to start.
    background_worker = False

    def __init__(
        self,
        name: str,
        args: list[str],
        *,
        env: Mapping[str, str] | None = None,
        extra_env: Mapping[str, str] | None = None,
        log: bool | Path = False,
        ready_port: int | None = None,
    ):
        self.name = name
        self.args = args
        self.base_env = env
        self.extra_env = dict(extra_env or {})
        self.log = log
        self.ready_port = ready_port
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = Path(log) if isinstance(log, Path) else None
        self._own_log = False
        self._log_opened = False

    def env(self) -> dict[str, str]:
        if self.base_env is None:
            return portal_env(self.extra_env)
        return {**self.base_env, **self.extra_env}

    def _output_handle(self) -> IO[bytes] | None:
        if self.log is False:
            return None
        if self.log_path is None:
            handle = tempfile.NamedTemporaryFile(prefix=f"{self.name}-", suffix=".log", delete=False)  # noqa: SIM115
            self.log_path, self._own_log = Path(handle.name), True
            return handle
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        mode = "ab" if self._log_opened else "wb"  # a restart adds to this run's log; a new run starts afresh
        self._log_opened = True
        return self.log_path.open(mode)

    def start(self) -> PortalProcess:
        for hook in START_HOOKS:
            hook(self)
        handle = self._output_handle()
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own fixed commands
                self.args,
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT if handle is not None else None,
                start_new_session=True,
            )
        finally:
            if handle is not None:
                handle.close()  # the child has its own copy
        if self.ready_port is not None:
            try:
                wait_for_port(self.ready_port, process=self.process)
            except RuntimeError:
                self.stop()
                raise
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} is not running"
        return self.process.pid

    def send_signal(self, sig: int) -> None:
        """Send ``sig`` to the whole process group (the process and its children)."""
        os.killpg(self.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        """Stop the process group (SIGTERM, SIGKILL after ``timeout``); nothing if it has ended."""
        process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as when a machine dies."""
        self.stop(sig=signal.SIGKILL)

    def output(self) -> str:
        assert self.log_path is not None, f"{self.name} was started without a log"
        return self.log_path.read_text(errors="replace")

    def cleanup(self) -> None:
        """Stop, and remove the temporary log (a log file the caller named is kept)."""
        self.stop()
        if self._own_log and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)


class CeleryWorker(PortalProcess):
    """A real Celery worker of the portal. Tests use the thread pool; the benchmarks prefork, as production."""

    background_worker = True

    def __init__(
        self,
        extra_env: Mapping[str, str] | None = None,
        *,
        name: str = "testworker",
        env: Mapping[str, str] | None = None,
        loglevel: str = "WARNING",
        pool: str = "threads",
        concurrency: int = 2,
        log: bool | Path = False,
    ):
        args = [sys.executable, "-m", "celery", "-A", "safeguarding", "worker", f"--loglevel={loglevel}"]
        args += [f"--concurrency={concurrency}", f"--pool={pool}", "-n", f"{name}@%h"]
        args += ["--without-gossip", "--without-mingle"]
        super().__init__(name, args, env=env, extra_env=extra_env, log=log)


class CeleryBeat(PortalProcess):
    """Celery beat with the portal's schedule (the alert sweep, the audit chain check)."""

    background_worker = True

    def __init__(
        self,
        extra_env: Mapping[str, str] | None = None,
        *,
        name: str = "beat",
        env: Mapping[str, str] | None = None,
        schedule: Path | None = None,
        log: bool | Path = True,
    ):
        self._schedule_dir: Path | None = None
        if schedule is None:
            self._schedule_dir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
            schedule = self._schedule_dir / "schedule"
        args = [sys.executable, "-m", "celery", "-A", "safeguarding", "beat", "--loglevel=WARNING"]
        args += ["--schedule", str(schedule), "--pidfile="]
        super().__init__(name, args, env=env, extra_env=extra_env, log=log)

    def cleanup(self) -> None:
        super().cleanup()
        if self._schedule_dir is not None:
            shutil.rmtree(self._schedule_dir, ignore_errors=True)


class SweepLoopProcess(PortalProcess):
    """``manage.py sweep_alerts --loop``: the sweep as a process of its own."""

    background_worker = True

    def __init__(self, extra_env: Mapping[str, str] | None = None, *, interval: float = 1.0, name: str = "sweeper"):
        args = [sys.executable, "manage.py", "sweep_alerts", "--loop", "--interval", str(interval)]
        super().__init__(name, args, extra_env=extra_env, log=True)


class RedisServer(PortalProcess):
    """A private redis-server on its own port (never a shared one), nothing saved to disk.

    ``kill()`` loses every key, as a crash would; ``start()`` again brings it back, empty,
    on the same port.
    """

    def __init__(self, port: int | None = None, *, log: bool | Path = Path(os.devnull)):
        self.port = port or free_port()
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--daemonize", "no", "--maxmemory-policy", "noeviction"]
        super().__init__("redis", args, env=dict(os.environ), log=log, ready_port=self.port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class GunicornServer(PortalProcess):
    """The portal behind gunicorn, shaped as scripts/run.sh (two workers, four threads each).

    gunicorn 27 opens a control socket, by default one path in the home folder shared by every
    instance; each server here gets its own in a temporary folder.
    """

    def __init__(
        self, port: int, *, env: Mapping[str, str], log: bool | Path = True, workers: int = 2, threads: int = 4
    ):
        self.port = port
        self.control_dir = Path(tempfile.mkdtemp(prefix="gunicorn-"))
        args = [str(Path(sys.executable).parent / "gunicorn"), "safeguarding.wsgi", "--bind", f"127.0.0.1:{port}"]
        args += ["--workers", str(workers), "--threads", str(threads), "--graceful-timeout", "5", "--timeout", "120"]
        args += ["--control-socket", str(self.control_dir / "gunicorn.ctl")]
        super().__init__("gunicorn", args, env=env, log=log, ready_port=port)

    def start(self) -> GunicornServer:
        self.control_dir.mkdir(exist_ok=True)
        super().start()
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        super().stop(sig, timeout)
        shutil.rmtree(self.control_dir, ignore_errors=True)

"""The benchmark's own servers, shaped as in production, and the peak memory of its processes.

The servers are tests/support's (the test suite starts the same ones): each on a free port
of its own, in its own process group, stopped by its process id; nothing shared with the other
people on this machine is touched. Here they get the shape of scripts/run.sh and a log file
each under the run's log folder.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tests.support import CeleryBeat, CeleryWorker, GunicornServer, RedisServer


def start_redis(port: int, log_dir: Path) -> RedisServer:
    return RedisServer(port, log=log_dir / "redis.log").start()


def start_gunicorn(port: int, env: dict, log_dir: Path, *, workers: int = 2, threads: int = 4) -> GunicornServer:
    # As scripts/run.sh: two workers with four threads each.
    return GunicornServer(port, env=env, log=log_dir / "gunicorn.log", workers=workers, threads=threads).start()


def start_celery_worker(env: dict, log_dir: Path, *, concurrency: int = 2) -> CeleryWorker:
    # As scripts/run.sh: the prefork pool with two processes.
    worker = CeleryWorker(
        env=env, name="bench", pool="prefork", concurrency=concurrency, log=log_dir / "celery-worker.log"
    )
    return worker.start()


def start_celery_beat(env: dict, log_dir: Path) -> CeleryBeat:
    beat = CeleryBeat(env=env, schedule=log_dir / "celerybeat-schedule", log=log_dir / "celery-beat.log")
    return beat.start()


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

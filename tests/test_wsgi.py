"""The WSGI entry point gunicorn loads in each worker."""

import os
import subprocess
import sys
import textwrap

from django.conf import settings


def test_the_worker_moves_what_it_loaded_at_start_out_of_the_collectors_way():
    """Long-lived objects loaded at start (Django, the apps, every view) are frozen, so a full
    garbage collection during a request does not walk them."""
    script = "import gc, safeguarding.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "safeguarding.settings")}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 50_000


def test_the_worker_freezes_again_once_warm_after_a_response_and_only_once():
    """What the first requests load for the worker's life (templates, catalogues, caches) is
    frozen too, once, after a response has gone: not on every request."""
    script = (
        "import gc, safeguarding.wsgi as w; from django.core.signals import request_finished\n"
        "start = gc.get_freeze_count()\n"
        "for _ in range(w.FREEZE_AGAIN_AFTER_REQUESTS - 1): request_finished.send(sender=None)\n"
        "before = gc.get_freeze_count()\n"
        "kept = [[object()] for _ in range(1000)]\n"
        "request_finished.send(sender=None)\n"
        "after = gc.get_freeze_count()\n"
        "more = [[object()] for _ in range(1000)]\n"
        "for _ in range(w.FREEZE_AGAIN_AFTER_REQUESTS + 1): request_finished.send(sender=None)\n"
        "print(start, before, after, gc.get_freeze_count())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "safeguarding.settings")}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    start, before, after, later = map(int, result.stdout.split()[-4:])
    assert before == start  # not before the worker is warm
    assert after >= start + 1000  # what is alive then (the 1,000 lists kept) is frozen
    assert later == after  # and never again: the next 1,000 lists stay in the generations


def test_the_worker_collects_between_requests_not_during_them():
    """Out of band: once no request of the worker is in flight, the young generations are
    collected (every so often all of them); while another request runs, nothing is; the
    automatic collector stays on, for requests that leave far more behind than a page does."""
    script = textwrap.dedent(
        """
        import gc, safeguarding.wsgi as w
        from django.core.signals import request_finished as done, request_started as start

        print(gc.isenabled(), gc.get_threshold()[0])
        start.send(sender=None); start.send(sender=None)
        junk = [[] for _ in range(1000)]
        done.send(sender=None)  # one request still in flight: nothing collected
        print(gc.get_count()[0] >= 900)
        done.send(sender=None)  # none in flight: collected
        print(gc.get_count()[0] < 50)
        full = []
        gc.callbacks.append(lambda phase, info: phase == "stop" and info["generation"] == 2 and full.append(1))
        for _ in range(w.FULL_COLLECTION_EVERY):
            start.send(sender=None); done.send(sender=None)
        print(len(full))
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "safeguarding.settings")}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    enabled, threshold, kept_while_busy, collected_when_idle, full = result.stdout.split()[-5:]
    assert enabled == "True" and int(threshold) >= 10_000
    assert kept_while_busy == "True" and collected_when_idle == "True"
    assert int(full) == 1

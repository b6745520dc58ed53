"""The WSGI entry point gunicorn loads in each worker."""

import os
import subprocess
import sys

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

"""The Celery application. Tasks are thin: they take ids and call a service.

Postgres is the source of truth; a message lost by the broker is rebuilt by the sweep.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

app = Celery("safeguarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker records its own heartbeat in Postgres (see health.worker).
from health.worker import HeartbeatStep  # noqa: E402

app.steps["worker"].add(HeartbeatStep)

"""Settings for the benchmark's own processes (gunicorn, Celery): the portal's, plus timing.

Only ``make bench`` uses this module. It adds a first middleware that measures each
request's server time and query count (returned in headers the runner reads) and a URLconf
with one extra, benchmark-only view: the minimal insert the intake figure is compared with.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL", "false")

from safeguarding.settings import *  # noqa: E402,F403
from safeguarding.settings import MIDDLEWARE  # noqa: E402

MIDDLEWARE = ["benchmarks.middleware.ServerTimingMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "benchmarks.urls"
# The runner does not run collectstatic; pages reference static files by plain name.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

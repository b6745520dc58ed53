"""Settings for the test suite: the real stack (PostgreSQL, Redis), faster hashing, plain statics.

Environment defaults are set before the main settings are read; an explicit environment
variable still wins, so parallel runs can use their own database and Redis numbers.
"""

import os

os.environ.setdefault("DEBUG", "true")
# Tests connect as the owner role (it creates the test database); a dedicated test proves
# the runtime role's missing privileges on the audit tables.
os.environ.setdefault("DATABASE_URL", "postgres://safeguarding@127.0.0.1:5432/safeguarding")
# Lets the flush between transactional tests TRUNCATE the append-only audit tables.
os.environ.setdefault("AUDIT_MAINTENANCE_SESSION", "true")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("CACHE_KEY_PREFIX", "sgtest")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:8025")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from safeguarding.settings import *  # noqa: E402,F403

# Hashing cost is not what the tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nosec B303 - tests only
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
WHITENOISE_AUTOREFRESH = True

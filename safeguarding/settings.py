"""Settings for the safeguarding concern portal.

Everything that differs between machines comes from the environment (see .env.example).
Defaults serve local development; with DEBUG false the process refuses to start without a
real SECRET_KEY.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused when DEBUG is false
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is false."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",  # allauth's session list ("3 minutes ago")
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    # Second factors (TOTP, WebAuthn security keys and passkeys, recovery codes) and the
    # list of a person's own sessions. Policy: accounts/security.py.
    "allauth.mfa",
    "allauth.usersessions",
    # Our apps, lowest layer first (see ARCHITECTURE.md for the direction of imports).
    "accounts",
    "health",
    "audit",
    "consent",
    "concerns",
    "alerts",
    "escalation",
    # The project package itself, for project-wide commands such as seed_demo.
    "safeguarding",
]
# Development only: the local SMTP sink and its mailbox at /dev/mail/. Never installed in
# production, so its pages do not exist there at all.
DEVTOOLS_ENABLED = env.bool("DEVTOOLS_ENABLED", default=DEBUG)
if DEVTOOLS_ENABLED:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL in the path or query string is refused before any view or query sees it.
    "accounts.middleware.RejectNulCharactersMiddleware",
    "audit.middleware.RequestContextMiddleware",
    # Django's session middleware, except that background polling does not extend the session.
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's session list, its row touched at most once a minute (not every request).
    "accounts.activity.ThrottledUserSessionsMiddleware",
    # After authentication: the 12-hour absolute session limit, then the second factor
    # that leads, deputies, managers and administrators must have before any other page.
    "accounts.middleware.AbsoluteSessionLimitMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "accounts.middleware.FactorChangeStepUpMiddleware",
    "accounts.middleware.ClosedAccountPagesMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
]

# A concern's free-text fields hold 100,000 characters each; URL-encoded, non-Latin text and emoji
# take up to 12 bytes a character, so a full intake form is far above Django's 2.5 MB default.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# PostgreSQL only: the append-only audit trail, the immutability triggers, SKIP LOCKED
# claiming and pg_trgm all depend on it. There is deliberately no SQLite fallback.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://safeguarding_app@127.0.0.1:5432/safeguarding")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=None)}
# Two database roles (set up by scripts/services.sh): the owner runs migrations
# (MIGRATION_DATABASE_URL); the runtime role in DATABASE_URL lacks UPDATE, DELETE and
# TRUNCATE on the append-only tables. After every migrate, audit.db grants the runtime role
# what the models' declarations allow (audit.append_only), and attaches row capture to the
# models that say capture_row_changes = True.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="safeguarding_app")
# The test suite flushes tables between transactional tests with TRUNCATE; the append-only
# guard allows that only for a session that sets this flag (and holds TRUNCATE, which the
# runtime role never does on those tables).
if env.bool("AUDIT_MAINTENANCE_SESSION", default=False):
    DATABASES["default"]["OPTIONS"]["options"] = "-c safeguarding.audit_maintenance=on"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: email is the login; nobody signs themselves up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# The portal adapter plus lockout auditing and the (username, IP) lockout key; it lives in
# the project package because it writes audit events (accounts may not import audit).
ACCOUNT_ADAPTER = "safeguarding.account_adapter.SecurePortalAccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Five wrong passwords for one email address from one IP address, then a 15-minute
# cool-off during which even the right password is refused (the key is built in
# safeguarding.account_adapter from the address and the IP, so nobody elsewhere can lock a
# lead out). A successful login does not count. 30/m per IP slows credential stuffing.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_COOLOFF_SECONDS = 15 * 60
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"30/m/ip,{LOGIN_FAILURE_LIMIT}/{LOGIN_FAILURE_COOLOFF_SECONDS}s/key",
}
# The client IP for the lockout key: behind N trusted reverse proxies, the N-th address from
# the right of X-Forwarded-For (ASVS v5.0.0-15.3.4). 0 (direct) trusts only REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Step-up ("fresh second factor") lasts five minutes before exports and break-glass.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# A second factor added less than this long ago does not count for a step-up (exports,
# break-glass, changing factors): the person has a day to notice the emails about it.
STEP_UP_FACTOR_MIN_AGE_SECONDS = env.int("STEP_UP_FACTOR_MIN_AGE_SECONDS", default=24 * 60 * 60)
# Every change of a password or second factor is emailed to the person (allauth's security
# notifications) and, for second factors, to this list too (empty: every active manager).
ACCOUNT_EMAIL_NOTIFICATIONS = True
SECURITY_NOTIFICATION_EMAILS = env.list("SECURITY_NOTIFICATION_EMAILS", default=[])

# Multi-factor authentication (allauth.mfa). Required for leads, deputies, managers and
# administrators by accounts.middleware.SecondFactorRequiredMiddleware; optional for
# clinicians unless MFA_REQUIRED_FOR_CLINICIANS is true.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# Wrong codes count per person and IP address, like wrong passwords (accounts.mfa_forms).
MFA_FORMS = {
    "authenticate": "accounts.mfa_forms.PortalAuthenticateForm",
    "reauthenticate": "accounts.mfa_forms.PortalReauthenticateForm",
}
# Secrets at rest: accounts.mfa_adapter.
MFA_ADAPTER = "accounts.mfa_adapter.PortalMFAAdapter"
# Fernet keys that encrypt TOTP secrets and recovery-code seeds at rest, newest first; older
# keys only decrypt until `manage.py rotate_mfa_secrets` has re-encrypted with the newest.
# Empty (development): a key derived from SECRET_KEY.
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Safeguarding portal"
MFA_TOTP_TOLERANCE = 1  # one 30-second step either side, for phone clocks that drift
MFA_TRUST_ENABLED = False  # a second factor at every sign-in: no "trust this browser"
MFA_REQUIRED_FOR_CLINICIANS = env.bool("MFA_REQUIRED_FOR_CLINICIANS", default=False)
# WebAuthn needs https; local http development may opt in explicitly.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
# Every session is listed with its last IP address and time (allauth.usersessions).
USERSESSIONS_TRACK_ACTIVITY = True
# How often a session's "last seen" is written (accounts.activity): not every request.
USERSESSION_TOUCH_SECONDS = env.int("USERSESSION_TOUCH_SECONDS", default=60)
# How long a person's roles and second-factor state may be cached (accounts.access). Every
# change through the application drops the entry at once; this bounds anything else.
ACCESS_CACHE_SECONDS = env.int("ACCESS_CACHE_SECONDS", default=300)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed from the npm registry by `make install`; never a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://127.0.0.1:8025")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="safeguarding-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Redis, with a PostgreSQL table answering while Redis is unreachable (accounts.cache), so
# signing in and its throttling keep working through a Redis outage.
CACHES = {
    "default": {
        "BACKEND": "accounts.cache.RedisWithDatabaseFallbackCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="sg"),
    }
}

# Celery: the broker holds nothing that Postgres cannot rebuild (see escalation/sweep).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/1")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="safeguarding")
CELERY_BEAT_SCHEDULER = "health.beat:HeartbeatScheduler"
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=10.0)
HEARTBEAT_INTERVAL_SECONDS = env.float("HEARTBEAT_INTERVAL_SECONDS", default=10.0)
# /healthz reports a component unhealthy once its heartbeat is older than this.
HEARTBEAT_MAX_AGE_SECONDS = env.float("HEARTBEAT_MAX_AGE_SECONDS", default=60.0)
# Signed checkpoints of the audit chain head (audit.checkpoints): written hourly by
# `manage.py checkpoint_audit`, run by a job of its own whose environment alone holds
# AUDIT_CHECKPOINT_PRIVATE_KEY (never the web or the worker); verify_audit checks them with
# the public key. The file belongs on storage the database's writers cannot rewrite.
AUDIT_CHECKPOINT_PUBLIC_KEY = env.str("AUDIT_CHECKPOINT_PUBLIC_KEY", default="")
AUDIT_CHECKPOINT_FILE = env.path("AUDIT_CHECKPOINT_FILE", default=BASE_DIR / "var" / "audit-checkpoints.jsonl")
CELERY_BEAT_SCHEDULE = {
    "audit-verify-daily": {
        "task": "audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=30),
    },
    # The alert sweep (alerts.services.sweep). Safe to run twice at once; a sweep task that waited
    # longer than one interval in the broker is dropped, the next one does its work.
    "alert-sweep": {
        "task": "alerts.tasks.sweep_alerts",
        "schedule": SWEEP_INTERVAL_SECONDS,
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
}

# Alerts: working-day calendar, outbox delivery, who the named lead is.
WORKING_TIME_ZONE = env.str("WORKING_TIME_ZONE", default="Europe/London")
WORKING_HOURS_START = env.str("WORKING_HOURS_START", default="09:00")
WORKING_HOURS_END = env.str("WORKING_HOURS_END", default="17:00")
SWEEP_BATCH_SIZE = env.int("SWEEP_BATCH_SIZE", default=50)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30.0)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=900.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=60.0)
# The named or executive lead (last escalation step) when the policy step names nobody.
ESCALATION_NAMED_LEAD_EMAILS = env.list("ESCALATION_NAMED_LEAD_EMAILS", default=[])
# Optional Teams or Slack incoming webhook that also receives every alert (no sensitive detail).
ALERT_WEBHOOK_URL = env.str("ALERT_WEBHOOK_URL", default="")
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="safeguarding-portal.local")
# The local SMTP sink (manage.py smtp_sink) writes here; /dev/mail/ shows it to administrators
# (development tools only).
DEV_MAIL_DIR = env.path("DEV_MAIL_DIR", default=BASE_DIR / "var" / "mail")

# Referral packs: the organisation's name and the protective marking printed on every page.
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Safeguarding portal")
REFERRAL_PACK_MARKING = env.str("REFERRAL_PACK_MARKING", default="OFFICIAL-SENSITIVE")

# Logging: never the content of a concern (see tests/security/test_canary.py).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Security headers and cookies. The production values are the defaults; local http
# development relaxes only what plain http cannot carry.
SECURE_SSL = env.bool("SECURE_SSL", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_SSL else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_SSL else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Django's database sessions; an unchanged session's save writes only its new expiry, at most
# once a minute (accounts.sessions): the idle limit ends a session 14 to 15 minutes after the
# person's last action.
SESSION_ENGINE = "accounts.sessions"
SESSION_ABSOLUTE_MAX_SECONDS = env.int("SESSION_ABSOLUTE_MAX_SECONDS", default=12 * 60 * 60)
# Sessions never outlive the browser, and never a password change (Django's session auth
# hash); accounts.security ends the other sessions when a second factor changes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Browser features the portal never uses (accounts.middleware.SecurityHeadersMiddleware).
# WebAuthn (publickey-credentials-*) stays allowed for this origin only.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), publickey-credentials-create=(self), "
    "publickey-credentials-get=(self)"
)

# Content Security Policy (django-csp 4): no inline script or style anywhere; the TOTP QR
# code is a data: image. htmx runs with eval off and without its indicator <style>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

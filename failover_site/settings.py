"""Settings for the failover console, read from environment variables.

With no environment at all the project runs on SQLite and its own embedded
Redis under ``var/`` (DEBUG off, so SECRET_KEY is still needed); set
``DATABASE_URL`` and ``CELERY_BROKER_URL`` to run on PostgreSQL and a Redis
server of your own. README lists every variable.
"""

import os
import socket
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from failover_site import embedded_redis
from failover_site.beat_schedule import beat_schedule
from failover_site.env import (
    SettingError,
    envbool,
    envchoice,
    envfloat,
    envint,
    envlist,
    envnetworks,
    envstr,
)
from failover_site.log_format import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("FAILOVER_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: a site started with no environment must not show
# tracebacks and settings to whoever can reach it.
DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not DEBUG and len(SECRET_KEY) < 50:
    raise SettingError(
        "SECRET_KEY must be set, at least 50 characters long, when DEBUG is off"
        + (f" (it has {len(SECRET_KEY)})" if SECRET_KEY else "")
    )
SECRET_KEY = SECRET_KEY or "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "failover",
]

MIDDLEWARE = [
    "failover.streaming.AsyncStreamingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "failover.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "failover.middleware.VaryOnHtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "failover_site.urls"

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
                "failover.context_processors.site_identity",
                "failover.context_processors.permissions",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Under ASGI (the web server, failover_site/asgi.py) each request runs
        # in a context of its own, so a connection kept for the next request
        # would never be reused: Django's advice is to close it there.
        conn_max_age=0 if "FAILOVER_ASGI" in os.environ else 60,
        conn_health_checks=True,
    )
}
# A password given apart from the URL needs no URL-encoding, so any character
# works (compose passes POSTGRES_PASSWORD this way); it wins over the URL's.
_database_password = envstr("DATABASE_PASSWORD")
if _database_password:
    DATABASES["default"]["PASSWORD"] = _database_password
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL plus a busy timeout lets them
    # write concurrently instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that processes a test starts can see its data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/management/"
LOGOUT_REDIRECT_URL = "/login"

# Sign-in throttling: five failures for a user name from one address lock that
# pair out for fifteen minutes (django-axes); so do more failures for one user
# name from any addresses, or from one address for any user names
# (failover/sign_in_limits.py).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
SIGN_IN_FAILURES_PER_USER = envint("SIGN_IN_FAILURES_PER_USER", 20, minimum=1)
SIGN_IN_FAILURES_PER_ADDRESS = envint("SIGN_IN_FAILURES_PER_ADDRESS", 50, minimum=1)
# Reverse proxies in front of the site that append the client's address to
# X-Forwarded-For: sign-in throttling and /metrics then use that address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "failover.access.client_address"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))

STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("TRUST_X_FORWARDED_PROTO", False) else None
)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Browsers remember to use HTTPS only for this long; 0 sends no HSTS header.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0, minimum=0)
# Scripts, styles and everything else from this site's own files only: no
# inline script, handler or style anywhere (htmx is configured by a meta tag,
# and evaluates nothing).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# One-time secrets (new API tokens, a generated key, the webhook secret) are
# shown through messages: kept in the session (the database), never in a
# cookie, which is signed but readable.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Celery, cache and nonce store --------------------------------------------
# One Redis serves all three: the one CELERY_BROKER_URL names, or else the
# site's embedded Redis (failover_site/embedded_redis.py), which the site's
# launcher starts first.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL")
if CELERY_BROKER_URL:
    # The cache and so the nonce store must be shared by every process.
    if not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        raise SettingError(
            "CELERY_BROKER_URL must be a Redis URL (redis:// or rediss://), "
            f"not {CELERY_BROKER_URL.split('://')[0]}://..."
        )
    FAILOVER_EMBEDDED_REDIS = None
    _cache_url = CELERY_BROKER_URL
else:
    FAILOVER_EMBEDDED_REDIS = embedded_redis.socket_path(VAR_DIR)
    CELERY_BROKER_URL = embedded_redis.broker_url(FAILOVER_EMBEDDED_REDIS)
    _cache_url = embedded_redis.cache_url(FAILOVER_EMBEDDED_REDIS)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "failover.tasks.check_peer": {"queue": "health"},
    "failover.tasks.check_witness": {"queue": "health"},
}
# One message per free process: a long sync must not hold health checks
# prefetched behind it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A backup's health check re-queues itself for the moment the primary timeout
# runs out (failover.tasks.check_peer). Without an event loop (the filesystem
# broker) the worker's ETA timer sleeps up to this long before it looks at a
# newly scheduled task: the default of 1 s made failovers up to 1 s late.
CELERY_WORKER_TIMER_PRECISION = 0.05
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

FAILOVER_HEALTH_INTERVAL = envfloat("FAILOVER_HEALTH_INTERVAL", 2.0, minimum=0.2, maximum=300)
CELERY_BEAT_SCHEDULE = beat_schedule(FAILOVER_HEALTH_INTERVAL)

# Failover -----------------------------------------------------------------
FAILOVER_SITE_NAME = envstr("FAILOVER_SITE_NAME") or socket.gethostname()
FAILOVER_DATA_DIR = Path(envstr("FAILOVER_DATA_DIR", str(VAR_DIR / "data"))).absolute()
FAILOVER_INTER_SITE_KEY = envstr("FAILOVER_INTER_SITE_KEY")
FAILOVER_PEER_CA_FILE = envstr("FAILOVER_PEER_CA_FILE")
FAILOVER_ALLOW_INSECURE_PEER = envbool("FAILOVER_ALLOW_INSECURE_PEER", False)
# Connect and read timeouts of every peer call; well under the health interval
# so a dead peer never makes one check overlap the next.
FAILOVER_PEER_TIMEOUT = envfloat(
    "FAILOVER_PEER_TIMEOUT",
    min(5.0, max(0.2, FAILOVER_HEALTH_INTERVAL / 2)),
    minimum=0.05,
    maximum=60,
)
FAILOVER_SHARED_IP_BACKEND = envchoice("FAILOVER_SHARED_IP_BACKEND", "none", ("none", "linux"))
# Database rows a data sync copies to the backup, parents before children, so
# an administrator signs in to the backup with the same credentials after a
# failover. Everything else (role, epoch, peer, shared IPs, backup settings,
# history, sync runs) stays per site.
FAILOVER_REPLICATED_MODELS = [
    "auth.Group",
    "auth.User",
    "failover.ApiToken",
    "failover.NotificationSettings",
]

# Files fetched at once during a sync.
FAILOVER_SYNC_PARALLEL = envint("FAILOVER_SYNC_PARALLEL", 4, minimum=1)
# What a backup accepts of a primary's manifest: a primary holds the key, but
# its backup still bounds the memory and time a manifest may cost it.
FAILOVER_SYNC_MAX_MANIFEST_BYTES = envint(
    "FAILOVER_SYNC_MAX_MANIFEST_BYTES", 512 * 1024 * 1024, minimum=1024
)
FAILOVER_SYNC_MAX_ENTRIES = envint("FAILOVER_SYNC_MAX_ENTRIES", 1_000_000, minimum=1)
FAILOVER_SYNC_MAX_DEPTH = envint("FAILOVER_SYNC_MAX_DEPTH", 64, minimum=1)
FAILOVER_SYNC_MAX_NAME_BYTES = envint("FAILOVER_SYNC_MAX_NAME_BYTES", 255, minimum=1)

# E-mail for notifications: Django's own settings, from the environment.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "failover@localhost")

# Webhooks may go to internal addresses (loopback, link-local, private,
# unique-local) only inside these networks.
FAILOVER_WEBHOOK_ALLOWED_NETWORKS = envnetworks("FAILOVER_WEBHOOK_ALLOWED_NETWORKS")

# GET /metrics: a bearer token, or a client address in these networks.
FAILOVER_METRICS_TOKEN = envstr("FAILOVER_METRICS_TOKEN")
FAILOVER_METRICS_ALLOWED_IPS = envnetworks("FAILOVER_METRICS_ALLOWED_IPS", "127.0.0.1,::1")

LOG_LEVEL = envchoice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
FAILOVER_LOG_FORMAT = envchoice("FAILOVER_LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = logging_config(LOG_LEVEL, FAILOVER_LOG_FORMAT)

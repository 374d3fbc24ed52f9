"""Settings for the failover console, read from environment variables.

With no environment at all the project runs on SQLite and an embedded
(filesystem) Celery broker under ``var/``; set ``DATABASE_URL`` and
``CELERY_BROKER_URL`` to run on PostgreSQL and Redis. README lists every
variable.
"""

import socket
from datetime import timedelta
from pathlib import Path

import dj_database_url

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

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("FAILOVER_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", True)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise SettingError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

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
    "django.middleware.security.SecurityMiddleware",
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
WSGI_APPLICATION = "failover_site.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
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
# pair out for fifteen minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
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

# Celery -------------------------------------------------------------------
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # The folder is polled; a health check every FAILOVER_HEALTH_INTERVAL
        # must not wait a second for the next look.
        "polling_interval": 0.1,
    }

    # kombu's filesystem transport expects its folders to exist.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "failover.tasks.check_peer": {"queue": "health"},
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
CELERY_BEAT_SCHEDULE = {
    "check-peer": {
        "task": "failover.tasks.check_peer",
        "schedule": FAILOVER_HEALTH_INTERVAL,
        # Expire just under the interval so a stalled worker does not run a
        # backlog of stale checks when it comes back.
        "options": {"queue": "health", "expires": FAILOVER_HEALTH_INTERVAL * 0.9},
    },
    "start-sync-if-due": {
        "task": "failover.tasks.start_sync_if_due",
        "schedule": 15.0,
        "options": {"queue": "default", "expires": 14},
    },
    "housekeeping": {
        "task": "failover.tasks.housekeeping",
        "schedule": 60.0,
        "options": {"queue": "default", "expires": 59},
    },
    "default-queue-heartbeat": {
        "task": "failover.tasks.heartbeat",
        "schedule": 15.0,
        "options": {"queue": "default", "expires": 14},
    },
}

if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
        }
    }
    FAILOVER_NONCE_STORE = "cache"
else:
    FAILOVER_NONCE_STORE = "database"

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

# GET /metrics: a bearer token, or a client address in these networks.
FAILOVER_METRICS_TOKEN = envstr("FAILOVER_METRICS_TOKEN")
FAILOVER_METRICS_ALLOWED_IPS = envnetworks("FAILOVER_METRICS_ALLOWED_IPS", "127.0.0.1,::1")

LOG_LEVEL = envchoice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
FAILOVER_LOG_FORMAT = envchoice("FAILOVER_LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "failover_site.log_format.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": FAILOVER_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # kombu warns on every connection that the embedded broker's URL names no host.
    "loggers": {"axes": {"level": "WARNING"}, "kombu.connection": {"level": "ERROR"}},
}

"""Gapmap settings: every value comes from the environment, with defaults that work on a fresh
checkout (SQLite, an embedded filesystem broker, console e-mail). Production sets DEBUG=false and
the variables listed in the README."""

import os
import sys
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GAPMAP_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    expected = "an integer"
    if minimum is not None and maximum is not None:
        expected = f"an integer from {minimum} to {maximum}"
    elif minimum is not None:
        expected = f"an integer of at least {minimum}"
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not {expected}") from exc
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name}={raw!r} is not {expected}")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    """One of `choices`, matched without regard to case; returned as spelled in `choices`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}")


def _redacted(url: str) -> str:
    """The URL with any password replaced, fit for an error message."""
    try:
        parts = urlsplit(url)
        if parts.password:
            return url.replace(f":{parts.password}@", ":***@", 1)
    except ValueError:
        pass
    return url


def env_url(
    name: str, default: str, *, schemes: list[str], example: str, needs_host: bool = True
) -> str:
    """A URL whose scheme is one of `schemes` and whose host and port parse."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    url = raw.strip()
    starts = ", ".join(f"{scheme}://" for scheme in schemes)
    expected = f"expected a URL starting with one of {starts}, such as {example}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name}={_redacted(url)!r} is not a valid URL ({exc}); {expected}"
        ) from exc
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={_redacted(url)!r} has scheme {parts.scheme!r}; {expected}"
        )
    if needs_host and parts.scheme != "unix" and not parts.hostname:
        raise ImproperlyConfigured(f"{name}={_redacted(url)!r} names no host; {expected}")
    return url


def env_email_address(name: str, default: str) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    _, address = parseaddr(raw)
    if "@" not in address:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not an e-mail address (expected Name <user@example.com>)"
        )
    return raw


LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def env_json_list(name: str) -> list | None:
    """A JSON list from the environment, or None when unset."""
    import json

    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, list):
        raise ImproperlyConfigured(f"{name} must be a JSON list")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = "pytest" in sys.modules

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Who publishes the CASE curriculum and issues the Open Badges credentials (curriculum/case.py,
# roadmap/services/credentials.py).
ISSUER_NAME = env_str("ISSUER_NAME", "Gapmap")
ISSUER_URL = env_str("ISSUER_URL", SITE_URL).rstrip("/")
# Open Badges signing keys: a JSON list of Ed25519 JWKs, each {"kty": "OKP", "crv": "Ed25519",
# "kid", "x", "d"}. The first signs new credentials; every key listed is published in the JWKS,
# so a rotation puts the new key first and keeps the old ones (their "d" may then be dropped).
# `manage.py badge_keygen` prints a new key. Unset with DEBUG on: a key generated on first use
# into var/badge-signing-keys.json. Production (DEBUG false) must set it (`check --deploy`
# fails without it, and nothing is signed).
BADGE_SIGNING_KEYS = env_json_list("BADGE_SIGNING_KEYS")
BADGE_DEV_KEY_FILE = VAR_DIR / "badge-signing-keys.json"
# The JSON API (roadmap/views/api.py): requests per token and minute before 429.
API_THROTTLE_PER_MINUTE = env_int("API_THROTTLE_PER_MINUTE", 120)
# Days a credential stays valid (its validUntil); 0 means no expiry.
BADGE_VALIDITY_DAYS = env_int("BADGE_VALIDITY_DAYS", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "accounts",
    "curriculum",
    "roadmap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses HTML responses (the assessment page is ~150 KB at 164 competencies). Before
    # anything that reads or changes the body. BREACH: Django masks the CSRF token afresh per
    # request, so the secret is never repeated in a compressed page; GZipMiddleware also pads
    # with a random-length filename field (Django >= 4.2).
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    # Default deny: every view needs a signed-in user unless marked public (accounts.access).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roadmap.urls"
WSGI_APPLICATION = "roadmap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roadmap.context_processors.notifications",
            ],
        },
    },
]

_DATABASE_EXPECTED = (
    "expected postgres://user:password@host:5432/name or sqlite:///path/to/file.sqlite3"
)
_database_url = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'gapmap.sqlite3'}",
    schemes=["postgres", "postgresql", "sqlite"],
    example="postgres://user:password@host:5432/gapmap",
    needs_host=False,
)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL={_redacted(_database_url)!r} is malformed ({exc}); {_DATABASE_EXPECTED}"
    ) from exc
if not DATABASES["default"].get("NAME"):
    raise ImproperlyConfigured(
        f"DATABASE_URL={_redacted(_database_url)!r} names no database; {_DATABASE_EXPECTED}"
    )
del _database_url
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker process in the Redis tests can open the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first (Django's recommended hasher, about 50 ms here against PBKDF2's 0.9 s at Django 6's
# iteration count). PBKDF2 stays so existing hashes still verify; Django rehashes them with
# Argon2 at the user's next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures per username and IP lock that pair out for a finite cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The credential key authenticate() receives from the log-in form. Axes defaults to the user
# model's USERNAME_FIELD ("email"), finds nothing there and would count every failure as user None.
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lock-out do not restart the clock, so "wait 15 minutes" on the page holds true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Renders templates/accounts/locked_out.html (status 429) saying how many minutes to wait.
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Days django-axes keeps its records of log-ins (addresses, user agents); a daily task deletes
# older ones (accounts/tasks.py, in CELERY_BEAT_SCHEDULE).
AXES_RETENTION_DAYS = env_int("AXES_RETENTION_DAYS", 30, minimum=1)
AXES_VERBOSE = False

# Throttles per client address (accounts/throttling.py), beside axes' per-account lock-out:
# (attempts, window in seconds). Over the limit, the form answers the 429 page until the window
# ends. Reset e-mails are also limited per recipient address, silently (the page says "sent").
THROTTLES = {
    "login": (env_int("THROTTLE_LOGINS_PER_ADDRESS", 20, minimum=1), 15 * 60),
    "signup": (env_int("THROTTLE_SIGNUPS_PER_ADDRESS", 10, minimum=1), 60 * 60),
    "password_reset": (env_int("THROTTLE_RESETS_PER_ADDRESS", 10, minimum=1), 60 * 60),
    "password_reset_email": (env_int("THROTTLE_RESET_EMAILS_PER_RECIPIENT", 3, minimum=1), 3600),
}

# Self-assessment: a rating older than this many weeks counts as stale and is offered for
# reassessment (roadmap:reassess).
GAPMAP_STALE_WEEKS = env_int("GAPMAP_STALE_WEEKS", 4, minimum=1)

LANGUAGE_CODE = "en-gb"
# Dates read "3 Dec 2026" and "3 Dec 2026, 14:05" everywhere (|date with no argument, or
# "SHORT_DATE_FORMAT"/"DATETIME_FORMAT"): roadmap/formats/en_GB/formats.py says why they live
# there rather than in DATE_FORMAT here, which the locale would override.
FORMAT_MODULE_PATH = ["roadmap.formats"]
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail (Django 6.1's MAILERS): console in development; SMTP when EMAIL_HOST is set or DEBUG is
# false (production never drops mail on a console; without EMAIL_HOST it uses a local MTA);
# EMAIL_BACKEND overrides both (for example the file backend).
EMAIL_HOST = env_str("EMAIL_HOST", "")
_mail_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or not DEBUG
    else "django.core.mail.backends.console.EmailBackend",
)
if "." not in _mail_backend.strip("."):
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={_mail_backend!r} is not a dotted path to a Django e-mail backend "
        "(expected e.g. django.core.mail.backends.smtp.EmailBackend)"
    )
if EMAIL_HOST and ("/" in EMAIL_HOST or ":" in EMAIL_HOST or " " in EMAIL_HOST.strip()):
    raise ImproperlyConfigured(
        f"EMAIL_HOST={EMAIL_HOST!r} is not a host name (expected e.g. smtp.example.com; "
        "the port goes in EMAIL_PORT)"
    )
# Read (and checked) whichever backend is chosen, so a typo shows before the switch to SMTP.
_smtp_options = {
    "host": EMAIL_HOST or "localhost",
    "port": env_int("EMAIL_PORT", 587, minimum=1, maximum=65535),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", True),
    "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
}
_mail_options: dict = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = _smtp_options
elif _mail_backend.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "sent-mail"))}
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
del EMAIL_HOST, _smtp_options
DEFAULT_FROM_EMAIL = env_email_address("DEFAULT_FROM_EMAIL", "Gapmap <gapmap@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production (DEBUG=false) gets secure cookies and HSTS; `check --deploy` is clean.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe /health/ over plain HTTP on the node's own address.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
# How many reverse proxies in front of us append to X-Forwarded-For (accounts.throttling).
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_PROXY", False) else 0, minimum=0
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Celery. Without REDIS_URL the broker is kombu's filesystem transport under var/, so `make run`
# needs no server; with REDIS_URL set, Redis is the broker.
REDIS_URL = env_url("REDIS_URL", "", schemes=["redis", "rediss"], example="redis://host:6379/0")
CELERY_BROKER_DIR = VAR_DIR / "broker"
# A Redis that accepts connections and never answers must not hang anyone: connect and read
# timeouts on every Redis client, and a timeout is an error, not a silent retry. (A web request
# that enqueues uses tighter ones still: roadmap/services/deliveries.FAIL_FAST.)
REDIS_SOCKET_TIMEOUT = 5
REDIS_CONNECT_TIMEOUT = 2
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task's time limit, so acks_late tasks are not redelivered while running.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        "retry_on_timeout": False,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        # The worker's broadcast tables (kombu's default is ./control, in the checkout).
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_RETRY_ON_TIMEOUT = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
}

# The cohort dashboard's aggregates and the learner dashboard's rating history are cached under
# keys that name everything they depend on, so a stale entry is never read; CACHE_URL (a Redis
# URL) lets every web process share them.
CACHE_URL = env_url(
    "CACHE_URL", "", schemes=["redis", "rediss", "unix"], example="redis://host:6379/1"
)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that hangs costs a page at most this long (curriculum/cache.py).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The worker keeps settings.LOGGING (roadmap/celery.py connects setup_logging) instead of
# replacing the root logger's handlers with Celery's plain-text ones.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic schedules, in one place. Each entry says why it runs when it does.
CELERY_BEAT_SCHEDULE: dict = {
    # Reminders: every 15 minutes in UTC. Each learner's due time is computed in their own zone
    # (roadmap/lib/schedule.py); the Delivery table dedupes, so a repeated or late tick is harmless,
    # and each run also re-enqueues pending rows whose message Redis may have lost.
    "reminders-dispatch": {
        "task": "roadmap.tasks.reminders_dispatch_task",
        "schedule": 15 * 60,
        # An expired tick is dropped: the next one does the same work.
        "options": {"expires": 14 * 60},
    },
    # Resource links: weekly, Monday 04:00 UTC, when traffic is lowest. One request per distinct
    # URL with a short timeout, 8 at a time; results land on the Resource rows (admin filter
    # "link check"). A missed week is caught up by the next, so a late tick may expire.
    "resource-links-check": {
        "task": "curriculum.tasks.resource_links_check_task",
        "schedule": crontab(minute=0, hour=4, day_of_week="mon"),
        "options": {"expires": 24 * 60 * 60},
    },
    # Log-in records: once a day is enough for a retention counted in days; the task deletes by
    # age, so a missed or repeated run changes nothing.
    "axes-records-purge": {
        "task": "accounts.tasks.axes_records_purge_task",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 60 * 60},
    },
}
# Reminder sends: first retry after about this many seconds, doubling (capped at 10 minutes).
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 30, minimum=1)
# Tests only: slow every send down (milliseconds) so a worker can be killed mid-batch.
REMINDER_TEST_SEND_DELAY_MS = env_int("REMINDER_TEST_SEND_DELAY_MS", 0, minimum=0)

LOG_FORMAT = env_choice("LOG_FORMAT", "plain" if DEBUG else "json", ["plain", "json"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "roadmap.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", LOG_LEVELS)},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": env_choice("AXES_LOG_LEVEL", "WARNING", LOG_LEVELS)},
    },
}

if TESTING:
    # Property tests post many forms from one test client; tests/accounts/test_address_throttles.py
    # sets the production limits where it tests them.
    THROTTLES = {scope: (10_000, window) for scope, (_, window) in THROTTLES.items()}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

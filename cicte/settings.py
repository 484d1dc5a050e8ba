"""Settings of the CICTE Platform. They come from the environment only; see docs/operations.md."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cicte.env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("CICTE_VAR_DIR") or BASE_DIR / "var")

DEBUG = envbool("DEBUG", False)


def _development_secret_key() -> str:
    """A key generated once per checkout and kept in the git-ignored var/ folder."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env("SECRET_KEY") or ""
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated).")
else:
    SECRET_KEY = SECRET_KEY or _development_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]

# Secrets stored in the database (TOTP seeds, webhook secrets) are encrypted with these Fernet
# keys; the first encrypts, all decrypt, so keys can be rotated. Without it, a key is derived
# from SECRET_KEY (see cicte.core.crypto), which then must not change.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEY")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "axes",
    "csp",
    "django_htmx",
    "huey.contrib.djhuey",
    "cicte.core",
    "cicte.accounts",
    "cicte.directory",
    "cicte.intel",
    "cicte.advisories",
    "cicte.taxii",
    "cicte.hunts",
    "cicte.sources",
    "cicte.sanctions",
    "cicte.designations",
    "cicte.screening",
    "cicte.workplan",
    "cicte.messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cicte.core.middleware.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cicte.core.middleware.LoginRequiredMiddleware",
    "cicte.accounts.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cicte.urls"
WSGI_APPLICATION = "cicte.wsgi.application"
ASGI_APPLICATION = "cicte.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cicte" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cicte.core.context_processors.platform",
            ],
        },
    }
]

# --- Database: SQLite by default (WAL, busy timeout, immediate transactions so that the web
# server and the worker can write at once); PostgreSQL from DATABASE_URL in production.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "cicte.sqlite3"),
            # Persistent connections, as on PostgreSQL: opening one costs more than most
            # requests' statements (the file, WAL mode, the schema read again).
            "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
# The hottest reads (cicte.core.statements) run as prepared statements on PostgreSQL: turn off
# behind a connection pooler that cannot keep them (PgBouncer before 1.21 in transaction mode).
DATABASE_PREPARED_STATEMENTS = envbool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs: huey, on SQLite by default and on Redis in production.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "cicte",
        "immediate": False,
        "connection": {"url": REDIS_URL},
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "cicte",
        "immediate": False,
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- Accounts and authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cicte.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling and temporary lockout (django-axes): five failures for one username from one
# address lock that pair out for fifteen minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cicte.accounts.views.lockout_response"
AXES_IPWARE_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "CICTE Platform"
MFA_RECOVERY_CODE_COUNT = 10

# --- Internationalisation: the four official languages of the OAS.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "cicte" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: ours in cicte/static, third-party ones from node_modules (installed by npm).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or VAR_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "cicte" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
# Uploaded documents (designation notes verbales...) live here, outside any web root, and are
# served only through views that check who asks.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT") or VAR_DIR / "private")
MAX_UPLOAD_SIZE = envint("MAX_UPLOAD_SIZE", 10 * 1024 * 1024)

# --- Email: console in development, SMTP from the environment in production.
EMAIL_HOST = env("EMAIL_HOST") or ""
if EMAIL_HOST or not DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "CICTE Platform <no-reply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto (docs/operations.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the web processes directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cicte.accounts.api.authentication.TokenAuthentication",
        "cicte.accounts.api.authentication.BasicAuthentication",
        "cicte.accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "cicte.accounts.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_FILTER_BACKENDS": ["cicte.core.api.VisibleChoicesFilterBackend"],
    # JSON in and out; the browsable documentation is Swagger UI at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cicte.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CICTE Platform API",
    "DESCRIPTION": (
        "REST API of the CICTE Platform. Authenticate with a personal API token: "
        "`Authorization: Token <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field named "kind" with its own choices: one schema name each.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "cicte.accounts.choices.OrganizationKind",
        "ContactKindEnum": "cicte.directory.choices.ContactKind",
        "PhoneKindEnum": "cicte.directory.choices.PhoneKind",
        "EmailKindEnum": "cicte.directory.choices.EmailKind",
        "TLPEnum": "cicte.core.choices.TLP",
        "HuntValueKindEnum": "cicte.hunts.choices.ValueKind",
        "AdvisoryStatusEnum": "cicte.advisories.choices.AdvisoryStatus",
        "LanguageEnum": "cicte.accounts.choices.Language",
        "AdvisoryLanguageEnum": "cicte.advisories.choices.LANGUAGES",
        "SubjectKindEnum": "cicte.designations.choices.SubjectKind",
        "PartyKindEnum": ["person", "organization"],
        "EventKindEnum": "cicte.workplan.choices.EventKind",
        "IatiActivityStatusEnum": "cicte.workplan.choices.ActivityStatus",
        "AssistanceRequestStatusEnum": "cicte.workplan.choices.RequestStatus",
        "PartnerRoleEnum": "cicte.workplan.choices.PartnerRole",
        # The directory's, named as before the work plan's partner roles came.
        "RoleEnum": "cicte.directory.choices.DesignationRole",
        "MessageKindEnum": "cicte.messaging.choices.MessageKind",
        "SendableMessageKindEnum": ["alert", "rfi", "notice"],
        "EscalationLevelEnum": "cicte.messaging.choices.EscalationLevel",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "INFO"},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Configured here, so that `run_huey` does not add a second handler of its own.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Where the demo keeps its generated password (git-ignored).
DEMO_PASSWORD_FILE = VAR_DIR / "demo-password"

# The platform's public address, for links in emails sent by background jobs.
BASE_URL = (env("BASE_URL") or "http://127.0.0.1:8000").rstrip("/")

# How long the link of an email-address verification mail stays valid (cicte.accounts).
ACCOUNTS_EMAIL_VERIFY_HOURS = envint("ACCOUNTS_EMAIL_VERIFY_HOURS", 48)

# The shared secret with which the mail system signs its reports of undeliverable addresses to
# /directory/checks/bounces/ (HMAC-SHA256, see docs/operations.md); unset, the endpoint answers 503.
DIRECTORY_BOUNCE_SECRET = env("DIRECTORY_BOUNCE_SECRET") or ""

# Outgoing webhooks (cicte/core/webhooks.py): plain http and private or loopback targets are
# refused unless allowed (development allows them); retry delays in seconds, comma-separated.
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", DEBUG)
WEBHOOK_ALLOW_PRIVATE_TARGETS = envbool("WEBHOOK_ALLOW_PRIVATE_TARGETS", DEBUG)
WEBHOOK_RETRY_DELAYS = tuple(
    int(seconds) for seconds in envlist("WEBHOOK_RETRY_DELAYS", "60,300,1800,7200,21600,43200")
)

# --- TAXII 2.1 (cicte.taxii): the largest POST an API root takes, the page sizes (a request's
# limit is capped at the maximum), how long a `next` token stays valid, and the contact that
# discovery names.
TAXII_MAX_CONTENT_LENGTH = envint("TAXII_MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
TAXII_PAGE_SIZE = envint("TAXII_PAGE_SIZE", 100)
TAXII_MAX_PAGE_SIZE = envint("TAXII_MAX_PAGE_SIZE", 1000)
TAXII_NEXT_MAX_AGE = envint("TAXII_NEXT_MAX_AGE", 24 * 60 * 60)
TAXII_CONTACT = env("TAXII_CONTACT") or ""

# --- Remote sources (cicte.sources): TAXII 2.1 collections and MISP feeds polled on a schedule.
# Each HTTP request's timeout (seconds); plain http and private or loopback hosts are refused
# unless allowed (development allows them); how much one poll reads at most (the rest is read
# at the next tick of the schedule).
SOURCES_HTTP_TIMEOUT = envint("SOURCES_HTTP_TIMEOUT", 30)
SOURCES_ALLOW_HTTP = envbool("SOURCES_ALLOW_HTTP", DEBUG)
SOURCES_ALLOW_PRIVATE_TARGETS = envbool("SOURCES_ALLOW_PRIVATE_TARGETS", DEBUG)
SOURCES_MAX_OBJECTS_PER_POLL = envint("SOURCES_MAX_OBJECTS_PER_POLL", 10_000)
SOURCES_MAX_EVENTS_PER_POLL = envint("SOURCES_MAX_EVENTS_PER_POLL", 100)

# --- MISP pages (/intel/misp/): the largest upload (a MISP JSON file, or a zip of a feed whose
# files together may not exceed it once uncompressed either), and whether a feed address may
# name a private, loopback or link-local host (refused in production: server-side request
# forgery; development and tests allow it).
MISP_MAX_UPLOAD_BYTES = envint("MISP_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
MISP_FEED_ALLOW_PRIVATE_TARGETS = envbool("MISP_FEED_ALLOW_PRIVATE_TARGETS", DEBUG)

# --- Retro-hunt (cicte.hunts): the largest upload in bytes (as sent: a gzip file counts
# compressed), how many days an upload is kept after its job finished (the results stay), how
# many matches of one job are kept as rows, and how many jobs one person may have waiting or
# running at once.
HUNT_MAX_UPLOAD_BYTES = envint("HUNT_MAX_UPLOAD_BYTES", 1024 * 1024 * 1024)
HUNT_KEEP_UPLOAD_DAYS = envint("HUNT_KEEP_UPLOAD_DAYS", 7)
HUNT_MAX_STORED_MATCHES = envint("HUNT_MAX_STORED_MATCHES", 1_000_000)
HUNT_MAX_ACTIVE_JOBS = envint("HUNT_MAX_ACTIVE_JOBS", 3)

# --- Sanctions lists (cicte.sanctions): where the scheduled fetch reads each official list (an
# empty URL turns that list's fetch off), whether and how often it runs (every N hours, at
# minute 17), and each HTTP request's timeout in seconds.
_OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
SANCTIONS_SOURCES = {
    "un": {
        "xml": env(
            "SANCTIONS_UN_URL", "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
        ),
    },
    "ofac": {
        "sdn": env("SANCTIONS_OFAC_SDN_URL", f"{_OFAC_EXPORTS}/SDN.CSV"),
        "alt": env("SANCTIONS_OFAC_ALT_URL", f"{_OFAC_EXPORTS}/ALT.CSV"),
        "add": env("SANCTIONS_OFAC_ADD_URL", f"{_OFAC_EXPORTS}/ADD.CSV"),
        "comments": env("SANCTIONS_OFAC_COMMENTS_URL", f"{_OFAC_EXPORTS}/SDN_COMMENTS.CSV"),
    },
}
SANCTIONS_FETCH_ENABLED = envbool("SANCTIONS_FETCH_ENABLED", True)
SANCTIONS_FETCH_EVERY_HOURS = envint("SANCTIONS_FETCH_EVERY_HOURS", 1)
SANCTIONS_HTTP_TIMEOUT = envint("SANCTIONS_HTTP_TIMEOUT", 60)
SANCTIONS_MAX_DOWNLOAD_BYTES = envint("SANCTIONS_MAX_DOWNLOAD_BYTES", 200 * 1024 * 1024)

# --- Batch screening (cicte.screening): the largest customer file in bytes and rows, how many
# days a file is kept after its job finished (the hits stay), and how many jobs one person may
# have waiting or running at once.
SCREENING_MAX_UPLOAD_BYTES = envint("SCREENING_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
SCREENING_MAX_ROWS = envint("SCREENING_MAX_ROWS", 1_000_000)
SCREENING_KEEP_UPLOAD_DAYS = envint("SCREENING_KEEP_UPLOAD_DAYS", 7)
SCREENING_MAX_ACTIVE_JOBS = envint("SCREENING_MAX_ACTIVE_JOBS", 3)
# A batch screening of at least SCREENING_PARALLEL_ROWS rows is shared out to this many processes
# of the screening pool (each with a copy of the lists' index); 1 screens in the worker's thread.
SCREENING_PROCESSES = envint("SCREENING_PROCESSES", min(4, os.cpu_count() or 1))
SCREENING_PARALLEL_ROWS = envint("SCREENING_PARALLEL_ROWS", 50_000)
# How many changed entries a list-change notification carries: listed in the email (the rest
# behind a link to the version's page), and in the webhook (the rest behind the API's diff).
SANCTIONS_NOTIFY_EMAIL_CHANGES = envint("SANCTIONS_NOTIFY_EMAIL_CHANGES", 50)
SANCTIONS_NOTIFY_WEBHOOK_CHANGES = envint("SANCTIONS_NOTIFY_WEBHOOK_CHANGES", 500)

# --- Work plan participants (cicte.workplan.people_import): the largest participant list file
# (CSV or XLSX) and the most rows it may have; beyond either the import is refused, unread.
WORKPLAN_IMPORT_MAX_BYTES = envint("WORKPLAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
WORKPLAN_IMPORT_MAX_ROWS = envint("WORKPLAN_IMPORT_MAX_ROWS", 5000)
# Requests for assistance (cicte.workplan.services.close_request): a delivered request on which
# the state gives no feedback within this many days may be closed with the reason "no feedback".
WORKPLAN_FEEDBACK_DAYS = envint("WORKPLAN_FEEDBACK_DAYS", 60)

# --- Work plan outputs (cicte.workplan.iati): the IATI organisation identifier and name of the
# reporting organisation in the IATI activity export. The default is a placeholder: replace it
# with the OAS's registered IATI organisation identifier before publishing to the IATI Registry.
WORKPLAN_IATI_REPORTING_ORG = env("WORKPLAN_IATI_REPORTING_ORG") or "XM-OCHA-OAS-CICTE"
WORKPLAN_IATI_REPORTING_ORG_NAME = env("WORKPLAN_IATI_REPORTING_ORG_NAME") or (
    "Organization of American States, Secretariat of the Inter-American Committee against Terrorism"
)

# --- Secure exchange (cicte.messaging): an immediate message not acknowledged by a state within
# this many minutes goes to the state's alternates and 24/7 contacts, and as long again later to
# the Secretariat's duty officers (and this mailbox, if set); the largest attachment in bytes.
EXCHANGE_ESCALATE_AFTER_MINUTES = envint("EXCHANGE_ESCALATE_AFTER_MINUTES", 30)
EXCHANGE_DUTY_EMAIL = env("EXCHANGE_DUTY_EMAIL") or ""
EXCHANGE_MAX_ATTACHMENT_BYTES = envint("EXCHANGE_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)

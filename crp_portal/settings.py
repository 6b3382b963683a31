"""One settings module for every environment: deploys differ by environment variables, not code.

With nothing set, a laptop gets SQLite under var/ and Celery tasks run inline. Production and CI
set DATABASE_URL and REDIS_URL (see .env.example).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional local file; real environment variables win

DEBUG = env.bool("DEBUG", default=False)
# `check --deploy` rejects this placeholder (security.W009), so it can never reach production.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, as its docs ask: it patches the models' fields for translation.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "nested_admin",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "crp_portal.apps.CrpPortalConfig",
    "plans",
    "objectives",
    "interventions",
    "funding",
    "partners",
    "notifications",
    "public_pages",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "crp_portal.api_language.ApiLanguageMiddleware",  # ?lang= / Accept-Language for /api/
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL in an admin filter, search or id is a 400, not a database error (issue 11).
    "crp_portal.admin_input.AdminQueryGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records who made each change (history rows take request.user).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes documents: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out client is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "crp_portal.urls"
WSGI_APPLICATION = "crp_portal.wsgi.application"

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
            ],
        },
    },
]

(BASE_DIR / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a web process's database connection between requests: opening one costs PostgreSQL a new
# backend process per request, more than most API answers take (issue 14, bench/api.py). The
# health check replaces a connection the server closed instead of failing the next request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The public pages' languages (issue #15, item 5), each named in itself for the switcher;
# English is the default and its URLs carry no prefix (/plans/…; /fr/plans/… for French).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Plan content and catalog names in each language (django-modeltranslation; the fields are
# listed in each app's translation.py). English is the text every plan has: the other languages
# fall back to it, and the pages and the API say so (plans/translated.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
# ISO dates and 24-hour times in English, in the admin as on the pages (crp_portal/formats).
FORMAT_MODULE_PATH = ["crp_portal.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (a plan's documents). Never served from a public folder: the documents view
# checks the plan is visible to the reader and sends the file as a download (issue #15, item 1).
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=30 * 1024 * 1024)


def _documents_storage() -> dict:
    """Local files under MEDIA_ROOT/documents by default; with DOCUMENTS_STORAGE=s3, an
    S3-compatible bucket through django-storages (private objects, signed links that expire)."""
    if env("DOCUMENTS_STORAGE", default="local") != "s3":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            # Served by public_pages.document_views.document_file, which checks who may read.
            "OPTIONS": {"location": MEDIA_ROOT / "documents", "base_url": "/documents/files/"},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env("DOCUMENTS_S3_ENDPOINT_URL", default=None),
            "region_name": env("DOCUMENTS_S3_REGION", default=None),
            "access_key": env("DOCUMENTS_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("DOCUMENTS_S3_SECRET_ACCESS_KEY", default=None),
            "location": env("DOCUMENTS_S3_PREFIX", default="documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _documents_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis: the Celery broker and the shared cache. Empty means "one machine": tasks inline,
# cache in process memory.
REDIS_URL = env("REDIS_URL", default="")

# Mail (workflow notifications): the console by default; SMTP e.g. EMAIL_URL=smtp+tls://user:pw@host:587
# (django-environ's email_url). SITE_URL makes the links in e-mails absolute.
# Only what the URL gives: Django's defaults stand for the rest (EMAIL_PORT 25 and so on).
globals().update(
    {k: v for k, v in env.email_url("EMAIL_URL", default="consolemail://").items() if v}
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CRP Portal <noreply@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no broker: tasks run inline (local dev, quick tests)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # safe only because every task is idempotent (STYLE §6)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# A save must never hang when Redis is down: fail fast, the plan stays dirty for the sweep.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A task taken by a worker that is then killed (kill -9, OOM, lost machine) stays unacked in
# Redis until the visibility timeout; any live worker then puts it back on the queue (scanning
# every unacked_restore_interval seconds, at startup too), so it is redone within ~35 s. A task
# still running after 30 s may be delivered twice: harmless, every task is idempotent (STYLE §6),
# and recomputes of one plan take its row lock in turn. ETA countdowns (2 s, 5 s) stay far below.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "max_retries": 0,
    "visibility_timeout": 30,
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
}
# A worker that loses the broker keeps trying to reconnect, never gives up (its supervisor,
# deploy/systemd/, restarts it if it exits anyway): the first connection too.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tasks running when the connection drops cannot be acknowledged on the new one: cancel them, so
# they are redelivered and redone rather than finishing unacknowledged (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE: dict = {
    # Every minute: recompute plans left dirty (queue was down, worker killed) and stale groups.
    "sweep-dirty-plans": {
        "task": "funding.tasks.sweep_dirty_plans",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},  # a sweep not started within the minute is replaced
    },
    # Every 5 minutes: workflow e-mails whose enqueue was lost (broker down) go out late, not never.
    "sweep-unsent-transition-emails": {
        "task": "notifications.tasks.sweep_unsent_transition_emails",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
    # 02:30 UTC daily: recompute every rollup and record each stored difference (admin, log).
    "audit-rollups": {
        "task": "funding.tasks.audit_rollups",
        "schedule": crontab(hour=2, minute=30),
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "crp",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "crp_portal.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crp_portal.api.permissions.ReadOrAuthenticatedWrite"],
    "DEFAULT_THROTTLE_CLASSES": [
        "crp_portal.api.throttling.AnonThrottle",
        "crp_portal.api.throttling.PartnerThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "crp_portal.api.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "crp_portal.api.pagination.StableOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "crp_portal.api.renderers.JSONRenderer",
        "crp_portal.api.renderers.CSVRenderer",
        "crp_portal.api.renderers.HXLRenderer",
    ],
    "EXCEPTION_HANDLER": "crp_portal.api.errors.exception_handler",
    # JSON only, with size and depth limits (a 400, never a RecursionError). Form and multipart
    # bodies cannot carry nested requirements or null, and a schema offering them made generated
    # clients send multipart (issue 14): any other body is a 415 naming the type.
    "DEFAULT_PARSER_CLASSES": ["crp_portal.api.parsers.JSONParser"],
    # Trust X-Forwarded-For from this many proxies (0: the peer address; clients cannot spoof it).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
# Anonymous JSON reads of the API answered from the shared cache until data changes
# (crp_portal/pagecache.py). Off: every read is rendered from the database (bench/api.py).
API_ANSWER_CACHE = env.bool("API_ANSWER_CACHE", default=True)
# Requests per client: anonymous by IP, partners by account (API token or session). Read at
# request time, so tests and load benchmarks can change them; an empty value means no limit.
API_THROTTLE_RATES = {
    "anon": env("API_THROTTLE_ANON", default="120/min") or None,
    "partner": env("API_THROTTLE_PARTNER", default="1200/min") or None,
}
# The IATI export (issue 14, item 5): the reporting organisation's IATI identifier (each
# activity's identifier is it + "-" + the plan's slug), its name and its IATI OrganisationType
# code (40: multilateral). The defaults are for the demo: set the organisation's real ones.
IATI_REPORTING_ORG_REF = env("IATI_REPORTING_ORG_REF", default="XI-IATI-CRPDEMO")
# Our organisation's id in OCHA's Financial Tracking Service: `import_fts` records the flows
# whose destination it is (IOM's is 2986).
FTS_ORGANIZATION_ID = env.int("FTS_ORGANIZATION_ID", default=2986)
IATI_REPORTING_ORG_NAME = env("IATI_REPORTING_ORG_NAME", default="CRP Portal demo organisation")
IATI_REPORTING_ORG_TYPE = env("IATI_REPORTING_ORG_TYPE", default="40")
SPECTACULAR_SETTINGS = {
    "TITLE": "CRP Portal API",
    # The docs' introduction page: auth, tokens, ETag/If-Match, limits, formats, sync.
    "DESCRIPTION": (BASE_DIR / "docs" / "api-introduction.md").read_text(encoding="utf-8"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "plans.models.Plan.Status",
        "PlanKindEnum": "plans.models.Plan.Kind",
        "IndicatorKindEnum": "plans.models.ContextIndicator.Kind",
        "ContributionStatusEnum": "funding.models.Contribution.Status",
        "DonorKindEnum": "funding.models.Donor.Kind",
        "DeletionKindEnum": "partners.models.Deletion.Kind",
    },
}

LOGIN_URL = "admin:login"

# --- Hardening (issue 6). Everything below is on in production (DEBUG off) and env-controlled.
# Behind the proxy (nginx / load balancer) TLS ends there; it says so in X-Forwarded-Proto.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# /healthz is probed by the load balancer over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# An editor's session lasts a working day (8 h), whatever the activity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# Content Security Policy (django-csp 4): only our own origin. Inline scripts are refused except
# those carrying the per-response nonce; Swagger UI's page is relaxed per view (crp_portal.csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # Inline scripts run only with this response's nonce ({{ request.csp_nonce }}).
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Sign-in attempt limiting (django-axes): after AXES_FAILURE_LIMIT failures for one username from
# one address, that pair is locked out for AXES_COOLOFF_TIME hours. Every sign-in is recorded
# (axes' AccessLog, shown in the admin).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Number of reverse proxies in front of the app that append to X-Forwarded-For. 0 = none: the
# client is REMOTE_ADDR and a forged X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "crp_portal.security.client_ip"
AXES_VERBOSE = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Inline (eager) tasks would print a success line into every command's output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

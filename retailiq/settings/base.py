"""Settings shared by every environment.

Configuration comes only from environment variables, read through django-environ.
Nothing here carries a secret or a permissive default: `dev` supplies embedded
defaults, `production` demands every value.
"""

import datetime as dt
from pathlib import Path

from retailiq.core.env import env

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

DEBUG = env.bool("DEBUG", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tables2",
    "django_prometheus",
    "axes",
    # Shared domain
    "retailiq.core",
    "retailiq.web",
    "retailiq.accounts",
    "retailiq.catalog",
    "retailiq.retailers",
    "retailiq.inventory",
    "retailiq.orders",
    "retailiq.rollups",
    "retailiq.events",
    "retailiq.registry",
    "retailiq.imports",
    "retailiq.dashboards",
    "retailiq.demo",
    # Capabilities
    "forecasting",
    "reorder",
    "recommendations",
    "optimization",
    "insights",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "retailiq.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # A page that meets a database, cache or broker outage answers 503 naming the service, not the 500 page.
    "retailiq.web.outages.ServiceUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (retailiq.web.csp): scripts only from the site itself. Styles also
# allow inline: plotly.js and htmx inject <style> elements, and Swagger UI's page styles its link
# back to the app inline. Pictures: ours, and data: URIs (the favicon, Swagger's icons).
RETAILIQ_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Sign-in lockout (django-axes): after RETAILIQ_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for RETAILIQ_LOGIN_COOLOFF_MINUTES; a
# successful sign-in resets the count. Axes' backend checks first, then Django's own.
AUTHENTICATION_BACKENDS = ["retailiq.accounts.backends.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("RETAILIQ_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("RETAILIQ_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "retailiq.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# API tokens expire after this many days (0: never); a password change replaces the user's token.
RETAILIQ_API_TOKEN_MAX_AGE_DAYS = env.int("RETAILIQ_API_TOKEN_MAX_AGE_DAYS", default=90)
# A good token and its user are remembered this long (retailiq/accounts/token_cache.py); 0: looked up every call.
RETAILIQ_API_TOKEN_CACHE_SECONDS = env.int("RETAILIQ_API_TOKEN_CACHE_SECONDS", default=30)

ROOT_URLCONF = "retailiq.urls"
WSGI_APPLICATION = "retailiq.wsgi.application"

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
                "retailiq.core.context_processors.platform",
                "retailiq.dashboards.navigation.navigation",
            ],
            # Ids go into URLs, form values and HTMX targets: `|unlocalize` keeps 4725 from becoming "4,725".
            "builtins": ["django.templatetags.l10n"],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "retailiq.core.staticfinders.PackagedFileFinder",  # plotly.js from the plotly package
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The marketplace trades in one currency; pages format every amount with it.
RETAILIQ_CURRENCY = env.str("RETAILIQ_CURRENCY", default="INR")
RETAILIQ_CURRENCY_SYMBOL = env.str("RETAILIQ_CURRENCY_SYMBOL", default="₹")

# The most rows one API page returns, whatever `limit` asks for.
RETAILIQ_API_MAX_PAGE_SIZE = env.int("RETAILIQ_API_MAX_PAGE_SIZE", default=500)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "retailiq.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "retailiq.api.filters.BoundedFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "retailiq.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "retailiq.api.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "retailiq.api.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "retailiq.api.exception_handler.api_exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    # Every endpoint is throttled; training and deploying have their own, tighter scope.
    "DEFAULT_THROTTLE_CLASSES": ["retailiq.api.throttling.RateLimits"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("RETAILIQ_API_RATE_ANON", default="120/min"),
        "user": env.str("RETAILIQ_API_RATE_USER", default="1200/min"),
        "model_admin": env.str("RETAILIQ_API_RATE_MODEL_ADMIN", default="60/hour"),
        "predict": env.str("RETAILIQ_API_RATE_PREDICT", default="600/min"),
        "bad_token": env.str("RETAILIQ_API_RATE_BAD_TOKEN", default="10/min"),
    },
    "ALLOWED_VERSIONS": ["v1"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "RetailIQ API",
    "DESCRIPTION": "Retail intelligence for B2B marketplaces: catalog, orders, inventory and model outputs, "
    "scoped to the calling user's role.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: the broker is chosen by the environment (see dev/production).
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# At-least-once delivery: a task whose worker dies is redelivered, never silently lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "*.train_*": {"queue": "training"},
}
# CELERY_BEAT_SCHEDULE is built by the Celery app from the registered capabilities (retailiq/registry/schedules.py).
# Longer than the longest task, so Redis does not hand a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 60 * 60}
CELERY_RESULT_EXPIRES = 24 * 60 * 60

# Model lifecycle
RETAILIQ_JOB_HEARTBEAT_SECONDS = env.float("RETAILIQ_JOB_HEARTBEAT_SECONDS", default=15.0)
RETAILIQ_JOB_STALE_AFTER_SECONDS = env.float("RETAILIQ_JOB_STALE_AFTER_SECONDS", default=120.0)
RETAILIQ_SCORING_CHUNK_SIZE = env.int("RETAILIQ_SCORING_CHUNK_SIZE", default=250)
RETAILIQ_SERVING_STATE_TTL = env.int("RETAILIQ_SERVING_STATE_TTL", default=300)
RETAILIQ_PREDICTION_CACHE_TTL = env.int("RETAILIQ_PREDICTION_CACHE_TTL", default=6 * 60 * 60)
# Single-flight for on-demand predictions (registry.services.serving): how long the first caller holds the
# lock (a crashed worker's lock expires by itself) and how long the others wait for its answer before computing.
RETAILIQ_PREDICTION_LOCK_SECONDS = env.int("RETAILIQ_PREDICTION_LOCK_SECONDS", default=60)
RETAILIQ_PREDICTION_WAIT_SECONDS = env.float("RETAILIQ_PREDICTION_WAIT_SECONDS", default=20.0)
RETAILIQ_MONITOR_DAYS = env.int("RETAILIQ_MONITOR_DAYS", default=90)
RETAILIQ_DRIFT_PSI_WARNING = env.float("RETAILIQ_DRIFT_PSI_WARNING", default=0.2)
# A capability reads its own settings (its app's conf.py) through the same reader.
# Extra modules that register capability adapters when the app starts (plugins).
RETAILIQ_ADAPTER_MODULES = env.list("RETAILIQ_ADAPTER_MODULES", default=[])
# When set, /api/v1/metrics also answers `Authorization: Bearer <token>` (for Prometheus).
RETAILIQ_METRICS_TOKEN = env.str("RETAILIQ_METRICS_TOKEN", default="")
# Deep health checks (database, cache, broker, a worker's answer) are for this bearer token or
# staff, and are remembered this many seconds; anyone may ask whether the process is alive.
RETAILIQ_HEALTH_TOKEN = env.str("RETAILIQ_HEALTH_TOKEN", default="")
RETAILIQ_HEALTH_CACHE_SECONDS = env.int("RETAILIQ_HEALTH_CACHE_SECONDS", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors_brief": {"()": "retailiq.core.logging.ClientErrorWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_errors_brief"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG) would print each record a second time beside the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Sales-history imports. Django sets no upload size limit of its own, so the importer
# counts bytes while the upload streams in and stops at this one.
RETAILIQ_IMPORT_MAX_BYTES = env.int("RETAILIQ_IMPORT_MAX_BYTES", default=512 * 1024 * 1024)
RETAILIQ_IMPORT_MAX_LINES = env.int("RETAILIQ_IMPORT_MAX_LINES", default=5_000_000)
RETAILIQ_IMPORT_CHUNK_LINES = env.int("RETAILIQ_IMPORT_CHUNK_LINES", default=100_000)
# A small gzip can hold gigabytes: the reader counts decompressed bytes, and the bytes of
# each line, while it streams, and stops past these.
RETAILIQ_IMPORT_MAX_DECOMPRESSED_BYTES = env.int("RETAILIQ_IMPORT_MAX_DECOMPRESSED_BYTES", default=2 * 1024**3)
RETAILIQ_IMPORT_MAX_LINE_BYTES = env.int("RETAILIQ_IMPORT_MAX_LINE_BYTES", default=64 * 1024)
# Order dates outside [earliest, today + tolerance] are errors naming line and column; the
# tolerance covers a file written in a time zone ahead of the marketplace's.
RETAILIQ_IMPORT_EARLIEST_DATE = env.str("RETAILIQ_IMPORT_EARLIEST_DATE", default="1990-01-01")
RETAILIQ_FUTURE_TOLERANCE_DAYS = env.int("RETAILIQ_FUTURE_TOLERANCE_DAYS", default=1)
# An upload nobody maps within this many days expires: it is marked rejected and its stored file removed.
RETAILIQ_IMPORT_UNMAPPED_DAYS = env.int("RETAILIQ_IMPORT_UNMAPPED_DAYS", default=7)
# PostgreSQL merges of large imports (retailiq/imports/services/bulk.py): order lines whose references were
# verified and locked set-based skip the per-row foreign-key triggers when the role may (superuser, or
# GRANT SET ON PARAMETER session_replication_role); and a batch of at least MIN_ROWS into a table holding no
# more than TABLE_RATIO times as many rows builds the table's plain indexes afresh instead of row by row.
RETAILIQ_IMPORT_SKIP_ROW_TRIGGERS = env.bool("RETAILIQ_IMPORT_SKIP_ROW_TRIGGERS", default=True)
RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS = env.int("RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS", default=100_000)
RETAILIQ_IMPORT_REBUILD_INDEXES_TABLE_RATIO = env.float("RETAILIQ_IMPORT_REBUILD_INDEXES_TABLE_RATIO", default=2.0)

"""Settings shared by every environment.

Configuration comes only from environment variables, read through django-environ.
Nothing here carries a secret or a permissive default: `dev` supplies embedded
defaults, `production` demands every value.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

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
    # Shared domain
    "retailiq.core",
    "retailiq.web",
    "retailiq.accounts",
    "retailiq.catalog",
    "retailiq.retailers",
    "retailiq.inventory",
    "retailiq.orders",
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
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "retailiq.api.exception_handler.api_exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    # Every endpoint is throttled; training and deploying have their own, tighter scope.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("RETAILIQ_API_RATE_ANON", default="120/min"),
        "user": env.str("RETAILIQ_API_RATE_USER", default="1200/min"),
        "model_admin": env.str("RETAILIQ_API_RATE_MODEL_ADMIN", default="60/hour"),
        "predict": env.str("RETAILIQ_API_RATE_PREDICT", default="600/min"),
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
RETAILIQ_MONITOR_DAYS = env.int("RETAILIQ_MONITOR_DAYS", default=90)
RETAILIQ_DRIFT_PSI_WARNING = env.float("RETAILIQ_DRIFT_PSI_WARNING", default=0.2)
# Demand forecasting: the ensemble's members, the LSTM's training epochs, the history a
# training run reads and the backtest origins its weights and intervals are fitted on.
RETAILIQ_FORECAST_MEMBERS = env.str(
    "RETAILIQ_FORECAST_MEMBERS", default="seasonal_naive,moving_average,intermittent,lightgbm,cnn_lstm"
)
RETAILIQ_FORECAST_LSTM_EPOCHS = env.int("RETAILIQ_FORECAST_LSTM_EPOCHS", default=8)
RETAILIQ_FORECAST_LGBM_ROUNDS = env.int("RETAILIQ_FORECAST_LGBM_ROUNDS", default=300)
RETAILIQ_FORECAST_HISTORY_DAYS = env.int("RETAILIQ_FORECAST_HISTORY_DAYS", default=730)
RETAILIQ_FORECAST_BACKTEST_ORIGINS = env.int("RETAILIQ_FORECAST_BACKTEST_ORIGINS", default=3)
RETAILIQ_FORECAST_REFIT = env.bool("RETAILIQ_FORECAST_REFIT", default=True)
# Nightly forecasts reach four weeks ahead: the pages show the next four weeks.
RETAILIQ_FORECAST_SCORING_HORIZON_DAYS = env.int("RETAILIQ_FORECAST_SCORING_HORIZON_DAYS", default=28)
# Reorder prediction: the horizons every model answers (days), the one call lists rank by,
# how many shops a rep can call in a day, the history a training or scoring run reads, and
# which shops are scored (an order within the active window). Scoring chunks are large
# because pair features compare a shop with every other (product popularity, segment).
RETAILIQ_REORDER_HORIZONS = tuple(env.list("RETAILIQ_REORDER_HORIZONS", cast=int, default=[7, 14, 30]))
RETAILIQ_REORDER_DEFAULT_HORIZON = env.int("RETAILIQ_REORDER_DEFAULT_HORIZON", default=14)
RETAILIQ_REORDER_CALLS_PER_DAY = env.int("RETAILIQ_REORDER_CALLS_PER_DAY", default=20)
RETAILIQ_REORDER_HISTORY_DAYS = env.int("RETAILIQ_REORDER_HISTORY_DAYS", default=730)
RETAILIQ_REORDER_ACTIVE_DAYS = env.int("RETAILIQ_REORDER_ACTIVE_DAYS", default=365)
RETAILIQ_REORDER_SCORING_CHUNK_SIZE = env.int("RETAILIQ_REORDER_SCORING_CHUNK_SIZE", default=100_000)
# Training parameters a run uses unless it names its own, as NAME=VALUE pairs separated by commas, list
# items by semicolons: "members=lightgbm;ffn,epochs=3" (scripts/demo.sh sets this so `make demo` trains
# quickly). Empty means the ML side's own defaults (the full ensemble).
RETAILIQ_REORDER_TRAIN_PARAMS = env.dict("RETAILIQ_REORDER_TRAIN_PARAMS", default={})
# Extra modules that register capability adapters when the app starts (plugins).
RETAILIQ_ADAPTER_MODULES = env.list("RETAILIQ_ADAPTER_MODULES", default=[])
# When set, /api/v1/metrics also answers `Authorization: Bearer <token>` (for Prometheus).
RETAILIQ_METRICS_TOKEN = env.str("RETAILIQ_METRICS_TOKEN", default="")

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
    },
}

# Sales-history imports. Django sets no upload size limit of its own, so the importer
# counts bytes while the upload streams in and stops at this one.
RETAILIQ_IMPORT_MAX_BYTES = env.int("RETAILIQ_IMPORT_MAX_BYTES", default=512 * 1024 * 1024)
RETAILIQ_IMPORT_MAX_LINES = env.int("RETAILIQ_IMPORT_MAX_LINES", default=5_000_000)
RETAILIQ_IMPORT_CHUNK_LINES = env.int("RETAILIQ_IMPORT_CHUNK_LINES", default=100_000)

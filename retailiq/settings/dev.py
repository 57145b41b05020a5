"""Embedded defaults: runs on one machine with nothing else installed.

SQLite file, a filesystem Celery broker under var/ with a worker that `make demo`
starts, and the local-memory cache. Any variable that production uses may still be
set to point at real services (DATABASE_URL, REDIS_URL).
"""

from .base import *
from .base import STATIC_ROOT, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
# Only meaningful on a developer's machine; production refuses to start without its own.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

VAR_DIR.mkdir(exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve static files straight from the source folders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'retailiq.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {"default": {"BACKEND": "retailiq.core.cache_backend.ReusedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    broker_dir = VAR_DIR / "celery" / "broker"
    results_dir = VAR_DIR / "celery" / "results"
    for folder in (broker_dir, results_dir):
        folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker_dir),
        "data_folder_out": str(broker_dir),
        # Otherwise kombu writes its broadcast exchanges to ./control in the working directory.
        "control_folder": str(broker_dir.parent / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default: a second's delay on every task.
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = f"file://{results_dir}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

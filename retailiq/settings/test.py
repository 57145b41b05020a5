"""Test settings: the embedded defaults, made fast and deterministic.

`make test` points DATABASE_URL and REDIS_URL at PostgreSQL and Redis when they are
reachable (always in CI); without them the suite runs on SQLite.
"""

from .dev import *
from .dev import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-retailiq.sqlite3")}
CELERY_TASK_ALWAYS_EAGER = False

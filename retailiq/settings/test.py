"""Test settings: the embedded defaults, made fast and deterministic.

`make test` points DATABASE_URL and REDIS_URL at PostgreSQL and Redis when they are
reachable (always in CI); without them the suite runs on SQLite.
"""

import os

from .dev import *
from .dev import CELERY_BROKER_URL, DATABASES, VAR_DIR

# Lets several test runs share one checkout without sharing a test database or broker.
_RUN_SUFFIX = os.environ.get("RETAILIQ_TEST_RUN_SUFFIX", "")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A test that starts a worker process shares uploaded files with it through a folder.
if os.environ.get("RETAILIQ_TEST_MEDIA_ROOT"):
    MEDIA_ROOT = os.environ["RETAILIQ_TEST_MEDIA_ROOT"]
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-retailiq{_RUN_SUFFIX}.sqlite3")}
elif _RUN_SUFFIX:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{_RUN_SUFFIX}"}
CELERY_TASK_ALWAYS_EAGER = False
# Tests train the ensemble on tiny histories; the LSTM has its own tests, kept small.
# Forecasting reads these from the environment (forecasting/conf.py), as would a worker
# process a test starts.
os.environ.setdefault("RETAILIQ_FORECAST_MEMBERS", "seasonal_naive,moving_average,lightgbm")
os.environ.update(
    RETAILIQ_FORECAST_LSTM_EPOCHS="1",
    RETAILIQ_FORECAST_LGBM_ROUNDS="40",
    RETAILIQ_FORECAST_SCORING_HORIZON_DAYS="14",
    # Training in worker processes has its own tests (tests/forecasting/test_ml_workers.py).
    RETAILIQ_FORECAST_TRAINING_PROCESSES="1",
)
if CELERY_BROKER_URL == "filesystem://":
    # Apart from a `make demo` worker that may be running on the same checkout.
    _broker_dir = VAR_DIR / f"test-celery{_RUN_SUFFIX}" / "broker"
    _results_dir = VAR_DIR / f"test-celery{_RUN_SUFFIX}" / "results"
    for _folder in (_broker_dir, _results_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir.parent / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default: a second's delay on every task.
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = f"file://{_results_dir}"

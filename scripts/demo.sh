#!/usr/bin/env bash
# `make demo`: set everything up on embedded defaults and run RetailIQ with its worker.
# SQLite file and a filesystem Celery broker under var/, unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-retailiq.settings.dev}"
# TensorFlow's start-up notices (oneDNN, absl) are for developers, not for someone starting the demo; the
# worker inherits this too, and TensorFlow reads it only before its first import.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
# Users see the site's own 403/404/500 pages, not Django's debug pages; DEBUG=1 make demo for those.
export DEBUG="${DEBUG:-false}"
PORT="${PORT:-8000}"
PY=.venv/bin/python
mkdir -p var/log

$PY manage.py migrate --noinput
# With DEBUG off the pages reference hashed static files, served by WhiteNoise from the collected folder.
$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py generate_demo_data --if-empty --size "${DEMO_SIZE:-demo}"
# Models for every built capability, with a few weeks of scored history so live
# accuracy and drift have something to show on the first visit.
# Reorder trains LightGBM and the feed-forward net for a few epochs on fewer cutoffs here, so the first start
# stays within a couple of minutes; set RETAILIQ_REORDER_TRAIN_PARAMS to train otherwise (empty: the full
# ensemble with the LSTM, as the nightly retraining does when the variable is unset in production).
export RETAILIQ_REORDER_TRAIN_PARAMS="${RETAILIQ_REORDER_TRAIN_PARAMS-members=lightgbm;ffn,epochs=3,n_cutoffs=6,max_train_rows=150000}"
# Stockout risk cuts the ledger fortnightly and grows fewer trees here (the nightly retraining uses
# optimization/conf.py's defaults), so its first training takes seconds.
export RETAILIQ_OPTIMIZATION_STEP_DAYS="${RETAILIQ_OPTIMIZATION_STEP_DAYS-14}"
export RETAILIQ_OPTIMIZATION_N_ESTIMATORS="${RETAILIQ_OPTIMIZATION_N_ESTIMATORS-80}"
$PY manage.py train_models --if-missing --backfill-weeks 4

# The worker runs beside the web server exactly as in production, with beat inside it
# for the scheduled retraining, scoring and monitoring; stop it when we stop.
.venv/bin/celery -A retailiq worker --queues default,training --concurrency 2 --loglevel INFO \
  --beat --schedule var/celery/beat-schedule \
  > var/log/worker.log 2>&1 &
WORKER_PID=$!
trap 'kill $WORKER_PID 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  RetailIQ is running at http://127.0.0.1:${PORT}/
  Sign in with any of these demo logins (password: retailiq-demo):
    admin      admin, sees everything, Django admin at /admin/
    analyst    analyst, the whole marketplace
    retailer   a kirana shop (retailer2: another shop)
    vendor     a vendor (vendor2: another vendor)
    rep        a sales rep and the retailers assigned to them
  API docs: http://127.0.0.1:${PORT}/api/docs/   Worker log: var/log/worker.log
  Press Ctrl-C to stop.

MSG
$PY manage.py runserver "0.0.0.0:${PORT}" --noreload

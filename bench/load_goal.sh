#!/usr/bin/env bash
# The load goal's figure, re-runnable on a quiet machine: starts gunicorn with the recommended settings (those of
# the Dockerfile) against $DATABASE_URL and $REDIS_URL, primes the caches, runs bench/load.py with wrk at 50 users
# and prints its table, then stops gunicorn. Extra arguments go to bench/load.py (e.g. --only "call list").
#
#   DATABASE_URL=postgres://... REDIS_URL=redis://.../11 MEDIA_ROOT=/path/to/media bench/load_goal.sh
#
# Variables: PORT (8765), USERS (50), SECONDS_COUNTED (20), WARMUP (5), and the server's shape WORKERS (3),
# WORKER_CLASS (gthread), THREADS (4). The throttles are raised above the offered load, as in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the database to measure}"
: "${REDIS_URL:?set REDIS_URL (a Redis database of its own: the bench writes sessions and cache entries)}"
PORT="${PORT:-8765}"
USERS="${USERS:-50}"
SECONDS_COUNTED="${SECONDS_COUNTED:-20}"
WARMUP="${WARMUP:-5}"
WORKERS="${WORKERS:-3}"
WORKER_CLASS="${WORKER_CLASS:-gthread}"
THREADS="${THREADS:-4}"
export OMP_NUM_THREADS=1 DJANGO_SETTINGS_MODULE=retailiq.settings.production
export SECRET_KEY="${SECRET_KEY:-load-bench-only}" ALLOWED_HOSTS=127.0.0.1,localhost,testserver
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false
export RETAILIQ_API_RATE_USER=1000000/min RETAILIQ_API_RATE_PREDICT=1000000/min

command -v wrk >/dev/null || echo "wrk is not installed: bench/load.py falls back to its thread engine" >&2
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn retailiq.wsgi:application --bind "127.0.0.1:$PORT" --timeout 60 \
  --workers "$WORKERS" --worker-class "$WORKER_CLASS" --threads "$THREADS" --log-level warning &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if .venv/bin/python -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; then break; fi
  sleep 1
done
echo "gunicorn: $WORKERS x $WORKER_CLASS ($THREADS threads) on port $PORT; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# One request per call fills the caches (a first demand prediction computes the forecast).
.venv/bin/python bench/load.py --url "http://127.0.0.1:$PORT" --engine threads --users 1 --seconds 2 --warmup 0 \
  --no-mixed >/dev/null
.venv/bin/python bench/load.py --url "http://127.0.0.1:$PORT" --users "$USERS" --seconds "$SECONDS_COUNTED" \
  --warmup "$WARMUP" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

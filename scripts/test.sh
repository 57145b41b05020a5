#!/usr/bin/env bash
# `make test`: the whole test suite. It runs on PostgreSQL and Redis when they answer
# (always in CI, where their absence is an error), then once more on the embedded
# SQLite defaults, that time without the tests that ask for no database (they would give
# the same answer twice). Browser tests drive Debian's Chromium, installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/retailiq}"
REDIS_TEST_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's Chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "Could not install chromium" >&2
  fi
fi

pg_up() { .venv/bin/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr); sys.exit(1)
PY
}
redis_up() { .venv/bin/python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" "$REDIS_TEST_URL" 2>/dev/null; }

status=0
embedded_marks="not browser and not services"
if pg_up && redis_up; then
  echo "== Test suite on PostgreSQL and Redis"
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_TEST_URL" .venv/bin/pytest "$@" || status=$?
  # Tests that ask for no database (pure ML, file reading, charts) gave their answer above.
  embedded_marks="$embedded_marks and not no_database"
elif [ -n "${CI:-}" ]; then
  echo "CI is set but PostgreSQL ($PG_URL) or Redis ($REDIS_TEST_URL) is unreachable; .ci/run starts them." >&2
  exit 1
else
  echo "!! PostgreSQL or Redis is unreachable: running on the embedded defaults only." >&2
fi

echo "== Test suite on the embedded defaults (SQLite, filesystem broker)"
env -u DATABASE_URL -u REDIS_URL RETAILIQ_TEST_SQLITE=1 .venv/bin/pytest -m "$embedded_marks" "$@" || status=$?
exit $status

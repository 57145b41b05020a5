"""What one request of each `bench/load.py` call costs inside Django, warm: milliseconds (median of `--repeat`) of
wall and of this process's CPU (the wall time waits on PostgreSQL, Redis and a busy machine's other work), SQL queries and cache round trips per request, and with `--profile NAME` a cProfile of that call's requests
(top functions by cumulative time). In-process through Django's test client, so no network or gunicorn: the
figures are the server's own work per request, the part that bounds requests/s on a small machine.

    DJANGO_SETTINGS_MODULE=retailiq.settings.production SECRET_KEY=... ALLOWED_HOSTS=testserver \\
      SECURE_SSL_REDIRECT=false RETAILIQ_API_RATE_USER=1000000/min \\
      .venv/bin/python bench/request_profile.py [--repeat 50] [--only NAME ...] [--profile NAME]

It prints figures; it asserts nothing. It signs the demo logins in as `bench/load.py` does (tokens and sessions
written to the database named by DATABASE_URL)."""

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import load  # noqa: E402  (bench/load.py: the same calls and sign-in)


class CacheCounter:
    """Counts calls of the cache's public methods (each one a round trip to Redis)."""

    METHODS = ("get", "set", "add", "delete", "get_many", "set_many", "incr", "touch", "has_key")

    def __init__(self, cache) -> None:
        self.count = 0
        for name in self.METHODS:
            original = getattr(cache, name)
            setattr(cache, name, self._counted(original))

    def _counted(self, method):
        def counted(*args, **kwargs):
            self.count += 1
            return method(*args, **kwargs)

        return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--profile", help="a call name (substring): print its cProfile")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    every = load.calls()
    chosen = [c for c in every if not args.only or any(o in c.name for o in args.only)]
    creds = load.credentials({c.login for c in every})
    counter = CacheCounter(cache)
    client = Client()
    print(f"{'call':26} {'ms p50':>8} {'ms p95':>8} {'cpu ms':>8} {'queries':>8} {'cache ops':>9}")
    for call in chosen:
        headers = {"HTTP_ACCEPT": "application/json" if call.kind == "api" else "text/html"}
        if call.kind == "api":
            headers["HTTP_AUTHORIZATION"] = f"Token {creds[call.login]['token']}"
        else:
            client.cookies.load(creds[call.login]["cookie"])

        def send(call=call, headers=headers):
            if call.method == "POST":
                return client.post(call.path, json.dumps(call.body), content_type="application/json", **headers)
            return client.get(call.path, **headers)

        for _ in range(3):  # warm: caches filled, connections open
            response = send()
            assert response.status_code == 200, (call.name, response.status_code, response.content[:300])
        times, cpu, queries, cache_ops = [], [], [], []
        profiler = cProfile.Profile() if args.profile and args.profile in call.name else None
        for _ in range(args.repeat):
            before = counter.count
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                send()
                if profiler:
                    profiler.disable()
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            queries.append(len(captured.captured_queries))
            cache_ops.append(counter.count - before)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{call.name:26} {statistics.median(times):8.2f} {p95:8.2f} {statistics.median(cpu):8.2f} "
            f"{statistics.median(queries):8.0f} "
            f"{statistics.median(cache_ops):9.0f}"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(45)
            print(out.getvalue())
            with CaptureQueriesContext(connection) as captured:
                send()
            for query in captured.captured_queries:
                print(f"  {query['time']}s  {query['sql'][:220]}")


if __name__ == "__main__":
    main()

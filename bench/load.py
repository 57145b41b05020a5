"""Sustained load against a running RetailIQ (gunicorn + PostgreSQL + Redis): requests per second and
p50/p95/p99 latency for the rep's call list, the sales-lines API, a demand prediction and three pages, each at
`--users` concurrent users, then all of them mixed. Every answer must be a 200; any other status or a broken
connection counts as an error and is printed.

Two engines drive the load, both closed-loop (a user sends its next request as soon as the previous answer is
read, so the figures are the server's sustained throughput at that concurrency, not at a fixed arrival rate):

- `--engine wrk` (the default when `wrk` is on the path): wrk with `--users` keep-alive connections on
  `--wrk-threads` threads (2), a Lua script per call that sets the token header or the session cookie and counts
  every answer that is not a 200; latency percentiles are wrk's own. wrk is written in C and uses a small share
  of a core, so on a small machine the server keeps most of the CPU. The mixed run cycles through the calls
  on every connection and reports its totals (wrk keeps one latency histogram per run). wrk's own CPU time is
  printed (`wrk cpu`: cores it kept busy on average).
- `--engine threads`: Python threads with one keep-alive HTTP/1.1 connection each (standard library only), per
  call figures in the mixed run too. On a 2-core machine its 50 threads take about a core from the server,
  so it understates what the server does; kept for machines without wrk.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8765 [--users 50] [--seconds 20] [--only NAME ...]
        [--engine wrk|threads]

Callers are the demo logins (`rep`, `vendor`, `retailer`): the script signs them in itself through the same
database (DATABASE_URL), with an API token and a session each, so no login form or its rate limit is involved.
Run it with the server's settings module and SECRET_KEY (a session is signed with it). The server needs a user
throttle above the offered load (RETAILIQ_API_RATE_USER); docs/benchmarks.md has the full command lines. It
prints figures; it asserts nothing.
"""

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    login: str
    kind: str  # "api": token header; "page": session cookie
    body: dict | None = None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


def credentials(logins: set[str]) -> dict[str, dict[str, str]]:
    """An API token and a signed-in session per demo login, written straight to the database."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from rest_framework.authtoken.models import Token

    store = import_module(settings.SESSION_ENGINE).SessionStore
    found = {}
    for login in sorted(logins):
        user = get_user_model().objects.get(username=login)
        token, _ = Token.objects.get_or_create(user=user)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        found[login] = {"token": token.key, "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
    return found


def demand_product_id() -> int:
    """One of the `vendor` login's products with sales, so the prediction has a history to read."""
    from retailiq.catalog.models import Product

    product = Product.objects.filter(vendor__users__username="vendor", order_lines__isnull=False).order_by("pk")
    return product.values_list("pk", flat=True).first()


def calls() -> list[Call]:
    return [
        Call("call list (API)", "GET", "/api/v1/reorder/call-list", "rep", "api"),
        Call("sales lines (API)", "GET", "/api/v1/sales-lines/?limit=50", "vendor", "api"),
        Call(
            "demand prediction (API)",
            "POST",
            "/api/v1/predictions/demand",
            "vendor",
            "api",
            {"product_id": demand_product_id(), "horizon": 14},
        ),
        Call("vendor home (page)", "GET", "/vendor/", "vendor", "page"),
        Call("rep call list (page)", "GET", "/rep/calls/", "rep", "page"),
        Call("retailer home (page)", "GET", "/retailer/", "retailer", "page"),
    ]


def _request(conn: http.client.HTTPConnection, call: Call, creds: dict[str, str]) -> int:
    headers = {"Host": "127.0.0.1", "Accept": "application/json" if call.kind == "api" else "text/html"}
    if call.kind == "api":
        headers["Authorization"] = f"Token {creds['token']}"
    else:
        headers["Cookie"] = creds["cookie"]
    body = None
    if call.body is not None:
        body = json.dumps(call.body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(call.method, call.path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def user_loop(url, mix: list[Call], creds, stop: threading.Event, tallies: dict[str, Tally], offset: int) -> None:
    host = urlsplit(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    i = offset
    while not stop.is_set():
        call = mix[i % len(mix)]
        i += 1
        started = time.perf_counter()
        try:
            status = _request(conn, call, creds[call.login])
            outcome = None if status == 200 else f"HTTP {status}"
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
            conn.close()
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        elapsed = time.perf_counter() - started
        tally = tallies[call.name]
        if outcome is None:
            tally.latencies.append(elapsed)
        else:
            tally.errors[outcome] = tally.errors.get(outcome, 0) + 1
    conn.close()


def run(url: str, mix: list[Call], creds, *, users: int, seconds: float, warmup: float) -> tuple[dict, float]:
    """`users` threads for warmup + seconds; what is counted is the last `seconds` only."""
    stop = threading.Event()
    tallies = {call.name: Tally() for call in mix}
    threads = [
        threading.Thread(target=user_loop, args=(url, mix, creds, stop, tallies, n), daemon=True) for n in range(users)
    ]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    for tally in tallies.values():  # list.clear is atomic under the GIL; a racing append is one request
        tally.latencies.clear()
        tally.errors.clear()
    started = time.perf_counter()
    time.sleep(seconds)
    measured = time.perf_counter() - started
    snapshot = {name: Tally(list(t.latencies), dict(t.errors)) for name, t in tallies.items()}
    stop.set()
    for thread in threads:
        thread.join(timeout=35)
    return snapshot, measured


# --- the wrk engine -------------------------------------------------------------------------------------------

WRK_SCRIPT = """
local requests = {%(requests)s}
local n = 0
bad = 0
bad_kinds = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n = math.random(#requests)
end

function request()
  n = n + 1
  return requests[(n %% #requests) + 1]
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    local kind = "HTTP " .. status
    bad_kinds[kind] = (bad_kinds[kind] or 0) + 1
  end
end

function done(summary, latency, requests)
  local errors, kinds = 0, {}
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
    for kind, count in pairs(thread:get("bad_kinds")) do
      kinds[#kinds + 1] = string.format('["%%s", %%d]', kind, count)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
      .. '"non_200": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "kinds": [%%s]}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors, e.connect, e.read, e.write, e.timeout, table.concat(kinds, ", ")))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string for this ASCII text


def wrk_script(mix: list[Call], creds: dict[str, dict[str, str]]) -> str:
    """The Lua script: one prepared request per call (token header or session cookie), cycled per request."""
    prepared = []
    for call in mix:
        headers = {"Accept": "application/json" if call.kind == "api" else "text/html"}
        if call.kind == "api":
            headers["Authorization"] = f"Token {creds[call.login]['token']}"
        else:
            headers["Cookie"] = creds[call.login]["cookie"]
        body = "nil"
        if call.body is not None:
            headers["Content-Type"] = "application/json"
            body = _lua_string(json.dumps(call.body))
        fields = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        prepared.append(f"wrk.format({_lua_string(call.method)}, {_lua_string(call.path)}, {{{fields}}}, {body})")
    return WRK_SCRIPT % {"requests": ", ".join(prepared)}


def _wrk(url: str, script: str, *, users: int, threads: int, seconds: float) -> tuple[dict, float]:
    """One wrk run; its parsed result and the CPU seconds wrk used."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command = [
            "wrk",
            f"--threads={min(threads, users)}",
            f"--connections={users}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=60s",
            f"--script={handle.name}",
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        os.unlink(handle.name)
    found = re.search(r"^WRK-RESULT (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not found:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(found.group(1)), cpu


def run_wrk(url: str, mix: list[Call], creds, *, users: int, seconds: float, warmup: float, threads: int) -> dict:
    """A warm-up run (discarded), then the counted one. A row: requests/s of every answer, percentiles over all of
    them, and as errors every answer that is not a 200 and every socket error (connect, read, write, timeout)."""
    script = wrk_script(mix, creds)
    if warmup >= 1:
        _wrk(url, script, users=users, threads=threads, seconds=warmup)
    result, cpu = _wrk(url, script, users=users, threads=threads, seconds=seconds)
    measured = result["duration_us"] / 1e6
    kinds: dict[str, int] = {}
    for kind, count in result["kinds"]:  # one pair per wrk thread and status
        kinds[kind] = kinds.get(kind, 0) + count
    for socket_error in ("connect", "read", "write", "timeout"):
        if result[socket_error]:
            kinds[f"socket {socket_error}"] = result[socket_error]
    return {
        "call": mix[0].name if len(mix) == 1 else "all",
        "requests": result["requests"],
        "rps": result["requests"] / measured,
        "p50_ms": result["p50_us"] / 1000,
        "p95_ms": result["p95_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "wrk_cpu_cores": cpu / measured,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(title: str, tallies: dict[str, Tally], seconds: float) -> list[dict]:
    rows = []
    for name, tally in tallies.items():
        ms = [v * 1000 for v in tally.latencies]
        rows.append(
            {
                "scenario": title,
                "call": name,
                "requests": len(ms),
                "rps": len(ms) / seconds,
                "p50_ms": statistics.median(ms) if ms else float("nan"),
                "p95_ms": percentile(ms, 0.95),
                "p99_ms": percentile(ms, 0.99),
                "errors": sum(tally.errors.values()),
                "error_kinds": tally.errors,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--only", nargs="*", help="call names (substring match); default: all, then mixed")
    parser.add_argument("--no-mixed", action="store_true")
    parser.add_argument("--engine", choices=["wrk", "threads"], default="wrk" if shutil.which("wrk") else "threads")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk's threads (the connections are spread)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    every = calls()
    chosen = [c for c in every if not args.only or any(o in c.name for o in args.only)]
    creds = credentials({c.login for c in every})
    rows = []
    if args.engine == "wrk":
        options = {"users": args.users, "seconds": args.seconds, "warmup": args.warmup, "threads": args.wrk_threads}
        for call in chosen:
            rows.append({"scenario": "alone", **run_wrk(args.url, [call], creds, **options)})
        if not args.no_mixed and len(chosen) > 1:
            rows.append({"scenario": "mixed", **run_wrk(args.url, chosen, creds, **options)})
    else:
        rows = run_threads(args, chosen, creds)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"{args.users} users, {args.seconds:.0f} s measured after {args.warmup:.0f} s warm-up, against {args.url}, "
        f"engine {args.engine}"
    )
    print(
        f"{'scenario':8} {'call':26} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'wrk cpu':>7} errors"
    )
    for r in rows:
        wrk_cpu = f"{r['wrk_cpu_cores']:7.2f}" if "wrk_cpu_cores" in r else f"{'':7}"
        print(
            f"{r['scenario']:8} {r['call']:26} {r['requests']:8d} {r['rps']:8.1f} {r['p50_ms']:8.1f} "
            f"{r['p95_ms']:8.1f} {r['p99_ms']:8.1f} {wrk_cpu} {r['errors']} {r['error_kinds'] or ''}"
        )


def run_threads(args, chosen: list[Call], creds) -> list[dict]:
    """The standard-library engine: per-call rows, and per-call rows of the mixed run with its total."""
    rows = []
    for call in chosen:
        tallies, seconds = run(args.url, [call], creds, users=args.users, seconds=args.seconds, warmup=args.warmup)
        rows += report("alone", tallies, seconds)
    if not args.no_mixed and len(chosen) > 1:
        tallies, seconds = run(args.url, chosen, creds, users=args.users, seconds=args.seconds, warmup=args.warmup)
        rows += report("mixed", tallies, seconds)
        mixed = [r for r in rows if r["scenario"] == "mixed"]
        rows.append(
            {
                "scenario": "mixed",
                "call": "all",
                "requests": sum(r["requests"] for r in mixed),
                "rps": sum(r["rps"] for r in mixed),
                "p50_ms": float("nan"),
                "p95_ms": float("nan"),
                "p99_ms": float("nan"),
                "errors": sum(r["errors"] for r in mixed),
                "error_kinds": {},
            }
        )
    return rows


if __name__ == "__main__":
    main()

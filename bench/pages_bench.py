"""Server-side render time of every role's pages, in-process through Django's test client.

Each demo login (retailer, retailer2, vendor, vendor2, rep, analyst) is signed in with
`force_login` and requests its pages. Every page is requested twice untimed (warm-up:
imports, template loading, caches), then `--repeat` times timed: from handing the request
to Django until the full response body is there, so middleware, session, views, queries
and templates count, and the network and the browser do not. The second warm-up request
runs under CaptureQueriesContext to count queries and their database time; the timed ones
do not, so capturing adds nothing to them.

Besides the full pages it requests what the pages themselves offer, found in the HTML of
the first warm-up: each table region's first sort link and a filter (with the headers HTMX
sends, HX-Request and HX-Target), each table's CSV export, and the vendor demand page's
HTMX fragment and a CSV download. A page rewritten to carry new tables is covered
without changing this script. The script prints figures; it asserts nothing.

With `--cold` the cache is cleared before every request (warm-ups, the counted one and the
timed ones), as after a new order moves the cache's data version: what a page costs when
nothing is cached. The clearing is not timed.

    .venv/bin/python bench/pages_bench.py [--repeat 30] [--cold] [--only PATH ...] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/retailiq_pages_bench \\
        .venv/bin/python bench/pages_bench.py --load --size large

It measures whatever DATABASE_URL points at (the dev default is the SQLite file under
var/), with DEBUG off. It loads nothing unless `--load` is given: then it creates the
PostgreSQL database named in DATABASE_URL when it is missing, migrates it and replaces
its marketplace with the `--size` demo (`generate_demo_data --reset`, about 90 s for
`large` on PostgreSQL). Caches stay warm between requests, as on a running server.
"""

import argparse
import html
import json
import math
import os
import re
import socket
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")

GOAL_MS = 300.0
WARMUP = 2
# (path, login): every role's own pages; the second retailer and vendor show another shop's size.
PAGES: list[tuple[str, str]] = [
    ("/retailer/", "retailer"),
    ("/retailer/", "retailer2"),
    ("/vendor/", "vendor"),
    ("/vendor/", "vendor2"),
    ("/vendor/demand/", "vendor"),
    ("/rep/", "rep"),
    ("/analyst/", "analyst"),
    ("/analyst/models/", "analyst"),
]
PROTECTED_DATABASES = {"retailiq", "postgres", "template0", "template1"}


@dataclass
class Target:
    """One request to time: a path with its query, the login, and any HTMX headers."""

    path: str
    login: str
    kind: str = "page"  # page, htmx, csv
    htmx_target: str = ""

    @property
    def label(self) -> str:
        return f"{self.path} [{self.kind}{':' + self.htmx_target if self.htmx_target else ''}]"

    def headers(self) -> dict[str, str]:
        if not self.htmx_target:
            return {}
        return {"HX-Request": "true", "HX-Target": self.htmx_target, "HX-Current-URL": "http://testserver" + self.path}


@dataclass
class Row:
    page: str
    role: str
    kind: str
    status: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    queries: int
    db_ms: float
    slowest_query_ms: float
    bytes: int
    timings_ms: list[float] = field(default_factory=list)

    @property
    def over_goal(self) -> bool:
        return self.p95_ms > GOAL_MS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--load", action="store_true", help="create, migrate and load the demo data first")
    parser.add_argument("--size", default="large", help="demo data size for --load (default large)")
    parser.add_argument("--only", nargs="+", default=[], help="only pages whose path starts with one of these")
    parser.add_argument(
        "--discover",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the table sorts, filters, exports and fragments the pages link to (default on)",
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    parser.add_argument(
        "--cold", action="store_true", help="clear the cache before every request (nothing cached, as after a write)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


# Database -------------------------------------------------------------------


def database_description() -> str:
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return f"postgresql {connection.pg_version // 10000} {db.get('HOST') or 'local'}:{db.get('PORT') or 5432}/{db['NAME']}"
    return f"{connection.vendor} {db['NAME']}"


def ensure_database_exists() -> None:
    """With --load on PostgreSQL, create the named database when it is missing."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    name = db["NAME"]
    if name in PROTECTED_DATABASES or name.startswith("test_"):
        raise SystemExit(f"Refusing to load demo data into the database '{name}': point DATABASE_URL at a bench one.")
    import psycopg
    from psycopg import sql

    conninfo = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None}
    if db.get("PASSWORD"):
        conninfo["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"Creating database {name} ...", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def load(size: str) -> None:
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and Path(str(db["NAME"])).name == "retailiq.sqlite3":
        raise SystemExit("Refusing to replace the dev database var/retailiq.sqlite3: set DATABASE_URL.")
    ensure_database_exists()
    print("Migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    print(f"Loading the '{size}' demo data (replaces what is there; takes a while) ...", flush=True)
    started = time.perf_counter()
    call_command("generate_demo_data", size=size, reset=True)
    print(f"  loaded in {time.perf_counter() - started:.0f}s", flush=True)


def users_by_login(logins: set[str]) -> dict:
    from retailiq.accounts.models import User

    users = {user.username: user for user in User.objects.filter(username__in=logins)}
    missing = sorted(logins - set(users))
    if missing:
        raise SystemExit(
            f"No demo login(s) {', '.join(missing)} in this database. Load the demo data first: "
            "manage.py generate_demo_data --size large, or run this script with --load."
        )
    return users


# Discovery ------------------------------------------------------------------

REGION = re.compile(r'<div class="table-region" id="(?P<id>table-[^"]+)">')
SORT_LINK = re.compile(r'<th scope="col"[^>]*>\s*<a href="(?P<href>[^"]+)" hx-get="[^"]+" hx-target="#(?P<id>[^"]+)"')
EXPORT_LINK = re.compile(r'<a [^>]*href="(?P<href>[^"]*(?:export=csv|/export/[^"]+\.csv)[^"]*)"')
FILTER_FORM = re.compile(r'<form class="filters"[^>]*hx-target="#(?P<id>[^"]+)"[^>]*>(?P<body>.*?)</form>', re.S)
SELECT = re.compile(r'<select name="(?P<name>[^"]+)"[^>]*>(?P<options>.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(?P<value>[^"]+)"')


def _absolute(page_path: str, href: str) -> str:
    href = html.unescape(href)
    if href.startswith("?"):
        return page_path.split("?")[0] + href
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def discover(page: Target, body: str) -> list[Target]:
    """The HTMX table requests, filters and exports a rendered page links to (one of each per table)."""
    found: list[Target] = []
    for region in REGION.finditer(body):
        region_id = region["id"]
        sort = next((m for m in SORT_LINK.finditer(body) if m["id"] == region_id), None)
        if sort:
            found.append(Target(_absolute(page.path, sort["href"]), page.login, "htmx", region_id))
        form = next((m for m in FILTER_FORM.finditer(body) if m["id"] == region_id), None)
        select = SELECT.search(form["body"]) if form else None
        option = OPTION.search(select["options"]) if select else None
        if option:
            query = urlencode({select["name"]: html.unescape(option["value"])})
            found.append(Target(f"{page.path.split('?')[0]}?{query}", page.login, "htmx", region_id))
    seen: set[str] = set()
    for export in EXPORT_LINK.finditer(body):
        path = _absolute(page.path, export["href"])
        key = urlsplit(path).path + "|" + ",".join(sorted(k for k, v in parse_qsl(urlsplit(path).query) if v == "csv"))
        if key not in seen:
            seen.add(key)
            found.append(Target(path, page.login, "csv"))
    if 'hx-target="#demand-detail"' in body:
        found.append(Target(page.path.split("?")[0] + "?by=week", page.login, "htmx", "demand-detail"))
    return found


# Measuring ------------------------------------------------------------------


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def request_once(client, target: Target, cold: bool = False) -> tuple[float, int, int]:
    """Milliseconds from request to the full body, the status and the body's size."""
    if cold:
        from django.core.cache import cache

        cache.clear()
    started = time.perf_counter()
    response = client.get(target.path, headers=target.headers())
    size = len(_body(response))
    return (time.perf_counter() - started) * 1000, response.status_code, size


def measure(client, target: Target, repeat: int, cold: bool = False) -> tuple[Row, str]:
    """Warm up, count queries on the second warm-up, then time `repeat` requests."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cold:
        cache.clear()
    first = client.get(target.path, headers=target.headers())
    first_body = _body(first).decode("utf-8", errors="replace")
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as capture:
        request_once(client, target)
    # A copy: the context reads the connection's log lazily, and the next request empties it.
    queries = list(capture.captured_queries)
    query_ms = [float(q.get("time") or 0) * 1000 for q in queries]
    timings, status, size = [], first.status_code, 0
    for _ in range(repeat):
        ms, status, size = request_once(client, target, cold)
        timings.append(ms)
    ordered = sorted(timings)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank
    row = Row(
        page=target.label,
        role=target.login,
        kind=target.kind,
        status=status,
        p50_ms=statistics.median(timings),
        p95_ms=p95,
        max_ms=max(timings),
        queries=len(queries),
        db_ms=sum(query_ms),
        slowest_query_ms=max(query_ms, default=0.0),
        bytes=size,
        timings_ms=[round(ms, 2) for ms in timings],
    )
    return row, first_body


def run(
    *, repeat: int, only: list[str] | None = None, discover_more: bool = True, progress=None, cold: bool = False
) -> list[Row]:
    """Time every page in PAGES (those starting with one of `only`) and what they link to.
    The core of the script, callable from a test once Django is set up."""
    from django.test import Client

    pages = [(path, login) for path, login in PAGES if not only or any(path.startswith(p) for p in only)]
    users = users_by_login({login for _, login in pages})
    rows: list[Row] = []
    for path, login in pages:
        client = Client()
        client.force_login(users[login])
        queue = [Target(path, login)]
        while queue:
            target = queue.pop(0)
            row, body = measure(client, target, repeat, cold)
            rows.append(row)
            if progress:
                progress(row)
            if discover_more and target.kind == "page" and row.status == 200:
                queue.extend(discover(target, body))
    return rows


# Report ---------------------------------------------------------------------


def describe_setup(args: argparse.Namespace) -> None:
    import subprocess

    import django
    from django.conf import settings

    commit = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split("\n")
    if any(line.strip() for line in changed):
        commit += f" (+ uncommitted changes to {sum(1 for line in changed if line.strip())} tracked file(s))"
    from retailiq.orders.models import Order, OrderLine

    print("Page render benchmark (server-side, django.test.Client in-process)")
    print(f"  host      {socket.gethostname()}, {os.cpu_count()} CPUs")
    print(f"  python    {sys.version.split()[0]}, Django {django.get_version()}, DEBUG={settings.DEBUG}")
    print(
        f"  database  {database_description()}, {Order.objects.count():,} orders, {OrderLine.objects.count():,} lines"
    )
    print(f"  cache     {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")
    print(f"  commit    {commit}")
    print(f"  timing    {WARMUP} warm-up requests per page, then {args.repeat} timed; goal p95 < {GOAL_MS:.0f} ms")
    print(f"  caching   {'cleared before every request (--cold)' if args.cold else 'kept warm between requests'}")


def print_table(rows: list[Row]) -> None:
    headers = ["page", "role", "status", "p50 ms", "p95 ms", "max ms", "queries", "db ms", "bytes", ""]
    cells = [
        [
            row.page,
            row.role,
            str(row.status),
            f"{row.p50_ms:.1f}",
            f"{row.p95_ms:.1f}",
            f"{row.max_ms:.1f}",
            str(row.queries),
            f"{row.db_ms:.1f}",
            f"{row.bytes:,}",
            "OVER" if row.over_goal else "",
        ]
        for row in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    left = {0, 1}
    print()
    line = "  ".join(
        h.ljust(w) if i in left else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    print(line.rstrip())
    print("  ".join("-" * w for w in widths))
    for c in cells:
        line = "  ".join(
            x.ljust(w) if i in left else x.rjust(w) for i, (x, w) in enumerate(zip(c, widths, strict=True))
        )
        print(line.rstrip())
    over = [row for row in rows if row.over_goal]
    print(
        f"\n{len(rows) - len(over)} of {len(rows)} requests meet p95 < {GOAL_MS:.0f} ms."
        "\nqueries, db ms: one warm request under CaptureQueriesContext; the timed requests run without it."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["DEBUG"] = "false"  # before settings load: dev defaults to DEBUG on
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # With DEBUG off the manifest storage wants collectstatic's manifest; production looks
    # names up in it (a dict lookup), so plain static URLs cost the same here.
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(
        DEBUG=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
    ).enable()
    out = sys.stderr if args.json else sys.stdout
    print(f"DATABASE_URL: {os.environ.get('DATABASE_URL', '(unset: dev default)')}", file=out, flush=True)
    if args.load:
        load(args.size)
    if args.json:
        rows = run(repeat=args.repeat, only=args.only, discover_more=args.discover, cold=args.cold)
        json.dump({"database": database_description(), "rows": [asdict(row) for row in rows]}, sys.stdout, indent=2)
        print()
        return 0
    describe_setup(args)

    def progress(row: Row) -> None:
        print(f"  {row.page} as {row.role}: p95 {row.p95_ms:.0f} ms, {row.queries} queries", flush=True)

    rows = run(repeat=args.repeat, only=args.only, discover_more=args.discover, progress=progress, cold=args.cold)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

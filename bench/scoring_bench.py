"""Batch-scoring wall time against the number of Celery worker processes.

For each worker count a real `celery worker` (prefork pool) is started on the
`default` queue, one untimed warm-up job is scored, then `--repeat` forecasting
scoring jobs are run one after another. Each is timed from creating the job row
(the planning task is sent when that transaction commits) until the row says it
has finished. The script prints figures; it asserts nothing.

    .venv/bin/python bench/scoring_bench.py [--size demo] [--workers 1 2] [--chunk-size 50]
                                            [--horizon 90] [--repeat 3] [--load]
                                            [--capability reorder --chunk-size 100]

It measures whatever DATABASE_URL and REDIS_URL point at (the dev defaults are the
SQLite file and the filesystem broker under var/). Scoring writes forecasts for the
active forecasting version, as a scheduled scoring run would, and leaves its job rows.
Stop any other worker on the `default` queue first: it would take part of the work.
With `--capability reorder` the entities are shops (`--chunk-size` shops per chunk) and
the rows are reorder predictions; the job's planner computes the marketplace-wide
features once, and each chunk reads only its own shops' history.

The defaults (383 demo products, 90-day horizon, 50 products per chunk: 8 chunks of
about 0.8 s of work each) make one job take several seconds on a 2-core machine and
split evenly over 1, 2 or 4 processes. Read the `busy` column before the speed-up:
on SQLite the two workers take turns holding the write lock while they upsert, so the
speed-up is smaller there than on PostgreSQL.
"""

import argparse
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")

CAPABILITY = "forecasting"  # or reorder, from --capability
POLL_SECONDS = 0.05


@dataclass
class Run:
    seconds: float
    chunks: int
    rows_written: int
    forecasts: int
    chunk_seconds: float  # summed over the chunks, from claiming each to marking it done


@dataclass
class Result:
    workers: int
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def busy(self) -> float:
        """Share of the worker processes' wall time spent inside chunk tasks (best run)."""
        run = min(self.runs, key=lambda r: r.seconds)
        return run.chunk_seconds / (run.seconds * self.workers)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", default="demo", help="demo data size to load with --load, or to name in the hint (default demo)"
    )
    parser.add_argument("--load", action="store_true", help="migrate and load demo data when the database is empty")
    parser.add_argument("--capability", choices=["forecasting", "reorder"], default="forecasting", help="what to score")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="worker process counts to compare (default 1 2)"
    )
    parser.add_argument("--chunk-size", type=int, default=50, help="products per chunk task (default 50)")
    parser.add_argument("--horizon", type=int, default=90, help="days forecast per product (default 90)")
    parser.add_argument("--repeat", type=int, default=3, help="timed jobs per worker count (default 3)")
    parser.add_argument(
        "--warmup", action=argparse.BooleanOptionalAction, default=True, help="score one untimed job first"
    )
    parser.add_argument(
        "--analyze",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="on PostgreSQL, ANALYZE tables that have no planner statistics yet (default on)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for one job (default 600)")
    args = parser.parse_args(argv)
    if min(args.workers) < 1 or args.chunk_size < 1 or args.horizon < 1 or args.repeat < 1:
        parser.error("--workers, --chunk-size, --horizon and --repeat must be at least 1")
    return args


# Database and model ---------------------------------------------------------


def pending_migrations() -> list:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def ensure_data(args: argparse.Namespace) -> bool:
    """True when there is sales history to score; loads it with --load."""
    from django.core.management import call_command

    from forecasting.selectors import latest_sales_day

    python = sys.executable
    if Path(python).is_relative_to(ROOT):
        python = str(Path(python).relative_to(ROOT))
    hint = f"  {python} manage.py migrate && {python} manage.py generate_demo_data --size {args.size} --if-empty"
    if pending_migrations():
        if not args.load:
            print("The database is not migrated. Run, from the project root:\n" + hint)
            print("or run this script again with --load.")
            return False
        print("Migrating the database ...", flush=True)
        call_command("migrate", verbosity=0)
    if latest_sales_day() is None:
        if not args.load:
            print("The database has no sales history to score. Load the demo data first, from the project root:")
            print(hint)
            print("or run this script again with --load.")
            return False
        print(f"Loading the '{args.size}' demo data (takes a while) ...", flush=True)
        call_command("generate_demo_data", size=args.size, if_empty=True)
    return latest_sales_day() is not None


def ensure_planner_statistics() -> None:
    """PostgreSQL plans the sales queries from table statistics. Right after a bulk load,
    and with autovacuum off, there are none: the planner expects a handful of orders and
    picks a nested loop that turns a sub-second query into minutes. Gather them first."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0"
            " AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname"
        )
        tables = [name for (name,) in cursor.fetchall()]
        if not tables:
            return
        print(f"PostgreSQL has no planner statistics for {len(tables)} table(s); running ANALYZE ...", flush=True)
        started = time.perf_counter()
        for name in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
        print(f"  analyzed in {time.perf_counter() - started:.1f}s", flush=True)


def ensure_active_model():
    """The active forecasting version, trained here (synchronously) when there is none."""
    from retailiq.registry.models import Job, JobKind, JobState
    from retailiq.registry.services import active_model_version, training_job_run

    version = active_model_version(capability=CAPABILITY)
    if version is not None:
        return version
    print(f"No active {CAPABILITY} model; training one ...", flush=True)
    started = time.perf_counter()
    job = Job.objects.create(
        kind=JobKind.TRAIN, capability=CAPABILITY, idempotency_key=f"bench:train:{uuid.uuid4()}", params={}
    )
    job = training_job_run(job_id=job.pk, worker="bench")
    if job.state != JobState.SUCCEEDED:
        raise SystemExit(f"Training failed: {job.error or job.message}")
    print(f"Trained in {time.perf_counter() - started:.1f}s: {job.message}", flush=True)
    return active_model_version(capability=CAPABILITY)


# Worker ---------------------------------------------------------------------


class Worker:
    """One `celery worker` subprocess with `concurrency` prefork children."""

    def __init__(self, concurrency: int):
        self.concurrency = concurrency
        self.node_prefix = f"bench{concurrency}-{os.getpid()}@"
        log_fd, log_name = tempfile.mkstemp(prefix=f"scoring-bench-worker{concurrency}-", suffix=".log")
        self.log = Path(log_name)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "retailiq",
            "worker",
            "-Q",
            "default",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{self.node_prefix}%h",
            "--loglevel",
            "WARNING",
        ]
        try:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=os.environ.copy(), stdout=log_fd, stderr=subprocess.STDOUT
            )
        finally:
            os.close(log_fd)  # the worker holds its own copy

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise SystemExit(
                f"The worker exited with status {self.process.returncode}. Its log ({self.log}):\n{self.log_tail()}"
            )

    def wait_ready(self, timeout: float = 90) -> float:
        """Seconds until the worker answers a ping; warns about other workers that answer."""
        from retailiq.celery import app

        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            self.check_alive()
            replies = app.control.ping(timeout=1)
            names = [name for reply in replies for name in reply]
            if any(name.startswith(self.node_prefix) for name in names):
                others = [name for name in names if not name.startswith(self.node_prefix)]
                if others:
                    print(f"  warning: other workers answered too and may take chunks: {', '.join(others)}")
                return time.perf_counter() - started
        raise SystemExit(f"The worker did not answer within {timeout:.0f}s. Its log ({self.log}):\n{self.log_tail()}")

    def stop(self, timeout: float = 60) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the tasks it holds
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# Scoring --------------------------------------------------------------------


def _prediction_model():
    if CAPABILITY == "reorder":
        from reorder.models import ReorderPrediction

        return ReorderPrediction
    from forecasting.models import DemandForecast

    return DemandForecast


def score_once(version, params: dict, worker: Worker, timeout: float) -> Run:
    from retailiq.registry.models import Job, JobState
    from retailiq.registry.services import scoring_job_create

    started = time.perf_counter()
    # Not inside an outer atomic block, so the job commits (and its task is sent) on return.
    job = scoring_job_create(
        capability=CAPABILITY,
        user=None,
        model_version=version,
        params=params,
        idempotency_key=f"bench:score:{uuid.uuid4()}",
    )
    finished = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)
    while Job.objects.filter(pk=job.pk).values_list("state", flat=True).get() not in finished:
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"Job {job.pk} did not finish within {timeout:.0f}s. Worker log:\n{worker.log_tail()}")
        worker.check_alive()
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if not job.is_finished or job.state != JobState.SUCCEEDED:
        raise SystemExit(f"Job {job.pk} {job.state}: {job.error or job.message}\nWorker log:\n{worker.log_tail()}")
    chunks = list(job.chunks.values_list("rows_written", "started_at", "finished_at"))
    # Rows this job wrote or overwrote: scoring upserts, refreshing scored_at.
    forecasts = _prediction_model().objects.filter(model_version=version, scored_at__gte=job.created_at).count()
    return Run(
        seconds=seconds,
        chunks=len(chunks),
        rows_written=sum(rows for rows, _, _ in chunks),
        forecasts=forecasts,
        chunk_seconds=sum((end - start).total_seconds() for _, start, end in chunks),
    )


def measure(concurrency: int, version, params: dict, args: argparse.Namespace) -> Result:
    print(f"\n{concurrency} worker process(es):", flush=True)
    worker = Worker(concurrency)
    result = Result(workers=concurrency)
    try:
        print(f"  worker answered after {worker.wait_ready():.1f}s", flush=True)
        if args.warmup:
            run = score_once(version, params, worker, args.timeout)
            print(f"  warm-up  {run.seconds:7.2f}s", flush=True)
        for i in range(1, args.repeat + 1):
            run = score_once(version, params, worker, args.timeout)
            result.runs.append(run)
            print(
                f"  run {i:<3}  {run.seconds:7.2f}s  {run.chunks} chunks, {run.rows_written:,} predictions written, "
                f"{run.forecasts:,} rows refreshed, {run.chunk_seconds:.2f}s inside chunk tasks",
                flush=True,
            )
    finally:
        worker.stop()
    worker.log.unlink(missing_ok=True)  # kept when the run failed, for its traceback
    return result


# Report ---------------------------------------------------------------------


def describe_setup(version, params: dict, args: argparse.Namespace) -> None:
    import celery
    import django
    from django.conf import settings
    from django.db import connection

    from retailiq.catalog.models import Product
    from retailiq.celery import app
    from retailiq.registry.adapters import adapter_for
    from retailiq.retailers.models import Retailer

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    adapter = adapter_for(CAPABILITY)
    entities = len(adapter.scoring_entities(segment="", params=params))
    chunk_count = -(-entities // args.chunk_size)
    database = connection.vendor
    if database == "postgresql":
        database += f" {connection.pg_version // 10000}"
    elif database == "sqlite":
        import sqlite3

        database += f" {sqlite3.sqlite_version} ({Path(settings.DATABASES['default']['NAME']).name})"
    print("Batch-scoring benchmark")
    print(f"  host            {socket.gethostname()}, {os.cpu_count()} CPUs ({affinity} usable by this process)")
    print(f"  python          {sys.version.split()[0]}, Django {django.get_version()}, Celery {celery.__version__}")
    print(f"  database        {database}")
    with app.connection_for_write() as broker:
        polling = broker.transport.polling_interval
    print(
        f"  broker          {urlsplit(app.conf.broker_url).scheme}://"
        + (f" (polled every {polling:g}s when idle or full)" if polling else "")
    )
    print(f"  result backend  {urlsplit(str(app.conf.result_backend)).scheme}://")
    print(f"  model           {version}")
    print(
        f"  job             {CAPABILITY}: {entities} of "
        + (
            f"{Retailer.objects.count()} shops"
            if CAPABILITY == "reorder"
            else f"{Product.objects.count()} products, horizon {args.horizon} days"
        )
        + f", chunk size {args.chunk_size} -> {chunk_count} chunks"
    )
    print(
        f"  timing          {args.repeat} timed job(s) per worker count{', after one warm-up job' if args.warmup else ''}"
    )


def print_table(results: list[Result]) -> None:
    reference = next((r for r in results if r.workers == 1), results[0])
    headers = [
        "workers",
        "chunks",
        "predictions",
        "best s",
        "median s",
        "pred/s",
        f"speed-up vs {reference.workers}",
        "busy",
    ]
    rows = []
    for result in results:
        last = result.runs[-1]
        rows.append(
            [
                str(result.workers),
                str(last.chunks),
                f"{last.rows_written:,}",
                f"{result.best:.2f}",
                f"{result.median:.2f}",
                f"{last.rows_written / result.best:,.0f}",
                f"{reference.best / result.best:.2f}x",
                f"{result.busy:.0%}",
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    print()
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    print(
        "\nbest/median: wall seconds from creating the job until its row says succeeded; pred/s and speed-up use best."
        "\nbusy: time inside chunk tasks / (best wall time x worker processes); the rest is planning, broker and idle."
    )


def main(argv: list[str] | None = None) -> int:
    global CAPABILITY
    args = parse_args(argv)
    CAPABILITY = args.capability
    import django

    django.setup()
    # The filesystem transport warns on every control connection (the ping) that it has no hostname.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    if not ensure_data(args):
        return 1
    if args.analyze:
        ensure_planner_statistics()
    version = ensure_active_model()
    params = {"chunk_size": args.chunk_size}
    if CAPABILITY == "forecasting":
        params["horizon"] = args.horizon
    describe_setup(version, params, args)
    results = [measure(n, version, params, args) for n in args.workers]
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

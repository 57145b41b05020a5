"""How each stage of the data path grows with the marketplace: time and peak memory per stage and demo size.

For every size given it uses its own PostgreSQL database (DATABASE_URL's name plus `_scale_<size>`, created
and migrated when missing) and runs, each stage in a child process so its peak memory is its own:

    startup   a child that only starts Django and counts the order lines: the fixed cost in every row below
    load      generate the demo marketplace and load it (`generate_demo_data --reset`: catalogue, orders,
              stock ledger, and the rollups the loader builds)
    rollups   rebuild every sales rollup from the order lines (`rollups_rebuild`, what a repair costs)
    train     train forecasting and reorder with their default settings (one row each)
    score     batch-score every product and every active shop with the new versions, in this process
              (one worker; `bench/scoring_bench.py` measures the fan-out over Celery workers)
    pages     `bench/pages_bench.py --cold`: the slowest page's p95 with the cache cleared

Time is wall clock around the child; peak memory is the child's maximum resident set (getrusage of
children), which leaves out PostgreSQL's own processes. Then, for each stage, the exponent of its growth
against the order lines (time ~ lines^k between the smallest and largest size measured) names the stage
that grows worst, and what would move it to more machines. The script asserts nothing.

    .venv/bin/python bench/scale_report.py tiny demo [large] [--stages load rollups train score pages]
                                           [--database-url postgres://.../name] [--page-repeat 5]

`--database-url` (one size only) measures an existing database instead, e.g. a copy of the `large` demo,
usually with `--stages rollups score pages`.
"""

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")

STAGES = ("startup", "load", "rollups", "train", "score", "pages")
CAPABILITIES = ("forecasting", "reorder")
# What would spread each stage over more machines, as named in the report.
SCALE_OUT = {
    "load": "COPY into `orders_orderline` partitioned by month (one loader per partition), or a distributed "
    "PostgreSQL (Citus) sharding order lines by retailer",
    "rollups": "rebuild per month partition in parallel (the rollups are additive by day), or Citus running the "
    "INSERT ... SELECT on every shard",
    "train": "LightGBM's Dask training (lightgbm.dask) over several machines, forecasting's members in parallel "
    "processes",
    "score": "more Celery workers: reorder and forecasting chunks read only their own rows",
    "pages": "already bounded by the rollups; read replicas for more users",
    "startup": "nothing: a fixed cost",
}


@dataclass
class StageResult:
    size: str
    stage: str
    seconds: float
    peak_mb: float
    detail: str = ""


# Child side --------------------------------------------------------------------------------------


def _child(stage: str, size: str, out: Path, page_repeat: int) -> None:
    import django

    django.setup()
    detail: dict = {}
    if stage == "load":
        # What `generate_demo_data --size SIZE --reset` runs, with its steps timed apart.
        from retailiq.demo.generator import generate_marketplace
        from retailiq.demo.loader import load_marketplace

        started = time.perf_counter()
        market = generate_marketplace(size=size)
        generated = time.perf_counter() - started
        report = load_marketplace(market, reset=True)
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.steps.items())
        detail["text"] = f"generate {generated:.0f} s, {steps}"
    elif stage == "rollups":
        from retailiq.rollups.services import rollups_rebuild

        rollups_rebuild()
    elif stage.startswith("train:"):
        _train(stage.split(":", 1)[1], detail)
    elif stage.startswith("score:"):
        _score(stage.split(":", 1)[1], detail)
    from retailiq.orders.models import OrderLine

    detail["lines"] = OrderLine.objects.count()
    out.write_text(json.dumps(detail))


def _train(capability: str, detail: dict) -> None:
    import uuid

    from retailiq.registry.models import Job, JobKind, JobState
    from retailiq.registry.services import training_job_run

    job = Job.objects.create(
        kind=JobKind.TRAIN, capability=capability, idempotency_key=f"scale:train:{uuid.uuid4()}", params={}
    )
    job = training_job_run(job_id=job.pk, worker="scale-report")
    if job.state != JobState.SUCCEEDED:
        raise SystemExit(f"{capability} training failed: {job.error}")
    detail["text"] = job.model_version.algorithm


def _score(capability: str, detail: dict) -> None:
    from retailiq.registry.models import JobState
    from retailiq.registry.services import active_model_version, scoring_job_create, scoring_job_run_here

    version = active_model_version(capability=capability)
    if version is None:
        raise SystemExit(f"no active {capability} model: run the train stage first")
    job = scoring_job_create(capability=capability, user=None, model_version=version, params={}, enqueue=False)
    job = scoring_job_run_here(job_id=job.pk, worker="scale-report")
    if job.state != JobState.SUCCEEDED:
        raise SystemExit(f"{capability} scoring failed: {job.error}")
    detail["text"] = job.message


# Parent side -------------------------------------------------------------------------------------


def _database_url(base: str, size: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_scale_{size}"))


def _ensure_database(url: str) -> None:
    """Create the database when missing, then migrate it (quietly; not a measured stage)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def _run_child(args: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak resident MB of one child (ru_maxrss of the children waited for so far is a
    running maximum, so each stage starts a fresh grandparent: `python -c` around the child)."""
    wrapper = (
        "import resource, subprocess, sys, json;"
        "r = subprocess.run(sys.argv[1:]);"
        "print(json.dumps({'rc': r.returncode,"
        " 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=sys.stderr)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    summary = json.loads(done.stderr.strip().splitlines()[-1])
    if summary["rc"] != 0:
        raise SystemExit(f"stage failed ({' '.join(args)}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds, summary["maxrss_kb"] / 1024, done


def _stage(size: str, stage: str, env: dict, page_repeat: int, scratch: Path) -> tuple[StageResult, dict]:
    out = scratch / f"{size}-{stage.replace(':', '-')}.json"
    if stage == "pages":
        seconds, peak, done = _run_child(
            ["bench/pages_bench.py", "--cold", "--repeat", str(page_repeat), "--json"], env
        )
        rows = json.loads(done.stdout[done.stdout.index("{") :])["rows"]
        worst = max(rows, key=lambda r: r["p95_ms"])
        text = f"slowest p95 {worst['p95_ms']:.0f} ms ({worst['page']} [{worst['kind']}] as {worst['role']}), "
        text += f"{len(rows)} requests"
        return StageResult(size, stage, seconds, peak, text), {}
    seconds, peak, _ = _run_child([__file__, "--child", stage, "--child-size", size, "--child-out", str(out)], env)
    detail = json.loads(out.read_text())
    return StageResult(size, stage, seconds, peak, detail.get("text", "")), detail


def _expand(stages: list[str]) -> list[str]:
    expanded = []
    for stage in stages:
        if stage in ("train", "score"):
            expanded += [f"{stage}:{c}" for c in CAPABILITIES]
        else:
            expanded.append(stage)
    return expanded


def print_report(results: list[StageResult], lines: dict[str, int]) -> None:
    print(f"\n{'size':<8} {'order lines':>12}  {'stage':<18} {'seconds':>9} {'peak MB':>9}  detail")
    for r in results:
        print(f"{r.size:<8} {lines.get(r.size, 0):>12,}  {r.stage:<18} {r.seconds:>9.1f} {r.peak_mb:>9.0f}  {r.detail}")
    sizes = [s for s in dict.fromkeys(r.size for r in results) if lines.get(s)]
    if len(sizes) < 2:
        return
    small, big = min(sizes, key=lines.get), max(sizes, key=lines.get)
    ratio = lines[big] / lines[small]
    if ratio <= 1:
        return
    startup = {r.size: r.seconds for r in results if r.stage == "startup"}
    print(f"\nGrowth from {small} to {big} ({ratio:,.1f}x the order lines): time ~ lines^k, start-up taken off")
    growth = []
    for stage in dict.fromkeys(r.stage for r in results if r.stage != "startup"):
        by_size = {r.size: r for r in results if r.stage == stage}
        if small in by_size and big in by_size:
            # The child's fixed start-up cost would flatten every curve; 0.1 s floors a stage that is all start-up.
            before, after = (max(by_size[s].seconds - startup.get(s, 0.0), 0.1) for s in (small, big))
            growth.append((math.log(after / before) / math.log(ratio), stage, after / before))
    for k, stage, factor in sorted(growth, reverse=True):
        print(f"  {stage:<18} k = {k:5.2f}  ({factor:,.1f}x the time)")
    if growth:
        k, stage, _ = max(growth)
        print(f"\nGrows worst: {stage} (k = {k:.2f}). To more machines: {SCALE_OUT[stage.split(':')[0]]}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", default=["tiny", "demo"])
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument("--database-url", help="measure this existing database (one size only)")
    parser.add_argument("--page-repeat", type=int, default=5, help="timed requests per page (default 5)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.child_size, args.child_out, args.page_repeat)
        return 0
    if args.database_url and len(args.sizes) != 1:
        parser.error("--database-url measures one size")
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres") and not args.database_url:
        parser.error("set DATABASE_URL to a PostgreSQL database; each size gets its own next to it")
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"scale-report-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    results: list[StageResult] = []
    lines: dict[str, int] = {}
    for size in args.sizes:
        url = args.database_url or _database_url(base, size)
        _ensure_database(url)
        env = {**os.environ, "DATABASE_URL": url, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        for stage in _expand(args.stages):
            result, detail = _stage(size, stage, env, args.page_repeat, scratch)
            lines[size] = detail.get("lines", lines.get(size, 0))
            results.append(result)
            print(
                f"{size:<8} {result.stage:<18} {result.seconds:8.1f}s {result.peak_mb:7.0f} MB  {result.detail}",
                flush=True,
            )
    print_report(results, lines)
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed stage leaves no core file behind
    sys.exit(main())

"""End-to-end import speed: generate (or take) an orders CSV, import it into a scratch
PostgreSQL database with the same service the upload page uses (parse, validate, COPY
into staging, checks, set-based merge), and print lines per second and peak memory.
Asserts nothing.

    .venv/bin/python bench/import_bench.py [--lines 1000000] [--csv FILE] [--keep]
        [--database postgres://postgres@127.0.0.1:5432/retailiq_import_bench | sqlite:////tmp/import_bench.sqlite3]

The scratch database is dropped and recreated (migrated) on each run; a sqlite:/// URL
measures the embedded path the same way. The generated
file looks like a marketplace export: 1 to 12 lines per order, 5,000 retailers, 20,000
products from 50 vendors, two years of dates, and about 0.1% bad lines of every kind.
"""

import argparse
import csv
import gzip
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER = [
    "order_id",
    "ordered_at",
    "retailer_id",
    "retailer_name",
    "city",
    "region",
    "sku",
    "product_name",
    "category",
    "vendor",
    "quantity",
    "unit_price",
    "discount",
    "promotion",
]
BAD_KINDS = ("date", "quantity", "price", "empty_sku")


def generate(path: Path, lines: int, seed: int = 11) -> None:
    """Vectorised, so a million lines take a few seconds to write."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 13, size=lines // 4 + 10)
    order_of_line = np.repeat(np.arange(sizes.size), sizes)[:lines]
    orders = order_of_line.max() + 1
    retailer_of_order = rng.integers(0, 5_000, size=orders)
    start = np.datetime64("2024-01-01T08:00")
    minutes = np.sort(rng.integers(0, 730 * 24 * 60, size=orders))
    when = (start + minutes.astype("timedelta64[m]")).astype(str)
    product = rng.zipf(1.3, size=lines) % 20_000
    quantity = rng.integers(1, 48, size=lines)
    price = np.round(1 + (product % 997) / 7.0, 2)
    discount = np.where(rng.random(lines) < 0.1, 0.05, 0.0)
    promo = np.where(discount > 0, "yes", "no")
    bad = rng.random(lines) < 0.001
    bad_kind = rng.integers(0, len(BAD_KINDS), size=lines)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        block = 100_000
        for lo in range(0, lines, block):
            hi = min(lines, lo + block)
            rows = []
            for i in range(lo, hi):
                o, p, r = order_of_line[i], product[i], retailer_of_order[order_of_line[i]]
                row = [
                    f"SO-{o:08d}",
                    when[o].replace("T", " "),
                    f"R{r:05d}",
                    f"Shop {r}",
                    f"City {r % 300}",
                    f"Region {r % 12}",
                    f"SKU-{p:06d}",
                    f"Product {p}",
                    f"Category {p % 60}",
                    f"Vendor {p % 50}",
                    int(quantity[i]),
                    f"{price[i]:.2f}",
                    f"{discount[i]:.2f}",
                    promo[i],
                ]
                if bad[i]:
                    kind = BAD_KINDS[bad_kind[i]]
                    if kind == "date":
                        row[1] = "31/02/2024 25:61"
                    elif kind == "quantity":
                        row[10] = "many"
                    elif kind == "price":
                        row[11] = "-3.50"
                    else:
                        row[6] = ""
                rows.append(row)
            writer.writerows(rows)


def reset_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        # The embedded path: a fresh file (and its WAL companions) each run.
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


MERGE_STEPS = ("merge_", "rebuild_indexes_")
# The batch's summary is JSON (PostgreSQL stores it reordered): print in the order the steps run.
STEP_ORDER = (
    "stage_read_ahead", "stage_copy_lines", "stage_copy_issues", "read_and_stage", "refresh_statistics",
    "check_duplicates", "check_order_consistency", "check_existing_orders", "check_references", "drop_failed_lines",
    "drop_already_present", "merge_vendors", "merge_retailers", "merge_products", "merge_lock_references",
    "merge_orders", "rebuild_indexes_orders_order", "merge_lines", "rebuild_indexes_orders_orderline", "merge_rollups",
    "merge_finish",
)  # fmt: skip


def print_steps(seconds: dict[str, float], *, total: float) -> None:
    """The batch's per-step seconds in the order they run. Reading runs ahead in a
    thread (stage_read_ahead) while COPY stores the chunk before, so the two overlap
    inside read_and_stage; the commit is what the merge's transaction took beyond its steps."""
    if not seconds:
        return
    merge_steps = sum(v for k, v in seconds.items() if k.startswith(MERGE_STEPS) and k != "merge_with_commit")
    ordered = sorted(seconds, key=lambda k: STEP_ORDER.index(k) if k in STEP_ORDER else len(STEP_ORDER))
    rows = [(k, seconds[k]) for k in ordered if k != "merge_with_commit"]
    if "merge_with_commit" in seconds:
        rows.append(("commit (deferred checks)", max(0.0, seconds["merge_with_commit"] - merge_steps)))
    accounted = seconds.get("read_and_stage", 0) + seconds.get("merge_with_commit", 0)
    accounted += sum(v for k, v in seconds.items() if k.startswith(("check_", "drop_", "refresh_")))
    rows.append(("other (claims, progress, staging cleared)", max(0.0, total - accounted)))
    for name, value in rows:
        print(f"    {name:<42} {value:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="Import this file instead of generating one (a generic orders CSV).")
    parser.add_argument("--preset", default="", help="Preset for --csv, e.g. online-retail.")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="Rate into the marketplace's currency, required when the preset's file is in another (online-retail: GBP).",
    )
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/retailiq_import_bench")
    parser.add_argument("--twice", action="store_true", help="Import the same file again (it must add nothing).")
    args = parser.parse_args()

    path = args.csv
    if path is None:
        path = Path(f"/tmp/retailiq_import_bench_{args.lines}.csv")
        if not path.exists():
            t0 = time.perf_counter()
            generate(path, args.lines)
            print(f"generated {path} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t0:.1f} s")
    elif not path.exists():
        sys.exit(
            f"No file at {path}. For the Online Retail data, point --csv at ../shared/data/online-retail/online_retail.csv.gz."
        )

    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")
    reset_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from retailiq.imports.services import import_file

    options = {} if args.preset else {"default_vendor": "Bench vendor"}
    if args.rate is not None:
        options["exchange_rate"] = args.rate
    runs = 2 if args.twice else 1
    for run in range(runs):
        t0 = time.perf_counter()
        batch = import_file(path=path, preset=args.preset, options=options)
        seconds = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"run {run + 1}: {batch.state}: {batch.lines_read:,} lines in {seconds:.1f} s = "
            f"{batch.lines_read / seconds:,.0f} lines/s end to end; accepted {batch.lines_accepted:,}, "
            f"rejected {batch.lines_rejected:,}, set aside {batch.lines_set_aside:,}, skipped {batch.lines_skipped:,}, "
            f"already present {batch.lines_already_present:,}; peak memory {peak_mb:,.0f} MB"
        )
        if batch.error:
            print(f"  error: {batch.error}")
        print_steps(batch.summary.get("seconds", {}), total=seconds)


if __name__ == "__main__":
    main()

"""The floor under an import: how long PostgreSQL takes, on this machine, only to write the rows a
merged import leaves behind, with none of the import's own work (no parsing, staging, checks,
grouping or joins). Asserts nothing; prints each write and the sum against the goal.

Run it on the database `bench/import_bench.py` leaves (the million-line file merged):

    .venv/bin/python bench/import_floor.py --database postgres://postgres@127.0.0.1:5432/retailiq_import_bench \
        [--csv /tmp/retailiq_import_bench_1000000.csv] [--goal-seconds 10]

For each table the import writes (the order lines, the orders and every sales rollup), the rows
of the batch are copied out to a file first (not timed); then, inside one transaction that is
rolled back, an empty table shaped like it (`LIKE ... INCLUDING DEFAULTS`: columns, no indexes or
keys) takes them by COPY, and the table's indexes, unique keys and primary key are built on it
afterwards, each one timed: the cheapest way to write those rows with their indexes, the way a
large import already rebuilds them. Foreign keys are left out (the import checks them set-based,
before the writes). With `--csv`, the time to parse the file into Arrow columns (what the import's
reader does before anything is written) is added: reading must precede the writes of its rows.

The sum is a lower bound for the import end to end on this machine as long as the rollups are
kept in the same transaction as the lines (each statement of one transaction runs in one
PostgreSQL backend, one core): any import design pays at least this.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

# The tables a merged import writes, largest first; rollups_* are the sales rollups kept on write.
TABLES = (
    "orders_orderline",
    "orders_order",
    "rollups_vendorretailerdailysales",
    "rollups_retailerproductsales",
    "rollups_productdailysales",
    "rollups_retailerdailysales",
    "rollups_productwarehousedailysales",
    "rollups_marketplacedailysales",
)


def _indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of every index of the table, the primary key and unique keys included."""
    cursor.execute(
        """SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = %s::regclass ORDER BY i.indisprimary DESC, c.relname""",
        [table],
    )
    return cursor.fetchall()


def measure_writes(url: str, workdir: Path) -> list[tuple[str, int, float]]:
    """(what, rows, seconds) for each COPY and index build, in one transaction rolled back."""
    import psycopg

    steps: list[tuple[str, int, float]] = []
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")  # as the import's bulk settings
        dumps = {}
        for table in TABLES:
            path = workdir / f"{table}.copy"
            with path.open("wb") as out, cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    out.write(block)
            dumps[table] = path
        for table in TABLES:
            scratch = f"floor_{table}"
            cursor.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING DEFAULTS)")
            started = time.perf_counter()
            with dumps[table].open("rb") as source, cursor.copy(f"COPY {scratch} FROM STDIN") as copy:
                while block := source.read(1 << 20):
                    copy.write(block)
            rows = cursor.rowcount
            steps.append((f"{table}: COPY", rows, time.perf_counter() - started))
            for name, definition in _indexes(cursor, table):
                scratch_definition = definition.replace(f" ON public.{table} ", f" ON public.{scratch} ", 1)
                scratch_definition = scratch_definition.replace(f"INDEX {name} ", f"INDEX floor_{name[:50]} ", 1)
                started = time.perf_counter()
                cursor.execute(scratch_definition)
                steps.append((f"{table}: index {name}", rows, time.perf_counter() - started))
        conn.rollback()
    return steps


def measure_read(csv_path: Path) -> float:
    """Seconds to parse the file into Arrow columns, every column as text (the reader's first step)."""
    import pyarrow as pa
    from pyarrow import csv

    with csv_path.open("rb") as source:
        header = source.readline().decode("utf-8-sig").strip().split(",")
    started = time.perf_counter()
    csv.read_csv(csv_path, convert_options=csv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/retailiq_import_bench")
    parser.add_argument("--csv", type=Path, help="also time parsing this file (the file the import read)")
    parser.add_argument("--goal-seconds", type=float, default=10.0)
    args = parser.parse_args()
    if args.csv is not None and not args.csv.exists():
        sys.exit(f"{args.csv} does not exist: run bench/import_bench.py first, or leave --csv out")

    with tempfile.TemporaryDirectory(prefix="import_floor_") as workdir:
        steps = measure_writes(args.database, Path(workdir))
    if args.csv is not None:
        steps.insert(0, (f"parse {args.csv.name} (pyarrow, one thread per core)", 0, measure_read(args.csv)))
    lines = next(rows for what, rows, _ in steps if what == "orders_orderline: COPY")
    for what, rows, seconds in steps:
        print(f"  {what:<72} {rows:>10,} rows {seconds:7.2f} s")
    total = sum(seconds for _, _, seconds in steps)
    print(f"floor: {total:.2f} s for {lines:,} order lines = {lines / total:,.0f} lines/s at most")
    verdict = "below" if total < args.goal_seconds else "ABOVE"
    print(f"goal: {args.goal_seconds:.1f} s; the floor alone is {verdict} it")


if __name__ == "__main__":
    main()

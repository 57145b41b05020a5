"""The import's rollup step alone, statement by statement, on a database that already
holds an import (e.g. the one `import_bench.py` leaves behind): the rollup tables are
emptied and the step rerun for the latest batch inside a transaction that is rolled back,
with the merge's index rule, so the database is left as it was. Prints the slowest
statements, the step's wall time and the database backend's CPU seconds (read from /proc,
so the database must run on this machine; the CPU time moves less with the machine's
load than the wall time). Asserts nothing.

    .venv/bin/python bench/rollup_step_bench.py \
        --database postgres://postgres@127.0.0.1:5432/retailiq_import_bench [--top 12]
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/retailiq_import_bench")
    parser.add_argument("--top", type=int, default=12, help="How many of the slowest statements to print.")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")
    import django

    django.setup()
    from django.db import connection, transaction

    from retailiq.imports.models import ImportBatch
    from retailiq.imports.services.bulk import bulk_memory, can_skip_row_triggers, row_triggers_skipped
    from retailiq.imports.services.merge import _rollup_indexes_rebuilt
    from retailiq.rollups.services import ALL_ROLLUPS, rollups_apply_batch

    statements: list[tuple[float, str]] = []

    def timed_statement(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, " ".join(sql.split())))

    batch_id = ImportBatch.objects.order_by("-pk").values_list("pk", flat=True).first()
    if batch_id is None:
        sys.exit("No import in that database: run bench/import_bench.py against it first.")
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_memory(cursor)
        for model in ALL_ROLLUPS:
            cursor.execute(f"TRUNCATE {model._meta.db_table}")
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM orders_orderline o JOIN orders_order r ON r.id = o.order_id "
                       "WHERE r.import_batch_id = %s", [batch_id])  # fmt: skip
        lines = cursor.fetchone()[0]
        skip = can_skip_row_triggers(cursor)
        with connection.execute_wrapper(timed_statement):
            started, cpu = time.perf_counter(), backend_cpu_seconds(pid)
            with row_triggers_skipped(cursor, skip=skip), _rollup_indexes_rebuilt(cursor, lines, {}):
                rollups_apply_batch(batch_id=batch_id, sign=+1)
            wall, cpu = time.perf_counter() - started, backend_cpu_seconds(pid) - cpu
        transaction.set_rollback(True)
    for seconds, sql in sorted(statements, reverse=True)[: args.top]:
        print(f"  {seconds:7.2f} s  {sql[:110]}")
    print(f"batch {batch_id}: {lines:,} lines; rollup step {wall:.2f} s wall, {cpu:.2f} s database CPU")


if __name__ == "__main__":
    main()

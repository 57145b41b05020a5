"""PostgreSQL settings and table work for large set-based writes inside one transaction.

Each helper is a no-op on other databases (SQLite keeps its plain path), so the merge
and the checks read the same with or without them."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from .timing import timed

# Per sort or hash in this transaction only. The default 4 MB spills a million-line
# window sort and the order grouping to disk; these fit in memory instead.
WORK_MEM = "256MB"
MAINTENANCE_WORK_MEM = "512MB"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def bulk_memory(cursor) -> None:
    """Give this transaction's sorts, hashes and index builds room to stay in memory.
    Two more settings, measured on the million-line file: no parallel workers (each
    worker built its own copy of the same 140 MB hash, three times the work for one
    answer), and no JIT (it compiled for 0.4 s per statement, more than it saved)."""
    if is_postgres():
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL jit = off")


@contextmanager
def hash_joins_only(cursor) -> Iterator[None]:
    """For a statement that joins every staged line: the planner underestimates the
    lines matching a (vendor, SKU) pair a hundredfold and probes an index once per line
    (a million probes, 80 s) where one hash join takes seconds."""
    if not is_postgres():
        yield
        return
    cursor.execute("SET LOCAL enable_nestloop = off")
    yield
    cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")


def refresh_statistics(cursor, table: str) -> None:
    """A table that just took many rows in this transaction still has the planner's old
    picture of it (empty, for a first import): the next join would run as nested loops
    over a million lines. ANALYZE samples it in a fraction of a second."""
    if is_postgres():
        cursor.execute(f"ANALYZE {table}")


def can_skip_row_triggers(cursor) -> bool:
    """Whether this role may switch off per-row triggers for its own transaction
    (session_replication_role: a superuser, or on PostgreSQL 15+ a role granted SET on
    it with `GRANT SET ON PARAMETER session_replication_role TO ...`)."""
    if not is_postgres() or not settings.RETAILIQ_IMPORT_SKIP_ROW_TRIGGERS:
        return False
    if connection.pg_version >= 150000:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    else:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


@contextmanager
def row_triggers_skipped(cursor, *, skip: bool) -> Iterator[None]:
    """Inserts in this block queue no per-row foreign-key checks for commit time.

    Only for rows whose references the caller has already verified and locked set-based
    (see merge.lock_references): the per-row checks would find nothing and cost a
    million trigger calls at commit. The setting is local to the transaction and put
    back when the block ends, so nothing after it (and no other session) is affected."""
    if not skip:
        yield
        return
    cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    # Not in a `finally`: after an error the transaction rolls back, and the setting with it.
    cursor.execute("SET LOCAL session_replication_role TO DEFAULT")


def rows_at_most(cursor, table: str, limit: int) -> int:
    """The table's row count, counted no further than `limit` + 1 (cheap on a big table)."""
    cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [limit + 1])
    return cursor.fetchone()[0]


def should_rebuild_indexes(cursor, table: str, *, new_rows: int) -> bool:
    """Maintaining a table's secondary indexes row by row costs far more per row than
    building them once (a million order lines: about 45 s against 9 s for all of
    orders_orderline's, measured on this project's 2-core machine), but a rebuild reads
    the whole table. So rebuild only when the batch is large and the table not much
    larger than it: RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS and ..._TABLE_RATIO."""
    if not is_postgres() or new_rows < settings.RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS:
        return False
    ceiling = int(new_rows * settings.RETAILIQ_IMPORT_REBUILD_INDEXES_TABLE_RATIO)
    return rows_at_most(cursor, table, ceiling) <= ceiling


@contextmanager
def secondary_indexes_rebuilt(
    cursor,
    table: str,
    *,
    rebuild: bool,
    timings: dict[str, float] | None = None,
    unique_too: bool = False,
    primary_too: bool = False,
) -> Iterator[list[str]]:
    """Drop the table's plain indexes (not its primary key nor those behind a unique
    constraint, which keep guarding the rows), let the block write, and build them
    again, all in the caller's transaction: a rollback brings them back untouched.
    The table is locked against readers until commit. Yields the names dropped.

    `unique_too` drops and adds back the unique constraints as well, for a block that
    needs no conflict arbiter and writes each key once (the table is locked, and adding
    the constraint back checks every row): checking each row against the index as it is
    inserted costs several times building the index once.

    `primary_too` (with `unique_too`) the primary key too, where no foreign key points at
    the table: ids come from the table's identity, each once, and adding the key back
    checks every row. Writing 770,000 rows, the key's index entries cost 1.1 to 1.4 s
    made one by one and 0.4 s built once."""
    if not rebuild:
        yield []
        return
    constraints = []
    if unique_too:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint c WHERE conrelid = %s::regclass "
            "AND (contype = 'u' OR %s AND contype = 'p' AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid)) "
            "ORDER BY contype = 'p' DESC, conname",
            [table, primary_too],
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    with _plain_indexes_rebuilt(cursor, table, timings) as dropped:
        yield dropped + [name for name, _ in constraints]
        with timed({} if timings is None else timings, f"rebuild_indexes_{table}"):
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def _plain_indexes_rebuilt(cursor, table: str, timings: dict[str, float] | None) -> Iterator[list[str]]:
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY c.relname
        """,
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield [name for name, _ in indexes]
    with timed({} if timings is None else timings, f"rebuild_indexes_{table}"):
        for _, definition in indexes:
            cursor.execute(definition)

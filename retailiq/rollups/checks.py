"""Comparing the rollups with a recomputation from the order lines (and lost sales), set-based: rows
present on one side only, or with other values, found by EXCEPT both ways in the
database (no table is read into Python)."""

from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models import QuerySet

from .models import RetailerProductSales
from .services import DAILY_ROLLUPS, PAIR_KEYS, PAIR_MEASURES, pair_source, rollup_source, source_sql

SHOWN = 10


@dataclass
class RollupDifference:
    table: str
    stale: int = 0  # rows in the rollup that a recomputation does not give
    missing: int = 0  # rows a recomputation gives that the rollup lacks
    examples: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.stale or self.missing)


def _rows_sql(
    keys: tuple[str, ...], measures: tuple[str, ...], table: str | None, source: QuerySet | tuple[str, list]
) -> tuple[str, list]:
    """One side as comparable rows: keys and measures, money rounded to cents (SQLite
    sums in floating point)."""

    def column(prefix: str, name: str, alias: str) -> str:
        money = name.endswith("revenue")
        return f"ROUND({prefix}{name}, 2) AS {alias}" if money else f"{prefix}{name} AS {alias}"

    if table is not None:
        picked = [f"{k} AS k{i}" for i, k in enumerate(keys)] + [column("", m, m) for m in measures]
        return f"SELECT {', '.join(picked)} FROM {table}", []
    sql, params = source_sql(source)
    picked = [f"d.k{i} AS k{i}" for i in range(len(keys))] + [column("d.", m, m) for m in measures]
    return f"SELECT {', '.join(picked)} FROM ({sql}) d", list(params)


def _compare(model: type[models.Model], keys, measures, source: QuerySet | tuple[str, list]) -> RollupDifference:
    table = model._meta.db_table
    stored, stored_params = _rows_sql(keys, measures, table, source)
    expected, expected_params = _rows_sql(keys, measures, None, source)
    found = RollupDifference(table=table)
    with connection.cursor() as cursor:
        for label, (left, lp), (right, rp) in (
            ("stale", (stored, stored_params), (expected, expected_params)),
            ("missing", (expected, expected_params), (stored, stored_params)),
        ):
            cursor.execute(f"SELECT * FROM ({left} EXCEPT {right}) x", [*lp, *rp])
            rows = cursor.fetchall()
            setattr(found, label, len(rows))
            found.examples += [f"{label} {row}" for row in rows[:SHOWN]]
    return found


def rollups_compare() -> list[RollupDifference]:
    """Per rollup table: what differs from the order lines right now."""
    found = [_compare(r.model, r.keys, r.measures, rollup_source(r)) for r in DAILY_ROLLUPS]
    found.append(_compare(RetailerProductSales, PAIR_KEYS, PAIR_MEASURES, pair_source()))
    return found

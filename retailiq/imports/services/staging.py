"""Writing a chunk of parsed lines and its issues into the batch's staging rows.

PostgreSQL gets one COPY per chunk and table (CSV text written by Arrow, which is far
faster than row-by-row writes; the lines' text is built from the reader's distinct
values, see staged_csv); SQLite, the embedded default, gets executemany."""

import io
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.conf import settings
from django.db import connection
from django.utils.text import slugify

STAGED_COLUMNS = (
    "batch_id",
    "line_number",
    "order_id",
    "kind",
    "ordered_at",
    "retailer_id",
    "retailer_name",
    "retailer_city",
    "retailer_region",
    "retailer_country",
    "retailer_segment",
    "retailer_contact_name",
    "retailer_phone",
    "retailer_email",
    "sku",
    "product_name",
    "category",
    "brand",
    "vendor_code",
    "vendor_name",
    "quantity",
    "unit_price",
    "discount_rate",
    "on_promotion",
    "warehouse",
)
ISSUE_COLUMNS = ("batch_id", "line_number", "column", "value", "reason", "severity", "row")


def vendor_code(name: str) -> str:
    return slugify(name)[:40] or "vendor"


class VendorCodes:
    """A vendor named in a file is an existing vendor when the name is its code or its
    name (any case); otherwise a new one whose code is the slugified name."""

    def __init__(self) -> None:
        from retailiq.catalog.models import Vendor

        self._known: dict[str, str] = {}
        for code, name in Vendor.objects.values_list("code", "name"):
            self._known.setdefault(name.casefold(), code)
        for code in Vendor.objects.values_list("code", flat=True):
            self._known[code.casefold()] = code

    def __call__(self, name: str) -> str:
        return self._known.get(name.strip().casefold()) or vendor_code(name)


def staged_frame(
    staged: pd.DataFrame, *, batch_id: int, default_vendor: str, codes_of: VendorCodes | None = None
) -> pd.DataFrame:
    """The reader's columns as the staging table's. Times become UTC text, the form
    both backends store; each distinct vendor name is slugified once, not per line."""
    frame = pd.DataFrame({"batch_id": batch_id, "line_number": staged["line_number"]})
    for column in ("order_id", "kind", "retailer_id", "retailer_name", "retailer_city", "retailer_region"):
        frame[column] = staged[column]
    frame["ordered_at"] = _as_utc_text(staged["ordered_at"])
    frame["retailer_country"] = staged["retailer_country"]
    frame["retailer_segment"] = staged["retailer_segment"]
    for column in ("retailer_contact_name", "retailer_phone", "retailer_email"):
        frame[column] = staged[column]
    for column in ("sku", "product_name", "category", "brand"):
        frame[column] = staged[column]
    vendor_names = staged["vendor"].where(staged["vendor"] != "", default_vendor)
    code_of = codes_of or vendor_code
    codes = {name: code_of(name) for name in vendor_names.unique()}
    frame["vendor_code"] = vendor_names.map(codes)
    frame["vendor_name"] = vendor_names
    frame["quantity"] = staged["quantity"]
    frame["unit_price"] = staged["unit_price"].round(2)
    frame["discount_rate"] = staged["discount_rate"].round(4)
    frame["on_promotion"] = staged["on_promotion"].astype(bool)
    frame["warehouse"] = staged["warehouse"]
    return frame[list(STAGED_COLUMNS)]


def staged_csv(
    staged: pd.DataFrame,
    texts: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    batch_id: int,
    default_vendor: str,
    codes_of: VendorCodes | None = None,
) -> bytes:
    """COPY's CSV text of staged_frame(staged, ...), built as Arrow columns: each text
    column is its distinct values taken by the lines' codes, in C++, so no Python
    object is made per cell. `texts` is the reader's (codes, distinct values) per text
    column of `staged`; the output is byte for byte what _csv_bytes writes."""
    if staged.empty:
        return b""
    n = len(staged)
    vendor_codes, vendor_names = texts["vendor"]
    vendor_names = np.where(vendor_names == "", default_vendor, vendor_names).astype(object)
    code_of = codes_of or vendor_code
    taken = dict(texts)
    taken["vendor_code"] = (vendor_codes, np.array([code_of(name) for name in vendor_names], dtype=object))
    taken["vendor_name"] = (vendor_codes, vendor_names)
    time_codes, utc_times = _utc_times_coded(staged["ordered_at"])
    taken["kind"] = (
        (staged["kind"].to_numpy() == "return").astype(np.int64),
        np.array(["sale", "return"], dtype=object),
    )
    direct = {
        "batch_id": pa.array(np.full(n, batch_id, dtype=np.int64)),
        "line_number": pa.array(staged["line_number"].to_numpy()),
        "quantity": pa.array(staged["quantity"].to_numpy()),
        "unit_price": pa.array(staged["unit_price"].round(2).to_numpy()),
        "discount_rate": pa.array(staged["discount_rate"].round(4).to_numpy()),
        "on_promotion": pa.array(staged["on_promotion"].to_numpy().astype(bool)),
    }
    # Arrow's strftime, in C++: pandas' costs a Python call per distinct time.
    direct["ordered_at"] = pc.strftime(utc_times, format="%Y-%m-%d %H:%M:%S").take(pa.array(time_codes))
    arrays = [direct[column] if column in direct else _taken(*taken[column]) for column in STAGED_COLUMNS]
    out = io.BytesIO()
    table = pa.Table.from_arrays(arrays, names=list(STAGED_COLUMNS))
    pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False))
    return out.getvalue()


def _taken(codes: np.ndarray, distinct: np.ndarray) -> pa.Array:
    """distinct[codes] as an Arrow string array; a missing value (None, NaN) stays null."""
    values = pa.array(distinct, type=pa.string(), from_pandas=True)
    return values.take(pa.array(codes.astype(np.int64, copy=False)))


def _utc_times_coded(times: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """As _as_utc_text, before the formatting: (codes, distinct UTC times to the second)."""
    codes, distinct = pd.factorize(times, sort=False, use_na_sentinel=False)
    local = pd.DatetimeIndex(distinct).tz_localize(settings.TIME_ZONE, ambiguous="NaT", nonexistent="shift_forward")
    utc = local.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[ns]").astype("datetime64[s]")
    return codes.astype(np.int64, copy=False), pa.array(utc, from_pandas=True)


def _as_utc_text(times: pd.Series) -> pd.Series:
    """Formatting a timestamp as text is the slow part, and an order's lines share its
    time: each distinct time is converted and formatted once, then spread to the lines."""
    if times.empty:
        return times.astype(str)
    codes, distinct = pd.factorize(times, sort=False, use_na_sentinel=False)
    local = pd.DatetimeIndex(distinct).tz_localize(settings.TIME_ZONE, ambiguous="NaT", nonexistent="shift_forward")
    text = local.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    return pd.Series(text[codes], index=times.index)


def issue_frame(issues: pd.DataFrame, *, batch_id: int) -> pd.DataFrame:
    frame = issues.loc[:, ["line_number", "column", "value", "reason", "severity"]].copy()
    frame.insert(0, "batch_id", batch_id)
    frame["column"] = frame["column"].astype(str).str.slice(0, 255)
    frame["reason"] = frame["reason"].astype(str).str.slice(0, 300)
    frame["row"] = [json.dumps(row, ensure_ascii=False) if isinstance(row, dict) else None for row in issues["row"]]
    return frame[list(ISSUE_COLUMNS)]


def write_rows(table: str, columns: Sequence[str], frame: pd.DataFrame) -> None:
    write_payload(table, columns, rows_payload(frame, postgres=connection.vendor == "postgresql"))


def rows_payload(frame: pd.DataFrame, *, postgres: bool) -> bytes | list[tuple]:
    """The rows in the form their write takes: COPY's CSV text for PostgreSQL, tuples for
    executemany elsewhere. Pure Python work, so it can run ahead in another thread."""
    if frame.empty:
        return []
    if postgres:
        return _csv_bytes(frame)
    return list(frame.itertuples(index=False, name=None))


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """Arrow's CSV writer, about three times as fast as pandas' on a chunk of lines. It
    quotes every string, so an empty text is "" (kept as '') and a missing value is
    an empty field (NULL, or '' under FORCE_NOT_NULL)."""
    out = io.BytesIO()
    pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), out, pa_csv.WriteOptions(include_header=False))
    return out.getvalue()


def write_payload(table: str, columns: Sequence[str], payload: bytes | list[tuple]) -> None:
    if not payload:
        return
    if isinstance(payload, bytes):
        _copy_postgres(table, columns, payload)
    else:
        _insert_many(table, columns, payload)


def _copy_postgres(table: str, columns: Sequence[str], text: bytes) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({_not_null(columns)}))"
        ) as copy:
            copy.write(text)


def _not_null(columns: Sequence[str]) -> str:
    """Every text column but `row` reads an empty field as '' rather than NULL."""
    return ", ".join(f'"{c}"' for c in columns if c not in ("row", "batch_id", "line_number", "quantity"))


def _insert_many(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows)

"""The UCI Online Retail file read with its preset: the file's published totals, and
every line accounted for in exactly one class."""

from pathlib import Path

import pandas as pd
import pytest

from retailiq.imports.reading import PRESETS, ReadOptions, propose_mapping, read_orders, sniff_file

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"


@pytest.fixture(scope="module")
def online_retail() -> Path:
    if not DATA.is_file():
        pytest.skip(
            f"{DATA} is absent: put the UCI Online Retail file there (see shared/data/README.md) to run this test"
        )
    return DATA


def test_sniffing_and_proposal_match_the_preset(online_retail):
    found = sniff_file(online_retail)
    assert (found.compressed, found.encoding, found.delimiter, found.decimal) == (True, "utf-8", ",", ".")
    assert found.date_format == PRESETS["online-retail"].options["date_format"]
    proposed = propose_mapping(found.header, found.sample_rows)
    assert {k: v for k, v in proposed.items() if v} == PRESETS["online-retail"].mapping


def test_file_totals_and_every_line_in_one_class(online_retail):
    preset = PRESETS["online-retail"]
    options = ReadOptions.from_dict({**preset.options, "mapping": preset.mapping})
    staged_lines = issue_lines = 0
    kinds: dict[str, int] = {}
    severities: dict[str, int] = {}
    last = None
    for chunk in read_orders(online_retail, options):
        staged_lines += len(chunk.staged)
        issue_lines += len(chunk.issues)
        for kind, count in chunk.staged["kind"].value_counts().items():
            kinds[kind] = kinds.get(kind, 0) + count
        for severity, count in chunk.issues["severity"].value_counts().items():
            severities[severity] = severities.get(severity, 0) + count
        assert (chunk.staged["quantity"] > 0).all()
        assert (chunk.staged["unit_price"] >= 0).all()
        assert not chunk.staged["ordered_at"].isna().any()
        last = chunk
    totals = last.totals
    assert last.bytes_read == online_retail.stat().st_size

    assert totals.lines == 541_909
    assert len(totals.invoices) == 25_900
    assert len(totals.customers) == 4_372
    assert len(totals.skus) == 4_070
    assert round(totals.revenue, 2) == 9_747_747.93

    classes = totals.sale_lines + totals.return_lines + totals.skipped_lines + totals.set_aside_lines
    assert classes + totals.error_lines == totals.lines
    revenues = totals.sale_revenue + totals.return_revenue + totals.skipped_revenue + totals.set_aside_revenue
    assert revenues + totals.error_revenue == pytest.approx(totals.revenue, abs=0.005)
    assert staged_lines + issue_lines == totals.lines
    assert kinds == {"sale": totals.sale_lines, "return": totals.return_lines}
    assert severities == {"skipped": totals.skipped_lines, "set_aside": totals.set_aside_lines} | (
        {"error": totals.error_lines} if totals.error_lines else {}
    )
    # What the preset makes of the file: postage, fees and vouchers skipped, a quarter
    # of the lines (no customer) set aside, nothing rejected.
    assert totals.error_lines == 0
    assert totals.skipped_lines == 2_950
    assert totals.set_aside_lines == 134_050
    assert totals.as_summary()["revenue"] == 9_747_747.93
    assert isinstance(last.staged, pd.DataFrame)

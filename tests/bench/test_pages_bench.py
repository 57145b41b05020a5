"""The page benchmark's core on the tiny demo marketplace: a row for every role's page, each
answered, timed and counted, plus the table requests and exports the pages link to."""

import pytest

from bench import pages_bench
from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace


@pytest.fixture
def tiny_demo(db):
    load_marketplace(generate_marketplace(size="tiny", seed=7))


def test_every_page_gets_a_row_with_sane_numbers(tiny_demo, capsys):
    rows = pages_bench.run(repeat=2)

    pages = [(row.page.split(" ")[0], row.role) for row in rows if row.kind == "page"]
    assert pages == pages_bench.PAGES
    for row in rows:
        assert row.status == 200, row.page
        assert len(row.timings_ms) == 2, row.page
        assert 0 < row.p50_ms <= row.p95_ms <= row.max_ms, row.page
        assert row.bytes > 0, row.page
        if row.kind == "page":
            assert row.queries > 0, row.page  # at least the session and the user
    # The pages' own links are followed: an export, and an HTMX region with its target.
    assert any(row.kind == "csv" for row in rows)
    assert any(row.kind == "htmx" for row in rows)

    pages_bench.print_table(rows)
    printed = capsys.readouterr().out
    assert "p95 ms" in printed and "/analyst/models/ [page]" in printed


def test_discover_reads_table_links_from_the_html():
    page = pages_bench.Target("/rep/", "rep")
    body = (
        '<div class="table-region" id="table-retailers">'
        '<form class="filters" method="get" hx-get="/rep/" hx-target="#table-retailers" hx-swap="outerHTML">'
        '<select name="retailers-city" id="id_city"><option value="">---</option><option value="Pune">Pune</option>'
        "</select></form>"
        '<a class="button small secondary" href="?retailers-export=csv" download>Export CSV</a>'
        '<th scope="col" >\n<a href="?retailers-sort=name&amp;x=1" hx-get="?retailers-sort=name" '
        'hx-target="#table-retailers" hx-swap="outerHTML">Name</a></th></div>'
    )
    found = {(t.path, t.kind, t.htmx_target) for t in pages_bench.discover(page, body)}
    assert found == {
        ("/rep/?retailers-sort=name&x=1", "htmx", "table-retailers"),
        ("/rep/?retailers-city=Pune", "htmx", "table-retailers"),
        ("/rep/?retailers-export=csv", "csv", ""),
    }

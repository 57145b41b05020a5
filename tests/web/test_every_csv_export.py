"""Every CSV the site serves escapes formulas: no module but retailiq.web.csv_export writes
CSV, and every export a page links to, and every .csv address the resolver knows, answers with
no text cell a spreadsheet would run, on a marketplace whose names are formulas."""

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from retailiq.web.csv_export import FORMULA_PREFIXES
from tests.security.test_permission_matrix import _url, resolver_routes, world  # noqa: F401

ROOT = Path(settings.BASE_DIR)
HOMES = {"retailer_a": "/retailer/", "vendor_1": "/vendor/", "rep_a": "/rep/", "analyst": "/analyst/"}
CSV_OWNER = {"vendor/": "vendor_1", "rep/": "rep_a", "retailer/": "retailer_a", "plans/": "vendor_1"}
DEMAND_TABLES = ("forecast", "accuracy", "weekday", "month", "growth", "decline")


def test_no_module_but_the_csv_export_writes_csv():
    writers = re.compile(r"csv\.(writer|DictWriter)\(|text/csv\"|content_type=\"text/csv")
    apps = ["retailiq", "forecasting", "reorder", "optimization", "recommendations"]
    found = [
        path
        for app in apps
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and writers.search(path.read_text())
    ]
    assert [p.relative_to(ROOT).as_posix() for p in found] == ["retailiq/web/csv_export.py"]


def _unsafe_cells(text: str) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [cell for cell in cells if cell.startswith(FORMULA_PREFIXES) and not _is_number(cell)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.fixture
def poisoned(request, marketplace):
    objects = request.getfixturevalue("world")  # the permission matrix's callers and objects
    m = marketplace
    m.shop_a.name, m.shop_b.name = '=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0"
    m.shop_a.save(), m.shop_b.save()
    m.product_1.name, m.product_2.name = "@SUM(1+1)*cmd", "-2+3+cmd"
    m.product_1.save(), m.product_2.save()
    m.vendor_1.name = "\tTAB"
    m.vendor_1.save()
    return objects


def test_every_export_linked_from_a_home_and_every_csv_address_escapes_formulas(poisoned):
    clients = {}
    for name, user in poisoned["users"].items():
        clients[name] = Client()
        clients[name].force_login(user)
    downloads = []
    for caller, home in HOMES.items():
        page = clients[caller].get(home).content.decode()
        links = {unescape(href) for href in re.findall(r'href="([^"]*export=csv[^"]*)"', page)}
        downloads += [(caller, home + link if link.startswith("?") else link) for link in links]
    for route in resolver_routes():
        if ".csv" not in route:
            continue
        caller = next((who for prefix, who in CSV_OWNER.items() if route.startswith(prefix)), "analyst")
        url = _url(route, caller, poisoned)
        if "<slug:table>" in route:
            downloads += [(caller, url.replace("forecast.csv", f"{table}.csv")) for table in DEMAND_TABLES]
        else:
            downloads.append((caller, url))
    assert len(downloads) > 10
    named = 0
    for caller, url in downloads:
        response = clients[caller].get(url)
        if response.status_code == 405:  # a cart posted as CSV
            response = clients[caller].post(url)
        assert response.status_code == 200, (caller, url, response.status_code)
        assert response["Content-Type"].startswith("text/csv"), url
        text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        assert _unsafe_cells(text) == [], url
        named += any(name in text for name in ("'=HYPERLINK", "'+1+cmd", "'@SUM", "'-2+3"))
    assert named >= 3  # the poisoned names did reach several exports, escaped

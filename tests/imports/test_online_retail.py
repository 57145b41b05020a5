"""The UCI Online Retail file imports whole and exactly: what the summary reports
matches what the file holds, and importing it again adds nothing."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from retailiq.catalog.models import Product
from retailiq.imports.models import ImportIssue, ImportState, IssueSeverity
from retailiq.imports.pages import batch_figures
from retailiq.imports.services import import_file
from retailiq.orders.models import Order, OrderKind, OrderLine
from retailiq.retailers.models import Retailer

ONLINE_RETAIL = Path(settings.BASE_DIR).parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"

# Only on PostgreSQL: the embedded run would spend minutes on the same assertions.
pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def online_retail() -> Path:
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"The Online Retail data is not at {ONLINE_RETAIL}; see ../shared/data/README.md.")
    return ONLINE_RETAIL


# The preset states no rate: this test's own assumption, 100 rupees a pound, is given as the analyst would.
RATE = 100.0


def test_the_whole_file_imports_and_reimports_as_nothing(online_retail):
    batch = import_file(path=online_retail, preset="online-retail", options={"exchange_rate": RATE})

    assert batch.state == ImportState.SUCCEEDED, batch.error
    held = batch.summary["file"]
    assert held["lines"] == 541_909
    assert held["invoices"] == 25_900
    assert held["customers"] == 4_372
    assert held["skus"] == 4_070
    assert held["revenue"] == pytest.approx(9_747_747.93, abs=0.005)
    # In pounds, as the file has them: sales and returns (negative) make the net, and the lines not imported
    # (postage and fees, customerless lines, rejected ones) make up the rest of the file's total.
    figures = {figure.label: figure for figure in batch_figures(batch)}
    net = figures["Revenue, net of returns"]
    assert figures["Sales revenue"].in_file + figures["Returns"].in_file == pytest.approx(net.in_file, abs=0.01)
    assert net.in_file < figures["Sales revenue"].in_file
    other = figures["Lines not imported (not products, set aside, rejected)"].in_file
    assert net.in_file + other == pytest.approx(held["revenue"], abs=0.01)
    assert figures["Sales revenue"].imported + figures["Returns"].imported == pytest.approx(net.imported, abs=0.01)
    assert net.in_file_currency == "GBP" and net.imported_currency == "INR"
    # Prices are converted at the rate given into the marketplace's rupees.
    assert batch.options["currency"] == "GBP" and batch.options["exchange_rate"] == RATE
    first = OrderLine.objects.filter(order__external_id="536365", product__sku="85123A").first()
    assert first is not None and float(first.unit_price) == 255.0  # £2.55 a WHITE HANGING HEART T-LIGHT HOLDER
    # Every line is accounted for exactly once.
    assert (
        batch.lines_accepted
        + batch.lines_rejected
        + batch.lines_set_aside
        + batch.lines_skipped
        + batch.lines_already_present
        == batch.lines_read
        == 541_909
    )
    set_aside = ImportIssue.objects.filter(batch=batch, severity=IssueSeverity.SET_ASIDE)
    assert set_aside.count() == batch.lines_set_aside > 100_000
    assert set_aside.first().row["CustomerID"] == ""
    # Non-product codes never become products; cancellations are returns.
    assert not Product.objects.filter(sku__in=["POST", "DOT", "M", "BANK CHARGES", "AMAZONFEE", "CRUK"]).exists()
    assert Order.objects.filter(kind=OrderKind.RETURN, external_id__startswith="C").count() > 3_000
    assert not Order.objects.filter(kind=OrderKind.SALE, external_id__startswith="C").exists()
    # A few customers bought only postage or fees, or only duplicated lines: no retailer for them.
    assert Retailer.objects.count() == OrderLine.objects.values("retailer").distinct().count() <= held["customers"]
    assert OrderLine.objects.count() == batch.lines_accepted
    imported = batch.summary["imported"]
    assert imported["sale_lines"] + imported["return_lines"] == batch.lines_accepted
    assert OrderLine.objects.filter(order__kind=OrderKind.RETURN).count() == imported["return_lines"]

    again = import_file(path=online_retail, preset="online-retail", options={"exchange_rate": RATE})

    assert again.state == ImportState.SUCCEEDED
    assert again.lines_accepted == 0
    assert again.lines_already_present == batch.lines_accepted
    assert OrderLine.objects.count() == batch.lines_accepted
    assert Decimal(str(imported["sale_revenue"])) > 0

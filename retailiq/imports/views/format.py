"""What an import file should look like, and a template to start from."""

from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from retailiq.accounts.models import Role
from retailiq.web.access import role_required
from retailiq.web.csv_export import csv_response

from ..pages import field_rows
from ..reading import ORDER_FIELDS, PRESETS

TEMPLATE_LINES = {
    "order_id": ("SO-1001", "SO-1002"),
    "ordered_at": ("2026-03-02 10:15:00", "2026-03-02 16:40:00"),
    "retailer_id": ("R00042", "R00057"),
    "retailer_name": ("Sharma Kirana Store", "Green Valley Supermart"),
    "retailer_city": ("Pune", "Nagpur"),
    "retailer_region": ("Maharashtra", "Maharashtra"),
    "retailer_country": ("India", "India"),
    "retailer_segment": ("kirana", "supermarket"),
    "retailer_contact_name": ("Ravi Sharma", "Anita Deshmukh"),
    "retailer_phone": ("+91 98220 12345", "0712-2541234"),
    "retailer_email": ("ravi@sharmakirana.in", ""),
    "sku": ("SUN-RICE-5KG", "BLU-SHAM-340"),
    "product_name": ("Sunrise Basmati Rice 5 kg", "Bluecrest Shampoo 340 ml"),
    "category": ("Rice", "Hair care"),
    "brand": ("Sunrise", "Bluecrest"),
    "vendor": ("Sunrise Foods", "Bluecrest Care"),
    # Numbers stay numbers: the CSV writer escapes text starting with "-" as a formula.
    "quantity": (12, -2),
    "unit_price": (Decimal("415.00"), Decimal("189.50")),
    "discount": (Decimal("0.05"), 0),
    "on_promotion": ("yes", "no"),
    "warehouse": ("", ""),
}


@role_required(Role.ANALYST)
@require_GET
def import_format(request: HttpRequest) -> HttpResponse:
    context = {
        "fields": field_rows(),
        "presets": list(PRESETS.values()),
        "max_bytes": settings.RETAILIQ_IMPORT_MAX_BYTES,
        "max_lines": settings.RETAILIQ_IMPORT_MAX_LINES,
    }
    return render(request, "imports/format.html", context)


@role_required(Role.ANALYST)
@require_GET
def import_template_csv(request: HttpRequest) -> HttpResponse:
    """The header names every field; the second example line is a return (negative quantity)."""
    header = [field.name for field in ORDER_FIELDS]
    rows = [[TEMPLATE_LINES.get(name, ("", ""))[i] for name in header] for i in range(2)]
    return csv_response("retailiq-orders-template", header, rows)

"""Known file layouts, so a familiar export imports without mapping by hand."""

from dataclasses import dataclass, field
from typing import Any

# UCI Online Retail's stock codes that are not goods, read off the data's descriptions:
# POST / DOT (postage, dotcom postage), C2 (carriage), M / m (manual adjustments),
# D (discount), S (samples), B (adjust bad debt), BANK CHARGES, AMAZONFEE,
# CRUK (charity commission), PADS (a 0.001 placeholder "to match all cushions") and
# gift_0001_NN (gift vouchers). DCGS... codes are kept: their descriptions are real
# goods (party bags, dog collars, an ashtray) sold through another channel.
ONLINE_RETAIL_NON_PRODUCTS = r"POST|DOT|C2|M|m|D|S|B|BANK CHARGES|AMAZONFEE|CRUK|PADS|gift_0001_\d+"


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    description: str
    mapping: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    "online-retail": Preset(
        name="online-retail",
        label="UCI Online Retail",
        description=(
            "The UCI Machine Learning Repository's Online Retail export: invoices starting with C are "
            "cancellations, postage, fees and vouchers are skipped, lines without a customer are set aside. "
            "Each country doubles as the retailer's region."
        ),
        mapping={
            "order_id": "InvoiceNo",
            "sku": "StockCode",
            "product_name": "Description",
            "quantity": "Quantity",
            "ordered_at": "InvoiceDate",
            "unit_price": "UnitPrice",
            "retailer_id": "CustomerID",
            "retailer_country": "Country",
        },
        options={
            "cancellation_prefix": "C",
            "non_product_pattern": ONLINE_RETAIL_NON_PRODUCTS,
            "missing_retailer": "set_aside",
            "date_format": "%Y-%m-%d %H:%M:%S",
            # The file is one wholesaler's sales: its products get that one vendor.
            "default_vendor": "Online Retail gift-ware wholesaler",
            # Its prices are in pounds sterling. No rate into the marketplace's currency is offered: an
            # invented one would be shown as stated, so the analyst (or the API/command caller) gives it.
            "currency": "GBP",
        },
    ),
}

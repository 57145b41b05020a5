"""The fields an order line can carry, as the import sees them. One definition feeds
the mapping form, the mapping proposal, validation and the reader's checks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """`synonyms` are header names that mean this field (compared after lower-casing and
    dropping spaces and punctuation); `max_length` is the database column's, checked
    while reading so that a long value is a line's error, not a failed import."""

    name: str
    label: str
    required: bool
    kind: str  # 'text' | 'int' | 'decimal' | 'datetime' | 'bool'
    synonyms: tuple[str, ...] = ()
    help: str = ""
    max_length: int | None = None


ORDER_FIELDS: tuple[Field, ...] = (
    Field(
        "order_id",
        "Order ID",
        True,
        "text",
        (
            "order",
            "order id",
            "order no",
            "order number",
            "order nr",
            "order ref",
            "invoice",
            "invoice no",
            "invoice number",
            "invoice id",
            "transaction",
            "transaction id",
            "receipt",
            "receipt no",
            "bill no",
        ),
        "The order or invoice the line belongs to; lines of one order share it.",
        60,
    ),
    Field(
        "ordered_at",
        "Order date",
        True,
        "datetime",
        (
            "date",
            "order date",
            "ordered at",
            "invoice date",
            "order time",
            "date time",
            "datetime",
            "timestamp",
            "transaction date",
            "sale date",
            "sales date",
            "created at",
            "placed at",
            "day",
        ),
        "When the order was placed, in the marketplace's time zone.",
    ),
    Field(
        "retailer_id",
        "Customer ID",
        True,
        "text",
        (
            "customer",
            "customer id",
            "customer no",
            "customer number",
            "customer code",
            "client",
            "client id",
            "retailer",
            "retailer id",
            "retailer code",
            "shop",
            "shop id",
            "store",
            "store id",
            "account",
            "account id",
            "buyer",
            "buyer id",
        ),
        "The retailer (customer) who ordered; new codes create retailers.",
        64,
    ),
    Field(
        "retailer_name",
        "Customer name",
        False,
        "text",
        ("customer name", "client name", "retailer name", "shop name", "store name", "account name", "buyer name"),
        "",
        200,
    ),
    Field(
        "retailer_city", "City", False, "text", ("city", "town", "customer city", "shop city", "store city"), "", 100
    ),
    Field(
        "retailer_region", "Region", False, "text", ("region", "state", "province", "county", "area", "zone"), "", 100
    ),
    Field(
        "retailer_country", "Country", False, "text", ("country", "nation", "customer country", "country code"), "", 100
    ),
    Field(
        "retailer_segment",
        "Segment",
        False,
        "text",
        ("segment", "customer segment", "customer type", "retailer type", "channel", "shop type", "store type"),
        "The kind of retailer, for segment-level reports.",
        16,
    ),
    # Contacts fill a new retailer's, and only the blank ones of a retailer already known: a contact someone
    # set in RetailIQ is never overwritten by a file.
    Field(
        "retailer_contact_name",
        "Contact person",
        False,
        "text",
        ("contact", "contact name", "contact person", "owner", "owner name", "proprietor", "buyer contact"),
        "Who a sales rep asks for; fills a retailer's blank contact, never replaces one.",
        120,
    ),
    Field(
        "retailer_phone",
        "Phone",
        False,
        "text",
        (
            "phone",
            "phone number",
            "phone no",
            "telephone",
            "tel",
            "mobile",
            "mobile number",
            "contact phone",
            "customer phone",
            "shop phone",
        ),
        "Digits with an optional leading + and spaces, dashes, dots or brackets (7 to 15 digits).",
        32,
    ),
    Field(
        "retailer_email",
        "Email",
        False,
        "text",
        ("email", "e mail", "email address", "mail", "contact email", "customer email"),
        "One address such as owner@example.com.",
        254,
    ),
    Field(
        "sku",
        "SKU",
        True,
        "text",
        (
            "sku",
            "stock code",
            "stockcode",
            "item",
            "item code",
            "item id",
            "item no",
            "product code",
            "product id",
            "article",
            "article no",
            "part number",
            "part no",
            "ean",
            "upc",
            "barcode",
            "material",
        ),
        "The product's code; new codes create products.",
        64,
    ),
    Field(
        "product_name",
        "Product name",
        False,
        "text",
        ("description", "product", "product name", "item name", "item description", "article name", "title", "name"),
        "",
        255,
    ),
    Field(
        "category",
        "Category",
        False,
        "text",
        ("category", "product category", "department", "family", "group"),
        "",
        120,
    ),
    Field("brand", "Brand", False, "text", ("brand", "make", "label", "brand name"), "", 120),
    Field(
        "vendor",
        "Vendor",
        False,
        "text",
        ("vendor", "supplier", "manufacturer", "seller", "vendor name", "supplier name", "distributor"),
        "Who supplies the product; empty means the import's default vendor.",
        200,
    ),
    Field(
        "quantity",
        "Quantity",
        True,
        "int",
        ("quantity", "qty", "units", "unit count", "pieces", "pcs", "count", "volume", "amount ordered", "qty ordered"),
        "Units on the line; negative means a return.",
    ),
    Field(
        "unit_price",
        "Unit price",
        True,
        "decimal",
        ("price", "unit price", "unitprice", "price per unit", "unit cost", "rate", "selling price", "net price"),
        "Price of one unit, in the marketplace's currency.",
    ),
    Field(
        "discount",
        "Discount",
        False,
        "decimal",
        ("discount", "discount rate", "discount pct", "discount percent", "disc", "rebate"),
        "A fraction below 1 (0.15) or a percentage (15 or 15%).",
    ),
    Field(
        "on_promotion",
        "On promotion",
        False,
        "bool",
        ("promotion", "on promotion", "promo", "on promo", "promoted", "is promo"),
        "true/false, yes/no, y/n or 1/0.",
    ),
    Field(
        "warehouse", "Warehouse", False, "text", ("warehouse", "depot", "location", "site", "fulfilment centre"), "", 40
    ),
)

FIELDS_BY_NAME: dict[str, Field] = {field.name: field for field in ORDER_FIELDS}

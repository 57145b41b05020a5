"""Proposing and validating column mappings, the field definitions, presets and the
read options' JSON round trip."""

import json
import re

import pytest

from retailiq.imports.reading import (
    FIELDS_BY_NAME,
    ORDER_FIELDS,
    PRESETS,
    ReadOptions,
    propose_mapping,
    validate_mapping,
)

ONLINE_RETAIL_HEADER = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
ONLINE_RETAIL_ROWS = [
    [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "6",
        "2010-12-01 08:26:00",
        "2.55",
        "17850",
        "United Kingdom",
    ],
    ["536365", "71053", "WHITE METAL LANTERN", "6", "2010-12-01 08:26:00", "3.39", "17850", "United Kingdom"],
]


def test_fields_are_the_contracts():
    assert [f.name for f in ORDER_FIELDS] == [
        "order_id", "ordered_at", "retailer_id", "retailer_name", "retailer_city", "retailer_region",
        "retailer_country", "retailer_segment", "retailer_contact_name", "retailer_phone", "retailer_email", "sku",
        "product_name", "category", "brand", "vendor", "quantity", "unit_price", "discount", "on_promotion",
        "warehouse",
    ]  # fmt: skip
    required = {f.name for f in ORDER_FIELDS if f.required}
    assert required == {"order_id", "ordered_at", "retailer_id", "sku", "quantity", "unit_price"}
    lengths = {f.name: f.max_length for f in ORDER_FIELDS if f.max_length}
    assert lengths == {
        "order_id": 60, "retailer_id": 64, "retailer_name": 200, "retailer_city": 100, "retailer_region": 100,
        "retailer_country": 100, "retailer_segment": 16, "retailer_contact_name": 120, "retailer_phone": 32,
        "retailer_email": 254, "sku": 64, "product_name": 255, "category": 120,
        "brand": 120, "vendor": 200, "warehouse": 40,
    }  # fmt: skip
    assert FIELDS_BY_NAME["quantity"].kind == "int"


def test_propose_mapping_on_online_retail_header_matches_the_preset():
    proposed = propose_mapping(ONLINE_RETAIL_HEADER, ONLINE_RETAIL_ROWS)
    assert set(proposed) == set(FIELDS_BY_NAME)
    assert {k: v for k, v in proposed.items() if v} == PRESETS["online-retail"].mapping


def test_propose_mapping_by_other_names():
    header = ["Order No", "Date", "Shop", "Item", "Qty", "Price"]
    rows = [["A-1", "01.02.2011", "S17", "MUG-1", "3", "2,50"]]
    proposed = propose_mapping(header, rows)
    assert {k: v for k, v in proposed.items() if v} == {
        "order_id": "Order No",
        "ordered_at": "Date",
        "retailer_id": "Shop",
        "sku": "Item",
        "quantity": "Qty",
        "unit_price": "Price",
    }


def test_propose_mapping_by_partial_names():
    proposed = propose_mapping(["Invoice Number", "Customer Number", "Unit Price (GBP)", "Warehouse Code"], [])
    assert proposed["order_id"] == "Invoice Number"
    assert proposed["retailer_id"] == "Customer Number"
    assert proposed["unit_price"] == "Unit Price (GBP)"
    assert proposed["warehouse"] == "Warehouse Code"


def test_propose_mapping_by_content_when_names_do_not_help():
    header = ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    rows = [
        ["536365", "85123A", "WHITE HANGING HEART", "6", "2010-12-01 08:26:00", "2.55", "17850"],
        ["536365", "71053", "WHITE METAL LANTERN", "6", "2010-12-01 08:26:00", "3.39", "17850"],
        ["536366", "22633", "HAND WARMER UNION JACK", "12", "2010-12-01 08:28:00", "1.85", "17851"],
        ["536367", "84879", "ASSORTED COLOUR BIRD", "32", "2010-12-01 08:34:00", "1.69", "13047"],
    ]
    proposed = propose_mapping(header, rows)
    assert proposed["ordered_at"] == "c5"
    assert proposed["quantity"] == "c4"
    assert proposed["unit_price"] == "c6"
    assert proposed["sku"] == "c2"
    assert proposed["order_id"] == "c1"
    assert proposed["retailer_id"] == "c7"
    assert proposed["product_name"] == "c3"


def test_propose_mapping_uses_each_column_once():
    proposed = propose_mapping(["date", "Date", "qty", "price"], [["2011-01-01", "2011-01-02", "3", "4"]])
    used = [v for v in proposed.values() if v]
    assert len(used) == len(set(used))
    assert (proposed["ordered_at"], proposed["quantity"], proposed["unit_price"]) == ("date", "qty", "price")


def test_validate_mapping_accepts_the_preset():
    assert validate_mapping(PRESETS["online-retail"].mapping, ONLINE_RETAIL_HEADER) == []


def test_validate_mapping_messages_name_the_field():
    mapping = dict(PRESETS["online-retail"].mapping)
    del mapping["quantity"]
    mapping["unit_price"] = "Price"
    mapping["product_name"] = "StockCode"
    mapping["colour"] = "Description"
    problems = validate_mapping(mapping, ONLINE_RETAIL_HEADER)
    assert problems == [
        "There is no field (colour) to map a column to.",
        "Column ‘StockCode’ is mapped to both ‘SKU’ (sku) and ‘Product name’ (product_name).",
        "Map a column to ‘Quantity’ (quantity): it is required.",
        "Column ‘Price’ is not in the file's header; choose another for ‘Unit price’ (unit_price).",
    ]


def test_validate_mapping_treats_empty_as_unmapped():
    mapping = dict(PRESETS["online-retail"].mapping) | {"order_id": "", "brand": None}
    assert validate_mapping(mapping, ONLINE_RETAIL_HEADER) == ["Map a column to ‘Order ID’ (order_id): it is required."]


def test_online_retail_preset_non_product_pattern():
    pattern = re.compile(PRESETS["online-retail"].options["non_product_pattern"])
    for code in [
        "POST",
        "DOT",
        "M",
        "m",
        "BANK CHARGES",
        "AMAZONFEE",
        "CRUK",
        "D",
        "S",
        "B",
        "C2",
        "PADS",
        "gift_0001_10",
    ]:
        assert pattern.fullmatch(code), code
    for code in ["85123A", "71053", "DCGSSBOY", "DCGS0003", "POST2", "84029G", "15056BL", "79323P"]:
        assert not pattern.fullmatch(code), code


def test_preset_options_are_valid_read_options():
    preset = PRESETS["online-retail"]
    options = ReadOptions.from_dict({**preset.options, "mapping": preset.mapping})
    assert options.cancellation_prefix == "C"
    assert options.missing_retailer == "set_aside"
    assert options.date_format == "%Y-%m-%d %H:%M:%S"


def test_read_options_round_trip_through_json():
    options = ReadOptions(
        mapping={"order_id": "Order", "brand": ""},
        encoding="latin-1",
        delimiter=";",
        decimal=",",
        date_format="%d.%m.%Y",
        max_lines=10,
        chunk_lines=5,
    )
    assert options.mapping == {"order_id": "Order", "brand": None}
    again = ReadOptions.from_dict(json.loads(json.dumps(options.to_dict())))
    assert again == options


def test_read_options_ignore_keys_they_do_not_know():
    options = ReadOptions.from_dict({"mapping": {}, "auto_create_retailers": True, "delimiter": ";"})
    assert options.delimiter == ";"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"encoding": "klingon"}, "unknown encoding"),
        ({"delimiter": ";;"}, "one character"),
        ({"decimal": ";"}, "decimal mark"),
        ({"delimiter": ",", "decimal": ","}, "cannot also be the delimiter"),
        ({"missing_retailer": "ignore"}, "missing_retailer"),
        ({"non_product_pattern": "POST|("}, "regular expression"),
        ({"non_product_pattern": "(a+)+"}, "repeats a group"),
        ({"encoding": "rot13"}, "not a text encoding"),
        ({"date_format": "%Q"}, "date_format"),
        ({"chunk_lines": 0}, "chunk_lines"),
        ({"max_lines": -1}, "max_lines"),
    ],
)
def test_read_options_refuse_bad_values(changes, message):
    with pytest.raises(ValueError, match=message):
        ReadOptions.from_dict({"mapping": {}} | changes)

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ORDERS_HEADER = "order_id,ordered_at,retailer_id,retailer_name,city,sku,product_name,category,quantity,unit_price"


@pytest.fixture
def orders_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write an orders CSV (header included unless given) and return its path."""

    def write(body: str, *, name: str = "orders.csv", header: str = ORDERS_HEADER) -> Path:
        path = tmp_path / name
        text = textwrap.dedent(body).strip("\n")
        path.write_text(f"{header}\n{text}\n" if header else f"{text}\n", encoding="utf-8")
        return path

    return write

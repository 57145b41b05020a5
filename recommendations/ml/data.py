"""The frames every recommender reads, and the shared matrices built from them once per fit.

``orders``: one row per order line, ``retailer_id``, ``product_id``, ``date`` (day) and optionally ``quantity``; the
lines of one retailer on one day are one basket (the same names as the reorder history, so one frame serves both).
``products`` (optional): ``product_id`` and any of ``name``, ``category_id``, ``brand``, ``unit_price``; products
listed here but never ordered are still recommendable (content cold start).
``retailers`` (optional): ``retailer_id`` and any of ``segment``, ``city``; a retailer with no order still gets lists.
``feedback`` (optional): ``retailer_id``, ``product_id``, ``date``, ``action`` as the shops reacted to their lists;
clicks and adds to cart before ``as_of`` add to the confidence of their pair (``FEEDBACK_WEIGHTS``).
``as_of`` is the day after the last order, as in reorder: what happened before it is history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

PRODUCT_COLUMNS = ("name", "category_id", "brand", "unit_price")
# What a shop's reaction to a shown list adds to its implicit-feedback confidence, in baskets: an add to the cart
# says more than a click, and neither as much as an order. Dismissals are rules, not signal.
FEEDBACK_WEIGHTS = {"clicked": 0.25, "added_to_cart": 0.5}
RETAILER_COLUMNS = ("segment", "city")
UNKNOWN = "unknown"


class OrdersError(ValueError):
    """An input frame does not follow the documented format."""


def validate_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """The order lines with days for dates and a positive quantity (1 when absent); raises :class:`OrdersError`."""
    if not isinstance(orders, pd.DataFrame):
        raise OrdersError(f"orders must be a pandas DataFrame, not {type(orders).__name__}")
    missing = [c for c in ("retailer_id", "product_id", "date") if c not in orders.columns]
    if missing:
        raise OrdersError(f"orders lack required columns: {', '.join(missing)}")
    frame = orders[[c for c in ("retailer_id", "product_id", "date", "quantity") if c in orders.columns]].copy()
    for column in ("retailer_id", "product_id", "date"):
        if frame[column].isna().any():
            raise OrdersError(f"column '{column}' has {int(frame[column].isna().sum())} missing values")
    try:
        frame["date"] = pd.to_datetime(frame["date"]).dt.floor("D")
    except (ValueError, TypeError) as exc:
        raise OrdersError(f"column 'date' cannot be read as dates: {exc}") from exc
    if "quantity" in frame.columns:
        frame["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce")
        if not (frame["quantity"] > 0).all():
            raise OrdersError("column 'quantity' must be a positive number on every line")
    else:
        frame["quantity"] = 1.0
    return frame.reset_index(drop=True)


def _attributes(frame: pd.DataFrame | None, key: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=[key, *columns])
    if key not in frame.columns:
        raise OrdersError(f"the {key.removesuffix('_id')} frame lacks the column '{key}'")
    return frame.drop_duplicates(key, keep="last")


def _ids(ordered: pd.Series, listed: pd.Series) -> pd.Index:
    """Ids in order of first appearance: those with orders, then those only listed."""
    values = ordered.tolist() + listed.tolist()
    return pd.Index(pd.unique(np.asarray(values, dtype=object)))


def _feedback_confidence(
    feedback: pd.DataFrame | None, retailer_ids: pd.Index, product_ids: pd.Index, as_of: pd.Timestamp, half_life: float
) -> sp.csr_matrix:
    """Clicks and adds to cart before ``as_of`` on known shops and products, weighted by ``FEEDBACK_WEIGHTS`` and
    recency as baskets are."""
    shape = (len(retailer_ids), len(product_ids))
    if feedback is None or feedback.empty:
        return sp.csr_matrix(shape)
    rows = feedback[feedback["action"].isin(list(FEEDBACK_WEIGHTS))]
    dates = pd.to_datetime(rows["date"]).dt.floor("D")
    r = retailer_ids.get_indexer(rows["retailer_id"])
    p = product_ids.get_indexer(rows["product_id"])
    keep = ((dates < as_of) & (r >= 0) & (p >= 0)).to_numpy()
    weight = rows["action"].map(FEEDBACK_WEIGHTS).to_numpy(dtype=float)[keep]
    age = (as_of - dates[keep]).dt.days.to_numpy(dtype=float)
    return sp.csr_matrix((weight * np.power(0.5, age / half_life), (r[keep], p[keep])), shape=shape)


@dataclass
class TrainingData:
    """Validated frames, the id indexes every generator shares, and the matrices they all start from.

    ``baskets`` holds one row per retailer x product x day (``r``, ``p`` integer positions, ``age`` in days before
    ``as_of``); ``counts`` is retailers x products, the number of baskets with the product; ``confidence`` the same
    counts weighted by recency (half-life ``half_life_days``), plus the shops' clicks and adds to cart weighted
    alike, compressed by log1p: the implicit-feedback confidence the collaborative and content models read.
    Purchases alone make ``counts`` and ``baskets``, so buy again and the repeat signals count orders only.
    """

    retailer_ids: np.ndarray
    product_ids: np.ndarray
    products: pd.DataFrame
    retailers: pd.DataFrame
    baskets: pd.DataFrame
    counts: sp.csr_matrix
    confidence: sp.csr_matrix
    as_of: pd.Timestamp
    half_life_days: float

    @classmethod
    def build(
        cls,
        orders: pd.DataFrame,
        products: pd.DataFrame | None = None,
        retailers: pd.DataFrame | None = None,
        *,
        as_of: pd.Timestamp | str | None = None,
        half_life_days: float = 90.0,
        feedback: pd.DataFrame | None = None,
    ) -> TrainingData:
        valid = validate_orders(orders)
        as_of = pd.Timestamp(as_of).normalize() if as_of is not None else valid["date"].max() + pd.Timedelta(days=1)
        valid = valid[valid["date"] < as_of]
        if valid.empty:
            raise OrdersError("there is no order before as_of to learn from")
        products = _attributes(products, "product_id", PRODUCT_COLUMNS)
        retailers = _attributes(retailers, "retailer_id", RETAILER_COLUMNS)
        product_ids = _ids(valid["product_id"], products["product_id"])
        retailer_ids = _ids(valid["retailer_id"], retailers["retailer_id"])
        products = products.set_index("product_id").reindex(product_ids)
        retailers = retailers.set_index("retailer_id").reindex(retailer_ids)
        for column in PRODUCT_COLUMNS:
            if column not in products.columns:
                products[column] = np.nan if column == "unit_price" else UNKNOWN
        for column in RETAILER_COLUMNS:
            if column not in retailers.columns:
                retailers[column] = UNKNOWN
        for column in ("name", "category_id", "brand"):
            products[column] = products[column].astype(object).where(products[column].notna(), UNKNOWN).astype(str)
        products["name"] = products["name"].where(products["name"] != UNKNOWN, product_ids.astype(str))
        for column in RETAILER_COLUMNS:
            retailers[column] = retailers[column].astype(object).where(retailers[column].notna(), UNKNOWN).astype(str)
        products["unit_price"] = pd.to_numeric(products["unit_price"], errors="coerce")

        baskets = valid.groupby(["retailer_id", "product_id", "date"], sort=True).agg(quantity=("quantity", "sum"))
        baskets = baskets.reset_index()
        baskets["r"] = retailer_ids.get_indexer(baskets["retailer_id"])
        baskets["p"] = product_ids.get_indexer(baskets["product_id"])
        baskets["age"] = (as_of - baskets["date"]).dt.days.astype(float)
        shape = (len(retailer_ids), len(product_ids))
        counts = sp.csr_matrix((np.ones(len(baskets)), (baskets["r"], baskets["p"])), shape=shape)
        decay = np.power(0.5, baskets["age"].to_numpy() / half_life_days)
        confidence = sp.csr_matrix((decay, (baskets["r"], baskets["p"])), shape=shape)
        confidence = confidence + _feedback_confidence(feedback, retailer_ids, product_ids, as_of, half_life_days)
        confidence.data = np.log1p(confidence.data)
        return cls(
            retailer_ids=np.asarray(retailer_ids, dtype=object),
            product_ids=np.asarray(product_ids, dtype=object),
            products=products,
            retailers=retailers,
            baskets=baskets,
            counts=counts.astype(np.float32),
            confidence=confidence.astype(np.float32),
            as_of=as_of,
            half_life_days=half_life_days,
        )

    @property
    def n_products(self) -> int:
        return len(self.product_ids)

    def retailer_positions(self, retailer_ids) -> np.ndarray:
        """Row of each retailer in the matrices, -1 for a retailer this data has never seen."""
        return pd.Index(self.retailer_ids).get_indexer(pd.Index(list(retailer_ids)))

    def product_positions(self, product_ids) -> np.ndarray:
        return pd.Index(self.product_ids).get_indexer(pd.Index(list(product_ids)))

"""Every product's place in the catalog, as the forecasters' static codes: category, parent category, brand and
vendor ids, the list price, and the price band (0 = the cheapest fifth of its category by list price, to 4).

A band ranks a product among every product of its category, so an answer for one product reads the same rows as
one for the whole catalog; the catalog is therefore computed once, whole, per data version and directory stamp, and
kept in the process (``retailiq.features.cache``), where recomputing it cost an on-demand forecast a fifth of its
time. The key holds the directory stamp beside the data version because a product's edit moves that stamp at once
(the data version is memoised for seconds); a product created without the signal (a raw import) that the kept
catalog lacks makes it be read again, never a missing code."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retailiq.catalog.models import Product
from retailiq.core.directory import DIRECTORY_GENERATION
from retailiq.core.generations import generation
from retailiq.features import FeatureSet, register, validate
from retailiq.features.cache import cached_features
from retailiq.features.spec import columns

PRICE_BANDS = 5
MISSING_CODE = -1
CODES = ("category", "parent_category", "brand", "vendor")

CATALOG_CODES = register(
    FeatureSet(
        name="forecasting.catalog",
        keys=("id",),
        description="Each product's catalog codes (database ids, -1 when missing), list price and price band "
        "within its category.",
        columns=(
            *columns(CODES, dtype="int", minimum=MISSING_CODE),
            *columns(["list_price"], minimum=0),
            *columns(["price_band"], dtype="int", minimum=0, maximum=PRICE_BANDS - 1),
        ),
    )
)


def catalog_codes_compute() -> pd.DataFrame:
    """Every product's codes, list price and band, indexed by product id (one query over the products)."""
    rows = Product.objects.values_list(
        "id", "category_id", "category__parent_id", "brand_id", "vendor_id", "unit_price"
    ).order_by()
    records = list(rows)
    ids, category, parent, brand, vendor, price = (list(c) for c in zip(*records, strict=True)) if records else [[]] * 6
    catalog = pd.DataFrame(
        {
            "id": np.asarray(ids, dtype=np.int64),
            **{
                name: np.asarray([MISSING_CODE if v is None else v for v in values], dtype=np.int64)
                for name, values in zip(CODES, (category, parent, brand, vendor), strict=True)
            },
            "list_price": np.asarray([float(p) for p in price], dtype=float),
        }
    )
    by_category = catalog.groupby("category")["list_price"]
    rank = by_category.rank(method="min") - 1  # 0..n-1 within the category
    catalog["price_band"] = np.floor(rank / by_category.transform("size") * PRICE_BANDS).astype(np.int64)
    return validate(catalog, CATALOG_CODES).set_index("id")


def catalog_codes() -> pd.DataFrame:
    """:func:`catalog_codes_compute`, once per data version and directory stamp."""
    return cached_features(
        CATALOG_CODES,
        entity=f"all:{generation(DIRECTORY_GENERATION)}",
        cutoff="now",
        compute=catalog_codes_compute,
        in_process=True,
    )


def catalog_of(ids: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The products' list prices and static codes (CODES and ``price_band``), row for row in ``ids`` order."""
    catalog = catalog_codes()
    if not np.isin(ids, catalog.index.to_numpy()).all():
        catalog = catalog_codes_compute()  # created since the catalog was kept, without moving the stamp
    found = catalog.reindex(ids)
    if found["vendor"].isna().any():
        missing = ids[found["vendor"].isna().to_numpy()]
        raise ValueError(f"No product with id {', '.join(map(str, missing[:5]))}.")
    static = {name: found[name].to_numpy(dtype=np.int64) for name in [*CODES, "price_band"]}
    return found["list_price"].to_numpy(dtype=float), static

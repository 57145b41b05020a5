"""A small seeded marketplace for the recommendations ML tests: shops in segments and cities, products in
categories with a brand and a price, regular repeat purchases and taste shared within a segment."""

import numpy as np
import pandas as pd

START = pd.Timestamp("2024-01-01")
CATEGORIES = ("Snacks", "Beverages", "Dairy", "Household")
WORDS = {
    "Snacks": ("chips", "biscuits", "namkeen", "cookies"),
    "Beverages": ("tea", "coffee", "juice", "cola"),
    "Dairy": ("milk", "paneer", "curd", "butter"),
    "Household": ("soap", "detergent", "broom", "bleach"),
}


def marketplace(n_shops: int = 60, n_products: int = 40, days: int = 180, seed: int = 0):
    """``(orders, products, retailers)``. Each segment prefers two categories; each shop has a few staples it buys
    on its own cycle and now and then tries a product its segment likes, so there is something to discover."""
    rng = np.random.default_rng(seed)
    products = pd.DataFrame(
        {
            "product_id": [f"P{i:03d}" for i in range(n_products)],
            "category_id": [CATEGORIES[i % len(CATEGORIES)] for i in range(n_products)],
            "brand": [f"Brand {i % 5}" for i in range(n_products)],
            "unit_price": [10.0 + 7 * (i % 9) for i in range(n_products)],
        }
    )
    products["name"] = [
        f"{products.brand[i]} {WORDS[c][i % 4]} {50 + 10 * (i % 3)}g" for i, c in enumerate(products.category_id)
    ]
    retailers = pd.DataFrame(
        {
            "retailer_id": [f"S{i:03d}" for i in range(n_shops)],
            "segment": [("kirana", "pharmacy", "supermarket")[i % 3] for i in range(n_shops)],
            "city": [("Pune", "Delhi")[i % 2] for i in range(n_shops)],
        }
    )
    liked = {segment: set(rng.choice(len(CATEGORIES), 2, replace=False)) for segment in retailers.segment.unique()}
    rows = []
    for shop, segment in zip(retailers.retailer_id, retailers.segment, strict=True):
        pool = [p for p in range(n_products) if p % len(CATEGORIES) in liked[segment]]
        staples = rng.choice(pool, size=4, replace=False)
        for product in staples:
            period = int(rng.integers(7, 30))
            for day in range(int(rng.integers(0, period)), days, period):
                rows.append((shop, products.product_id[product], START + pd.Timedelta(days=day), 1 + rng.poisson(5)))
        for day in rng.choice(days, size=6, replace=False):
            product = rng.choice(pool)
            rows.append((shop, products.product_id[product], START + pd.Timedelta(days=int(day)), 1 + rng.poisson(2)))
    orders = pd.DataFrame(rows, columns=["retailer_id", "product_id", "date", "quantity"])
    return orders.sort_values(["date", "retailer_id"], kind="stable").reset_index(drop=True), products, retailers

"""Small seeded order histories for the reorder ML tests."""

import numpy as np
import pandas as pd

START = pd.Timestamp("2023-01-01")


def periodic_history(
    n_retailers: int = 30, n_products: int = 20, days: int = 360, seed: int = 0, churn_share: float = 0.0
) -> pd.DataFrame:
    """Each pair orders on its own cycle (5 to 40 days) with a little jitter; quantities vary around a mean.

    With ``churn_share``, that share of pairs stops ordering for good on a random day: long overdue then means
    "gone", which a rule that calls every overdue pair a reorder gets wrong and a learned model can learn."""
    rng = np.random.default_rng(seed)
    rows = []
    for retailer in range(n_retailers):
        for product in rng.choice(n_products, size=int(rng.integers(3, 9)), replace=False):
            period = int(rng.integers(5, 40))
            mean_qty = float(rng.integers(2, 20))
            stops = int(rng.integers(days // 4, days)) if rng.uniform() < churn_share else days
            for day in range(int(rng.integers(0, period)), stops, period):
                rows.append(
                    (
                        retailer,
                        int(product),
                        START + pd.Timedelta(days=max(0, day + int(rng.integers(-2, 3)))),
                        max(1.0, float(rng.normal(mean_qty, 2))),
                        10.0 + product,
                        float(rng.choice([0.0, 0.0, 0.1])),
                    )
                )
    history = pd.DataFrame(
        rows, columns=["retailer_id", "product_id", "date", "quantity", "unit_price", "discount_rate"]
    )
    history["segment"] = history["retailer_id"] % 3
    history["city"] = history["retailer_id"] % 5
    history["category_id"] = history["product_id"] % 4
    history["vendor_id"] = history["product_id"] % 6
    return history

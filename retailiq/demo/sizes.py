from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSize:
    """How big a generated marketplace is. `days` of order history end at the end date."""

    vendors: int
    retailers: int
    products: int
    days: int
    cities: int
    reps: int
    warehouses: int
    basket_scale: float  # multiplies how many distinct products each retailer buys
    bundles: int


SIZES: dict[str, DemoSize] = {
    "tiny": DemoSize(
        vendors=3, retailers=24, products=40, days=150, cities=3, reps=2, warehouses=2, basket_scale=0.5, bundles=4
    ),
    "demo": DemoSize(
        vendors=8, retailers=250, products=400, days=760, cities=6, reps=8, warehouses=4, basket_scale=1.0, bundles=30
    ),
    "large": DemoSize(
        vendors=16,
        retailers=600,
        products=1200,
        days=1000,
        cities=8,
        reps=20,
        warehouses=6,
        basket_scale=1.0,
        bundles=90,
    ),
    # About 15 M order lines over three years: the scale report's largest point. Far past what a
    # laptop (or this project's 2-core test machine) loads in minutes; see docs/benchmarks.md.
    "xlarge": DemoSize(
        vendors=60,
        retailers=5000,
        products=5000,
        days=1095,
        cities=12,
        reps=160,
        warehouses=10,
        basket_scale=1.25,
        bundles=300,
    ),
}

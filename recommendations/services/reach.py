"""What reps and vendors read from the lists: a rep's products to pitch per shop, and a vendor's reach (which
shops its products are recommended to, how many took them up) and prospects (the shops most likely to take each
of its products)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max

from retailiq.accounts.models import User
from retailiq.core.errors import NotFound

from ..conf import recommendations_settings
from ..models import RecommendationKind
from ..selectors import latest_order_day, order_frame, recommendation_batch_serving, recommendation_list_for_user
from .shop import ShopRecommendations, shop_recommendations

PITCH_SHOPS = 6
PITCH_ITEMS = 3


def rep_pitches(*, user: User, shops: int = PITCH_SHOPS, per_shop: int = PITCH_ITEMS) -> list[ShopRecommendations]:
    """For the rep's shops (most recently active first), the top products new to each: what to pitch."""
    from ..selectors import recommendation_retailers_for_user

    assigned = (
        recommendation_retailers_for_user(user=user)
        .annotate(last_order=Max("order_lines__placed_on"))
        .order_by("-last_order", "name")[:shops]
    )
    pitches = []
    for shop in assigned:
        try:
            pitches.append(
                shop_recommendations(user=user, retailer_id=shop.pk, kind=RecommendationKind.DISCOVER, k=per_shop)
            )
        except NotFound:
            continue  # the shop was reassigned between the two reads: it is no longer the rep's to pitch to
    return pitches


@dataclass(frozen=True)
class ProductReach:
    product_id: int
    name: str
    shops: int  # shops it is recommended to in the serving batch
    taken_up: int  # of the shops it was recommended to in earlier batches, those that then ordered it
    offered: int  # shop x product pairs of earlier batches whose uptake window is over


@dataclass(frozen=True)
class Prospect:
    product_id: int
    product_name: str
    retailer_id: int
    retailer_name: str
    city: str
    score: float
    reason: str


@dataclass(frozen=True)
class VendorReach:
    as_of: dt.date | None
    stored: bool
    products: list[ProductReach]
    prospects: list[Prospect]


def vendor_reach(*, user: User, prospects: int = 20) -> VendorReach:
    """The vendor's products (analysts: every product) in the serving batch's discover lists, their uptake over
    the serving version's earlier batches, and the best-scored shops for them."""
    batch = recommendation_batch_serving()
    if not batch.stored:
        return VendorReach(batch.as_of, False, [], [])
    rows = recommendation_list_for_user(user=user).filter(model_version=batch.version)
    current = rows.filter(as_of=batch.as_of, kind=RecommendationKind.DISCOVER)
    per_product = (
        current.values("product_id", "product__name")
        .annotate(shops=Count("retailer", distinct=True))
        .order_by("-shops")
    )
    uptake = _uptake(rows.exclude(as_of=batch.as_of))
    products = [
        ProductReach(
            product_id=row["product_id"],
            name=row["product__name"],
            shops=row["shops"],
            taken_up=uptake.get(row["product_id"], (0, 0))[0],
            offered=uptake.get(row["product_id"], (0, 0))[1],
        )
        for row in per_product
    ]
    best = current.select_related("product", "retailer").order_by("-score")[:prospects]
    return VendorReach(
        batch.as_of,
        True,
        products,
        [
            Prospect(r.product_id, r.product.name, r.retailer_id, r.retailer.name, r.retailer.city, r.score, r.reason)
            for r in best
        ],
    )


def _uptake(rows) -> dict[int, tuple[int, int]]:
    """Per product: (pairs the shop ordered within the uptake window, pairs whose window is over)."""
    last = latest_order_day()
    days = recommendations_settings().uptake_days
    if last is None:
        return {}
    closed = list(
        rows.filter(as_of__lte=last - dt.timedelta(days=days - 1))
        .order_by()
        .values_list("retailer_id", "product_id", "as_of")
        .distinct()
    )
    if not closed:
        return {}
    start = min(day for _, _, day in closed)
    orders = order_frame(start=start, end=last, retailer_ids=sorted({r for r, _, _ in closed}))
    bought: dict[tuple[int, int], list] = {}
    for r, p, day in zip(orders["retailer_id"], orders["product_id"], orders["date"].dt.date, strict=True):
        bought.setdefault((int(r), int(p)), []).append(day)
    out: dict[int, list[int]] = {}
    for r, p, day in closed:
        taken = any(day <= d < day + dt.timedelta(days=days) for d in bought.get((r, p), ()))
        counts = out.setdefault(p, [0, 0])
        counts[0] += int(taken)
        counts[1] += 1
    return {p: (c[0], c[1]) for p, c in out.items()}

"""A shop's lists as the pages and the API ask for them: from the stored nightly batch where it answers, on
demand through the registry's serving otherwise (an anchor product, a longer list, nothing stored yet). Either
way the shop's dismissals and the inactive catalogue are left out at read time, so a product dismissed a second
ago is already gone."""

import datetime as dt
from dataclasses import dataclass

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.catalog.selectors import product_list_for_user
from retailiq.core.errors import InvalidInput, NotFound
from retailiq.registry.services import prediction_serve
from retailiq.retailers.models import Retailer

from ..conf import recommendations_settings
from ..models import RecommendationKind
from ..selectors import (
    CAPABILITY,
    dismissed_pairs,
    recommendation_batch_serving,
    recommendation_list_for_user,
    recommendation_retailers_for_user,
)

MAX_K = 50
DEFAULT_K = 10


@dataclass(frozen=True)
class RecommendedItem:
    product: Product
    kind: str
    rank: int
    score: float
    reason: str
    source: str

    @property
    def vendor(self):
        return self.product.vendor


@dataclass(frozen=True)
class ShopRecommendations:
    shop: Retailer
    kind: str
    as_of: dt.date | None
    model: str  # "lgbm_ranker v12", "baseline (no trained model yet)"
    items: list[RecommendedItem]


def check_kind(kind: str | None) -> str:
    kind = kind or RecommendationKind.DISCOVER
    if kind not in RecommendationKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(RecommendationKind.values)}.", field="kind")
    return kind


def check_k(k) -> int:
    if k in (None, ""):
        return DEFAULT_K
    try:
        value = int(k)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_K:
        raise InvalidInput(f"k must be a whole number from 1 to {MAX_K}.", field="k")
    return value


def recommendation_shop_for_user(*, user: User, retailer_id) -> Retailer:
    """A retailer user's own shop, always; for others the named shop among theirs, or not found."""
    if user.is_retailer:
        return user.retailer
    if retailer_id in (None, ""):
        raise InvalidInput("Name the shop.", field="retailer")
    try:
        pk = int(retailer_id)
    except (TypeError, ValueError):
        raise InvalidInput("retailer must be a shop's id.", field="retailer") from None
    shop = recommendation_retailers_for_user(user=user).filter(pk=pk).first()
    if shop is None:
        raise NotFound(f"No shop {pk} among yours.", fields={"retailer": f"No shop {pk} among yours."})
    return shop


def shop_recommendations(
    *, user: User, retailer_id=None, kind: str | None = None, k=None, product_id=None
) -> ShopRecommendations:
    """The shop's list of ``kind`` (discover, buy_again, bundle), ``k`` items; a bundle may name its anchor
    ``product_id`` (the shop's last baskets otherwise)."""
    kind, k = check_kind(kind), check_k(k)
    shop = recommendation_shop_for_user(user=user, retailer_id=retailer_id)
    anchor = _anchor(user, kind, product_id)
    batch = recommendation_batch_serving()
    blocked = set(dismissed_pairs(retailer_ids=[shop.pk])["product_id"].astype(int))
    visible = product_list_for_user(user=user)
    if batch.as_of is None:
        return ShopRecommendations(shop, kind, None, "no order history yet", [])
    if batch.stored and anchor is None and k <= recommendations_settings().list_size:
        rows = (
            recommendation_list_for_user(user=user)
            .filter(model_version=batch.version, as_of=batch.as_of, retailer=shop, kind=kind)
            .exclude(product_id__in=blocked)
            .order_by("rank")
            .values_list("product_id", "rank", "score", "reason", "source")[:k]
        )
        found = [dict(zip(("product_id", "rank", "score", "reason", "source"), row, strict=True)) for row in rows]
        version = batch.version
        label = f"{version.algorithm} v{version.pk}" if version is not None else "baseline"
    else:
        served = prediction_serve(
            capability=CAPABILITY,
            inputs={
                "retailer_id": shop.pk,
                "as_of": batch.as_of.isoformat(),
                "kind": kind,
                "k": k + len(blocked),
                "product_id": anchor.pk if anchor else None,
            },
            routing_key=f"retailer:{shop.pk}",
        )
        found = [item for item in served.result["items"] if item["product_id"] not in blocked][:k]
        model = served.model
        label = "baseline (no trained model yet)" if model["fallback"] else f"{model['algorithm']} v{model['version']}"
    products = visible.select_related("vendor").in_bulk([item["product_id"] for item in found])
    items = [
        RecommendedItem(
            product=products[item["product_id"]],
            kind=kind,
            rank=position,
            score=float(item["score"]),
            reason=item["reason"],
            source=item["source"],
        )
        for position, item in enumerate((i for i in found if i["product_id"] in products), start=1)
    ]
    return ShopRecommendations(shop, kind, batch.as_of, label, items)


def _anchor(user: User, kind: str, product_id) -> Product | None:
    if product_id in (None, ""):
        return None
    if kind != RecommendationKind.BUNDLE:
        raise InvalidInput("product names a bundle's anchor; ask for kind=bundle.", field="product")
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        raise InvalidInput("product must be a product's id.", field="product") from None
    product = product_list_for_user(user=user).filter(pk=pk).first()
    if product is None:
        raise NotFound(f"No product {pk}.", fields={"product": f"No product {pk}."})
    return product

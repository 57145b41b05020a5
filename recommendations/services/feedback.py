"""What a shop did with a recommended product. A dismissal keeps it off the shop's lists from the next read on;
adding to the cart puts it in the shop's reorder cart (one cart per shop, reorder's)."""

from django.db import transaction

from retailiq.accounts.models import User
from retailiq.catalog.selectors import product_list_for_user
from retailiq.core.errors import InvalidInput, NotFound

from ..models import FeedbackAction, RecommendationFeedback, RecommendationKind
from .shop import recommendation_shop_for_user


@transaction.atomic
def feedback_record(
    *, user: User, retailer_id=None, product_id=None, action: str | None = None, kind: str = ""
) -> RecommendationFeedback:
    if action not in FeedbackAction.values:
        raise InvalidInput(f"action must be one of {', '.join(FeedbackAction.values)}.", field="action")
    if kind and kind not in RecommendationKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(RecommendationKind.values)}.", field="kind")
    shop = recommendation_shop_for_user(user=user, retailer_id=retailer_id)
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        raise InvalidInput("product must be a product's id.", field="product") from None
    product = product_list_for_user(user=user).filter(pk=pk).first()
    if product is None:
        raise NotFound(f"No product {pk}.", fields={"product": f"No product {pk}."})
    return RecommendationFeedback.objects.create(
        retailer=shop, product=product, user=user, action=action, kind=kind or ""
    )

"""The one rule for a shop a request names: among the user's shops, or not found (another rep's shop is none of
the user's business, so it reads as not existing, on pages and in the API alike)."""

from retailiq.accounts.models import User
from retailiq.core.errors import InvalidInput, NotFound
from retailiq.retailers.models import Retailer

from ..selectors import reorder_retailers_for_user


def shop_for_user(*, user: User, retailer_id: int | None, field: str = "retailer", shops=None) -> Retailer:
    """The named shop among ``shops`` (by default those whose predictions the user may read)."""
    if retailer_id is None:
        raise InvalidInput("Name the shop.", field=field)
    shops = reorder_retailers_for_user(user=user) if shops is None else shops
    found = shops.filter(pk=retailer_id).first()
    if found is None:
        raise NotFound(f"No shop {retailer_id} among yours.", fields={field: f"No shop {retailer_id} among yours."})
    return found

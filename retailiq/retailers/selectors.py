from django.db.models import QuerySet

from retailiq.accounts.models import User
from retailiq.accounts.scoping import NoScope, retailer_filter

from .models import Retailer


def retailer_list_for_user(*, user: User) -> QuerySet[Retailer]:
    try:
        scope = retailer_filter(user)
    except NoScope:
        return Retailer.objects.none()
    return Retailer.objects.filter(scope).select_related("assigned_rep")

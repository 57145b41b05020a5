"""The retailer's "Time to reorder": the products it will likely need soon as a cart
pre-filled with the suggested quantities, which it adjusts and exports as CSV."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from retailiq.accounts.models import Role
from retailiq.core.ids import id_from_text
from retailiq.retailers.models import Retailer
from retailiq.retailers.selectors import retailer_list_for_user
from retailiq.web.access import role_required
from retailiq.web.csv_export import csv_response
from retailiq.web.htmx import wants_fragment

from ..forms import MAX_CART_QUANTITY, cart_from_post, cart_from_suggestions
from ..services.cart import cart_added_suggestions, cart_product_remove
from ..services.suggestions import reorder_suggestions, suggestion_csv_rows

CART_TARGET = "reorder-cart"
PANEL_SIZE = 5


def _shop(request: HttpRequest) -> Retailer | None:
    """A retailer user's own shop, always; an analyst's pick (?retailer= or the posted
    cart's), among the shops it may see."""
    if request.user.is_retailer:
        return request.user.retailer
    value = request.POST.get("retailer") or request.GET.get("retailer") or ""
    wanted = id_from_text(value)
    if wanted is None:
        return None
    return retailer_list_for_user(user=request.user).filter(pk=wanted).first()


def _suggestions(request: HttpRequest, shop: Retailer | None) -> list[Any]:
    """The suggested lines, then the products the shop added itself (from its recommendations)."""
    if shop is None:
        return []
    suggested = reorder_suggestions(user=request.user, retailer_id=shop.pk)
    return suggested + cart_added_suggestions(session=request.session, retailer_id=shop.pk, suggested=suggested)


def _shops_to_pick(request: HttpRequest) -> list[Retailer]:
    if request.user.is_retailer:
        return []
    return list(
        retailer_list_for_user(user=request.user).select_related(None).only("pk", "name", "city").order_by("name")
    )


def _cart_context(request: HttpRequest, shop: Retailer | None, lines: list[Any], errors: list[str]) -> dict[str, Any]:
    return {
        "shop": shop,
        "lines": lines,
        "errors": errors,
        "total": sum(line.line_value for line in lines),
        "units": sum(line.quantity or 0 for line in lines),
        "max_quantity": MAX_CART_QUANTITY,
    }


@role_required(Role.RETAILER)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request", "HX-Target")
def suggestion_cart_page(request: HttpRequest) -> HttpResponse:
    """GET: the pre-filled cart. POST (the cart's "Update" and "Remove", by HTMX or not):
    the same cart with the quantities typed, lines at 0 or removed dropped."""
    shop = _shop(request)
    suggestions = _suggestions(request, shop)
    if request.method == "POST":
        for removed in request.POST.getlist("remove"):
            if shop is not None and removed.isdigit():  # a product the shop added itself leaves for good
                cart_product_remove(session=request.session, retailer_id=shop.pk, product_id=int(removed))
        lines, _, errors = cart_from_post(suggestions, request.POST)
    else:
        lines, errors = cart_from_suggestions(suggestions), []
    context = _cart_context(request, shop, lines, errors)
    context["suggested"] = len(suggestions)
    if wants_fragment(request, CART_TARGET):
        return render(request, "reorder/_cart.html", context)
    context["shops"] = _shops_to_pick(request)
    return render(request, "reorder/suggestions.html", context, status=400 if errors else 200)


@role_required(Role.RETAILER)
@require_POST
def suggestion_cart_csv(request: HttpRequest) -> HttpResponse:
    """The adjusted cart as CSV. A quantity that is not a whole number sends the retailer
    back to the cart with the line named, rather than a file with a guess in it."""
    shop = _shop(request)
    suggestions = _suggestions(request, shop)
    lines, quantities, errors = cart_from_post(suggestions, request.POST)
    if errors:
        context = _cart_context(request, shop, lines, errors)
        context.update({"suggested": len(suggestions), "shops": _shops_to_pick(request)})
        return render(request, "reorder/suggestions.html", context, status=400)
    kept = [s for s in suggestions if s.product.pk in quantities]
    name = slugify(f"reorder {shop.name}" if shop is not None else "reorder")[:60] or "reorder"
    header, *rows = suggestion_csv_rows(kept, quantities)
    return csv_response(name, header, rows)


@role_required(Role.RETAILER)
@require_GET
def suggestion_panel(request: HttpRequest) -> HttpResponse:
    """The retailer home's "Time to reorder": the top five, loaded after the home."""
    shop = request.user.retailer if request.user.is_retailer else None
    suggestions = _suggestions(request, shop)
    return render(
        request, "reorder/_suggestion_panel.html", {"suggestions": suggestions[:PANEL_SIZE], "more": len(suggestions)}
    )

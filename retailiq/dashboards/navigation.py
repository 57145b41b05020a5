"""The top bar's role entries: each role's home, and between them the entries the registered
capabilities declare (`NavEntry.order` places them), each shown to its roles and to those
who see everything."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from retailiq.accounts.models import Role
from retailiq.registry.adapters import NavEntry
from retailiq.registry.capabilities import navigation_entries

ROLE_HOMES = (
    NavEntry("My shop", "retailer-home", roles=(Role.RETAILER,), order=10),
    NavEntry("My products", "vendor-home", roles=(Role.VENDOR,), order=30),
    NavEntry("My retailers", "rep-home", roles=(Role.SALES_REP,), order=60),
    NavEntry("Marketplace", "analyst-home", roles=(), order=100),
)


def entries_for(user) -> list[NavEntry]:
    if not user.is_authenticated:
        return []
    entries = sorted([*ROLE_HOMES, *navigation_entries()], key=lambda entry: entry.order)
    return [entry for entry in entries if user.sees_everything or user.role in entry.roles]


def navigation(request: HttpRequest) -> dict:
    """Context processor: `nav_entries` for base.html; lazy, so fragments that show no top bar pay nothing."""
    return {"nav_entries": SimpleLazyObject(lambda: entries_for(request.user))}

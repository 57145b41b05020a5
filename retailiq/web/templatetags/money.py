from django import template

from retailiq.core.money import format_money

register = template.Library()


@register.filter
def money(value, currency: str | None = None) -> str:
    """1234567.8 -> '₹12,34,568', in the amount's currency when it is not the marketplace's
    ({{ amount|money:batch.currency }}): whole units, lakh grouping for rupees, a minus sign before the symbol."""
    return format_money(value, currency or None)

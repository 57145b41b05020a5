from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def money(value) -> str:
    """1234567.8 -> '₹1,234,568'. Whole currency units: the pages compare, not audit."""
    if value in (None, ""):
        return "—"
    amount = round(float(value))
    sign = "−" if amount < 0 else ""
    return f"{sign}{settings.RETAILIQ_CURRENCY_SYMBOL}{intcomma(abs(amount))}"

from django import template

from retailiq.registry.adapters import PERCENT
from retailiq.registry.capabilities import metric_named

register = template.Library()


@register.filter
def metric(metrics: dict, name: str) -> str:
    """A version's metric as its capability declares it: a percent or a number."""
    value = (metrics or {}).get(name)
    if value is None:
        return "—"
    declared = metric_named(name)
    return f"{value:.1%}" if declared and declared.format == PERCENT else f"{value:,.3f}"


@register.filter
def percent(value: float) -> str:
    return f"{value:.0%}"

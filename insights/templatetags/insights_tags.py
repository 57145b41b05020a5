"""Template filters of the insight cards."""

from django import template

from ..wording import evidence_label as label

register = template.Library()


@register.filter
def evidence_label(name: str) -> str:
    return label(name)

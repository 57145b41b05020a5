from django import template

from ..pages import state_label as _state_label

register = template.Library()


@register.filter
def state_label(batch) -> str:
    """The batch's state as a badge reads it (short enough for one line)."""
    return _state_label(batch)

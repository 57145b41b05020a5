from django import template

register = template.Library()


@register.filter
def tel_href(phone: str) -> str:
    """'+91 98765 43210' -> 'tel:+919876543210': what a phone dials, without the spaces people read."""
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if not digits:
        return ""
    return f"tel:{'+' if str(phone).strip().startswith('+') else ''}{digits}"

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def platform(request: HttpRequest) -> dict:
    from retailiq.dashboards.reference_day import history_ends_before_today

    return {
        "currency_symbol": settings.RETAILIQ_CURRENCY_SYMBOL,
        "currency_code": settings.RETAILIQ_CURRENCY,
        # Lazy: only pages that show the note pay for its one indexed query.
        "history_ends_on": SimpleLazyObject(history_ends_before_today),
    }

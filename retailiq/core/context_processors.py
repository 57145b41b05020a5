from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict:
    return {"currency_symbol": settings.RETAILIQ_CURRENCY_SYMBOL, "currency_code": settings.RETAILIQ_CURRENCY}

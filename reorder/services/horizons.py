"""The horizons a reorder prediction answers, and the one rule for the horizon a request asks for."""

from django.conf import settings

from retailiq.core.errors import InvalidInput


def reorder_horizons() -> tuple[int, ...]:
    return tuple(int(h) for h in settings.RETAILIQ_REORDER_HORIZONS)


def check_horizon(horizon_days: int | None, *, field: str = "horizon") -> int:
    """The horizon a request asks for, or the default; one of the horizons every model answers."""
    if horizon_days is None:
        return int(settings.RETAILIQ_REORDER_DEFAULT_HORIZON)
    horizons = reorder_horizons()
    if int(horizon_days) not in horizons:
        raise InvalidInput(f"{field} must be one of {', '.join(map(str, horizons))} days.", field=field)
    return int(horizon_days)

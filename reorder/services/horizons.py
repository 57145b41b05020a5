"""The horizons a reorder prediction answers, and the one rule for the horizon a request asks for."""

from retailiq.core.errors import InvalidInput

from ..conf import reorder_settings


def reorder_horizons() -> tuple[int, ...]:
    return reorder_settings().horizons


def check_horizon(horizon_days: int | None, *, field: str = "horizon") -> int:
    """The horizon a request asks for, or the default; one of the horizons every model answers."""
    if horizon_days is None:
        return reorder_settings().default_horizon
    horizons = reorder_horizons()
    if int(horizon_days) not in horizons:
        raise InvalidInput(f"{field} must be one of {', '.join(map(str, horizons))} days.", field=field)
    return int(horizon_days)

"""Optimization's settings: environment variables read once per process through the one reader the settings use
(retailiq.core.env), so the project's settings know nothing of them (as forecasting/conf.py and reorder/conf.py)."""

from dataclasses import dataclass, fields
from functools import cache

from retailiq.core.env import env


@dataclass(frozen=True)
class OptimizationSettings:
    """How much ledger history training reads and how often it cuts it (weekly cutoffs, the last few held out to
    evaluate and calibrate), XGBoost's rounds; the largest plan solved inside a web request (more pairs run as a
    job on the worker), the solver's time limit and gap, the review period a plan protects beyond the lead time, the
    yearly holding rate where a pair names none, and the shortage cost per unit short as a share of its price."""

    history_days: int = 365
    step_days: int = 7
    test_cutoffs: int = 4
    n_estimators: int = 200
    inline_pairs: int = 2000
    time_limit_seconds: float = 30.0
    gap: float = 0.005
    review_days: float = 7.0
    holding_rate: float = 0.25
    shortage_share: float = 1.0
    warnings_on_home: int = 5

    @classmethod
    def from_env(cls) -> "OptimizationSettings":
        """RETAILIQ_OPTIMIZATION_<FIELD>, e.g. RETAILIQ_OPTIMIZATION_INLINE_PAIRS=5000; a value that is not a number
        stops the start with the variable named."""
        values = {}
        for item in fields(cls):
            name = f"RETAILIQ_OPTIMIZATION_{item.name.upper()}"
            read = env.int if item.type in (int, "int") else env.float
            values[item.name] = read(name, default=item.default)
        return cls(**values)


@cache
def optimization_settings() -> OptimizationSettings:
    return OptimizationSettings.from_env()

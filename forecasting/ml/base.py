"""What every forecaster is: fit on a demand matrix, forecast a horizon from its end,
and save/load in its library's own format. The backtest, the ensemble, the adapter and
the benchmark only ever talk to this protocol, so a new algorithm is one class."""

from typing import Any, Protocol, runtime_checkable

import numpy as np

from .matrix import DemandMatrix


@runtime_checkable
class Forecaster(Protocol):
    """scikit-learn habits: __init__ stores parameters only, fit returns self, learned
    state ends in an underscore.

    fit(matrix): learn from matrix.values (series x periods; matrix.censored periods
    are lost sales, not zeros) and its exogenous/static drivers.
    predict(matrix, horizon): point forecasts, series x horizon, non-negative, for the
    series of `matrix` (which may include series never seen in fit) from the end of
    matrix.days; exogenous columns beyond the history are the planned future.
    """

    name: str

    def fit(self, matrix: DemandMatrix) -> "Forecaster": ...

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray: ...

    def to_bytes(self) -> bytes: ...

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Forecaster": ...


class ServingForecaster(Protocol):
    """What the adapter serves, trained (EnsembleForecaster) or not (BaselineForecaster):
    point forecasts with 80%/95% bounds (forecast, lower_80, upper_80, lower_95, upper_95;
    series x horizon each) and why, per series (empty lists when it cannot say).
    reads_drivers: whether the matrix needs its exogenous drivers; interval_widths: the
    conformal widths a new product's borrowed forecast gets (None: no borrowing)."""

    reads_drivers: bool

    @property
    def interval_widths(self) -> Any: ...

    def predict_intervals(self, matrix: DemandMatrix, horizon: int) -> dict[str, np.ndarray]: ...

    def explain(self, matrix: DemandMatrix, horizon: int, *, top: int = 3) -> list[list[dict[str, Any]]]: ...


@runtime_checkable
class Explainer(Protocol):
    """A forecaster that can say why: per series, the main drivers of its forecast in
    plain words, e.g. [{"driver": "festival", "effect": 0.22, "text": "festival week +22%"}]."""

    def explain(self, matrix: DemandMatrix, horizon: int, *, top: int = 3) -> list[list[dict[str, Any]]]: ...


def non_negative(forecast: np.ndarray) -> np.ndarray:
    return np.maximum(np.nan_to_num(forecast, nan=0.0, posinf=0.0), 0.0)

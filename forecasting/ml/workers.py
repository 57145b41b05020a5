"""The ensemble's fits in worker processes: each member's fit at each backtest origin, and
each refit, is one task, so on a machine with two cores LightGBM's origins and the
CNN-LSTM's run side by side instead of one after another. A task fits and forecasts
exactly as it would in the training process (same factory, same history, same seed), so
the forecasts, the weights and the served models are the same; only the wall time moves.

Workers are started with "spawn", never "fork": TensorFlow starts thread pools when it
loads and is not fork-safe, and a forked copy of a training process that had loaded it
would hang. The demand matrix travels once per worker (its initializer), not once per
task. Fitted models come back as their own artifacts (to_bytes), never as pickles.

Plain Python over NumPy; no Django. A pool that cannot start (or whose worker dies)
raises PoolUnavailable, and the caller runs the fits in its own process instead. A Celery
prefork worker's process is daemonic and may not start children, so there the fits run
in the job's process as before: lifting that rule would leave orphaned workers behind a
job that Celery kills."""

import importlib
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import Forecaster
from .matrix import DemandMatrix

log = logging.getLogger(__name__)

_MATRIX: DemandMatrix | None = None  # a worker's copy of the training matrix


class PoolUnavailable(RuntimeError):
    """The worker processes could not run the fits (could not start, or one died)."""


@dataclass
class FitOutcome:
    """One fit and forecast: what the backtest keeps of it."""

    forecast: np.ndarray
    intervals: dict[str, np.ndarray] | None  # the model's own bounds, if it gives them
    seconds: float  # fit + predict
    predict_seconds: float
    model: Forecaster | None = None  # the fitted model, when asked for


def fit_and_forecast(
    factory: Callable[[], Forecaster], history: DemandMatrix, horizon: int
) -> tuple[FitOutcome, Forecaster]:
    """A fresh model fitted on the history, and its forecast of the next horizon."""
    started = time.perf_counter()
    model = factory().fit(history)
    fitted = time.perf_counter()
    intervals = None
    if hasattr(model, "predict_intervals"):
        intervals = model.predict_intervals(history, horizon)
        forecast = intervals.pop("forecast")
    else:
        forecast = model.predict(history, horizon)
    finished = time.perf_counter()
    outcome = FitOutcome(np.asarray(forecast, dtype=float), intervals, finished - started, finished - fitted)
    return outcome, model


def fit_cost(factory: Callable[[], Forecaster]) -> int:
    """A model class's `fit_cost` (0 when it has none): the costliest are submitted first."""
    return int(getattr(getattr(factory, "func", factory), "fit_cost", 0))


def _start(matrix: DemandMatrix) -> None:
    global _MATRIX
    _MATRIX = matrix


def _dotted(model: Forecaster) -> str:
    return f"{type(model).__module__}.{type(model).__qualname__}"


def _load(dotted: str, raw: bytes) -> Forecaster:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name).from_bytes(raw)


def _backtest_task(
    factory: Callable[[], Forecaster], cutoff: int, horizon: int, keep_model: bool
) -> tuple[FitOutcome, tuple[str, bytes] | None]:
    outcome, model = fit_and_forecast(factory, _MATRIX.head(cutoff), horizon)
    return outcome, ((_dotted(model), model.to_bytes()) if keep_model else None)


def _refit_task(factory: Callable[[], Forecaster]) -> tuple[str, bytes]:
    model = factory().fit(_MATRIX)
    return _dotted(model), model.to_bytes()


class MemberPool:
    """Worker processes holding one demand matrix; use as a context manager.

    Each worker is a lane of its own, and every fit of one member runs in the same lane:
    members are given to lanes costliest first, each to the least loaded one (by
    `fit_cost`), so on a large catalog LightGBM's fits share one lane and the CNN-LSTM's the
    other, and TensorFlow loads in one worker only. backtest() and refit() submit tasks and
    return futures; collect_backtest() and collect_refit() wait for them, loading a returned
    model in this process."""

    def __init__(self, matrix: DemandMatrix, processes: int) -> None:
        self.matrix = matrix
        self.processes = processes
        self._lanes: list[ProcessPoolExecutor] = []
        self._load: list[int] = []
        self._lane_of: dict[str, int] = {}

    def __enter__(self) -> "MemberPool":
        context = multiprocessing.get_context("spawn")
        try:
            self._lanes = [
                ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start, initargs=(self.matrix,))
                for _ in range(self.processes)
            ]
        except (OSError, ValueError, AssertionError) as exc:  # e.g. a daemonic process may not start children
            self.__exit__()
            raise PoolUnavailable(f"{type(exc).__name__}: {exc}") from exc
        self._load = [0] * len(self._lanes)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for lane in self._lanes:
            lane.shutdown(wait=True, cancel_futures=True)
        self._lanes = []

    def backtest(
        self, name: str, factory: Callable[[], Forecaster], cutoff: int, horizon: int, *, keep_model: bool
    ) -> Future:
        return self._submit(name, factory, _backtest_task, factory, cutoff, horizon, keep_model)

    def refit(self, name: str, factory: Callable[[], Forecaster]) -> Future:
        return self._submit(name, factory, _refit_task, factory)

    def _submit(self, name: str, factory: Callable[[], Forecaster], task: Callable, *args: Any) -> Future:
        if name not in self._lane_of:
            lane = min(range(len(self._lanes)), key=lambda i: self._load[i])
            self._lane_of[name] = lane
            self._load[lane] += fit_cost(factory)
        try:
            return self._lanes[self._lane_of[name]].submit(task, *args)
        except (BrokenProcessPool, RuntimeError, AssertionError) as exc:
            raise PoolUnavailable(f"{type(exc).__name__}: {exc}") from exc

    @staticmethod
    def collect_backtest(future: Future) -> FitOutcome:
        """The task's outcome; a member's own failure raises as it would have in this process."""
        outcome, artifact = _result(future)
        if artifact is not None:
            outcome.model = _load(*artifact)
        return outcome

    @staticmethod
    def collect_refit(future: Future) -> Forecaster:
        return _load(*_result(future))


def _result(future: Future) -> Any:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise PoolUnavailable(f"a worker process stopped: {exc}") from exc

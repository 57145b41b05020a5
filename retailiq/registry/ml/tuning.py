"""Hyperparameter search with Optuna within a time budget. Plain Python, no Django: the
caller supplies the search space and the objective (the capability's own backtest)."""

import time
from collections.abc import Callable
from typing import Any

import optuna


def search(
    *,
    space: Callable[[optuna.Trial], dict[str, Any]],
    objective: Callable[[dict[str, Any]], float],
    timeout_seconds: float,
    max_trials: int = 50,
    seed: int = 42,
) -> dict[str, Any]:
    """Minimise objective(params) over the space; returns what to record on the version."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    started = time.perf_counter()
    study.optimize(lambda trial: objective(space(trial)), n_trials=max_trials, timeout=timeout_seconds)
    completed = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    return {
        "library": f"optuna {optuna.__version__}",
        "trials": len(completed),
        "budget_seconds": timeout_seconds,
        "seconds": round(time.perf_counter() - started, 2),
        "best_params": study.best_params if completed else {},
        "best_value": study.best_value if completed else None,
        "history": [{"trial": t.number, "value": t.value, "params": t.params} for t in completed],
    }

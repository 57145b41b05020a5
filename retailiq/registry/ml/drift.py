"""Population stability index: how far a feature's recent distribution has moved from
the one the model was trained on. Plain NumPy/pandas, no Django."""

import numpy as np
import pandas as pd

# The usual reading: below 0.1 stable, 0.1 to 0.2 moderate shift, above 0.2 a real shift.
PSI_WARNING = 0.2
_BINS = 10
_FLOOR = 1e-4  # keeps empty bins from making the log infinite


def reference_profile(features: pd.DataFrame, bins: int = _BINS) -> dict[str, dict[str, list[float]]]:
    """Bin edges (training deciles) and the share of training rows in each bin, per numeric feature."""
    profile: dict[str, dict[str, list[float]]] = {}
    for name in features.select_dtypes(include="number").columns:
        values = features[name].dropna().to_numpy(dtype=float)
        if values.size == 0:
            continue
        edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))
        profile[name] = {"edges": edges.tolist(), "shares": _shares(values, edges).tolist()}
    return profile


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return counts / max(counts.sum(), 1)


def population_stability(expected: np.ndarray, actual: np.ndarray) -> float:
    expected = np.clip(np.asarray(expected, dtype=float), _FLOOR, None)
    actual = np.clip(np.asarray(actual, dtype=float), _FLOOR, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def drift_against_reference(profile: dict[str, dict[str, list[float]]], recent: pd.DataFrame) -> dict[str, float]:
    """PSI per feature present both in the reference profile and in the recent data."""
    result: dict[str, float] = {}
    for name, reference in profile.items():
        if name not in recent.columns:
            continue
        values = recent[name].dropna().to_numpy(dtype=float)
        if values.size == 0:
            continue
        edges = np.asarray(reference["edges"], dtype=float)
        result[name] = round(population_stability(np.asarray(reference["shares"]), _shares(values, edges)), 4)
    return result

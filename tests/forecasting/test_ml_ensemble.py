"""The ensemble: weights from backtest errors, conformal intervals, the zip artifact,
explanations, and the nested (honest) evaluation. Seeded synthetic series, no database."""

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from forecasting.ml.backtest import Fold, rolling_origin
from forecasting.ml.ensemble import (
    Combination,
    EnsembleForecaster,
    EnsembleOptions,
    _Design,
    _drop_negligible,
    _fit_weights,
    fit_combination,
    nested_ensemble,
)
from forecasting.ml.matrix import DemandMatrix

HORIZON = 7


def make_matrix(n_series: int = 120, periods: int = 140, *, seed: int = 2, lumpy_share: float = 0.0) -> DemandMatrix:
    """Stable Poisson demand with a weekly rhythm; a share of lumpy series (rare big orders)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-06", periods=periods, freq="D")
    level = rng.gamma(3.0, 4.0, n_series)[:, None]
    weekly = np.array([1.2, 1.0, 1.0, 1.0, 1.1, 1.3, 0.4])[days.dayofweek.to_numpy()]
    values = rng.poisson(level * weekly).astype(float)
    lumpy = np.arange(n_series) < int(n_series * lumpy_share)
    orders = rng.random((lumpy.sum(), periods)) < 0.15
    values[lumpy] = orders * rng.gamma(0.8, 40.0, orders.shape).round()
    return DemandMatrix(series_ids=np.arange(n_series), days=days, values=values)


class Mean:
    """The mean of the last 28 periods: the right answer for stable demand."""

    name = "mean"
    scale = 1.0

    def fit(self, matrix: DemandMatrix) -> "Mean":
        self.fitted_ = True
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return np.repeat(matrix.values[:, -28:].mean(axis=1, keepdims=True), horizon, axis=1) * self.scale

    def to_bytes(self) -> bytes:
        return json.dumps({"scale": self.scale}).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Mean":
        model = cls()
        model.scale = json.loads(raw)["scale"]
        return model


class Last(Mean):
    """Yesterday again: noisy for Poisson demand."""

    name = "last"

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return np.repeat(matrix.values[:, -1:], horizon, axis=1)


class Zero(Mean):
    """Nothing sells: a poor guess on average, but the median of lumpy demand."""

    name = "zero"

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return np.zeros((matrix.n_series, horizon))


class Explaining(Last):
    def explain(self, matrix: DemandMatrix, horizon: int, *, top: int = 3) -> list[list[dict]]:
        return [[{"driver": "recent demand", "effect": 0.0, "text": "last"}] for _ in range(matrix.n_series)]


class ExplainingMean(Mean):
    def explain(self, matrix: DemandMatrix, horizon: int, *, top: int = 3) -> list[list[dict]]:
        return [[{"driver": "level", "effect": 0.0, "text": "mean"}] for _ in range(matrix.n_series)]


class Broken(Mean):
    def fit(self, matrix: DemandMatrix) -> "Broken":
        raise RuntimeError("cannot fit")


@pytest.mark.parametrize("method", ["convex", "nnls", "inverse"])
def test_weights_favour_the_better_member(method):
    matrix = make_matrix()
    model, report = EnsembleForecaster.train(
        matrix,
        {"mean": Mean, "last": Last, "zero": Zero},
        horizon=HORIZON,
        n_origins=3,
        options=EnsembleOptions(method=method, top_k=2),
    )
    weights = dict(zip(model.combination_.members, report["weights"]["all"], strict=True))
    assert weights["mean"] > 0.7 and weights["mean"] > 3 * weights["last"]
    assert weights["zero"] == pytest.approx(0.0, abs=0.02)
    scores = report["models"]
    assert scores["ensemble"]["rmsse"] <= scores["last"]["rmsse"]
    assert set(scores) == {"mean", "last", "zero", "ensemble"}
    json.dumps(report)  # stored on the model version as it is


def test_each_demand_class_gets_its_own_weights_when_it_has_enough_series():
    matrix = make_matrix(n_series=160, lumpy_share=0.5)
    _, report = EnsembleForecaster.train(matrix, {"mean": Mean, "last": Last}, horizon=HORIZON, n_origins=3)
    assert {"all", "smooth"} <= set(report["weights"])
    assert any(c in report["weights"] for c in ("lumpy", "intermittent"))
    assert report["classes"]["smooth"]["mean"]["series"] >= 30
    _, small_report = EnsembleForecaster.train(
        make_matrix(n_series=40, lumpy_share=0.1), {"mean": Mean, "last": Last}, horizon=HORIZON, n_origins=2
    )
    assert "lumpy" not in small_report["weights"]  # 4 series: the pooled weights serve them


def test_intervals_reach_near_nominal_coverage_on_unseen_periods():
    matrix = make_matrix(n_series=400, periods=160, seed=11)
    history = matrix.head(matrix.n_periods - HORIZON)
    model, _ = EnsembleForecaster.train(history, {"mean": Mean, "last": Last}, horizon=HORIZON, n_origins=4)
    bounds = model.predict_intervals(history, HORIZON)
    actual = matrix.values[:, -HORIZON:]
    for level in (80, 95):
        lower, upper = bounds[f"lower_{level}"], bounds[f"upper_{level}"]
        assert (lower <= bounds["forecast"]).all() and (bounds["forecast"] <= upper).all()
        coverage = ((actual >= lower) & (actual <= upper)).mean()
        assert abs(coverage - level / 100) < 0.05, (level, coverage)
    assert np.array_equal(model.predict(history, HORIZON), bounds["forecast"])


def test_the_zip_round_trip_gives_identical_forecasts_without_pickle():
    matrix = make_matrix(n_series=50)
    model, _ = EnsembleForecaster.train(matrix, {"mean": Mean, "last": Last}, horizon=HORIZON, n_origins=2)
    raw = model.to_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        meta = json.loads(archive.read("meta.json"))
        names = archive.namelist()
    assert all(not n.endswith((".pkl", ".pickle")) for n in names)
    assert {m["class"] for m in meta["members"]} <= {
        "tests.forecasting.test_ml_ensemble.Mean",
        "tests.forecasting.test_ml_ensemble.Last",
    }
    assert set(meta["weights"]) >= {"all"} and "80" in meta["interval_widths"]["bounds"]["all"]
    assert len(meta["interval_widths"]["series_units"]) == matrix.n_series
    restored = EnsembleForecaster.from_bytes(raw)
    for key, value in model.predict_intervals(matrix, 10).items():
        assert np.array_equal(restored.predict_intervals(matrix, 10)[key], value), key


def test_members_without_weight_are_not_refitted_and_failures_are_dropped():
    matrix = make_matrix(n_series=60)
    model, report = EnsembleForecaster.train(
        matrix, {"mean": Mean, "zero": Zero, "broken": Broken}, horizon=HORIZON, n_origins=2
    )
    assert "cannot fit" in report["failed_members"]["broken"]
    assert set(model.members_) == {"mean"}  # zero got no weight anywhere
    assert model.predict(matrix, HORIZON).shape == (60, HORIZON)


def test_negligible_weights_are_dropped_so_that_member_is_not_refitted():
    shares = _drop_negligible(np.array([0.004, 0.5976, 0.3984]))
    np.testing.assert_allclose(shares, [0.0, 0.6, 0.4])
    combination = Combination(["tiny", "a", "b"], {"all": shares.tolist(), "smooth": [0.0, 1.0, 0.0]})
    assert combination.used_members() == ["a", "b"]


def test_explain_delegates_to_the_highest_weighted_member_that_can():
    matrix = make_matrix(n_series=30)
    model, _ = EnsembleForecaster.train(
        matrix, {"mean": ExplainingMean, "last": Explaining}, horizon=HORIZON, n_origins=2
    )
    assert model.explain(matrix, HORIZON)[0][0]["text"] == "mean"
    plain, _ = EnsembleForecaster.train(matrix, {"mean": Mean}, horizon=HORIZON, n_origins=2)
    assert plain.explain(matrix, HORIZON) == [[] for _ in range(30)]


def test_the_nested_ensemble_never_sees_the_origin_it_is_scored_on():
    """Change what happened after the last origin: the ensemble's forecast there must not move."""
    matrix = make_matrix(n_series=80)
    members = {"mean": Mean, "last": Last}

    def last_forecast(values: np.ndarray) -> np.ndarray:
        m = DemandMatrix(series_ids=matrix.series_ids, days=matrix.days, values=values)
        result = rolling_origin(m, members, horizon=HORIZON, n_origins=2, inner_origins=2)
        nested_ensemble(result, train_origins=2)
        assert "retailiq_ensemble" in result.metrics()["models"]
        assert "coverage_95" in result.metrics()["models"]["retailiq_ensemble"]
        return result.folds[-1].forecasts["retailiq_ensemble"], result.folds[-1].intervals["retailiq_ensemble"]

    forecast, bounds = last_forecast(matrix.values)
    future_changed = matrix.values.copy()
    future_changed[:, -HORIZON:] *= 10
    other_forecast, other_bounds = last_forecast(future_changed)
    assert np.array_equal(forecast, other_forecast)
    assert all(np.array_equal(bounds[k], other_bounds[k]) for k in bounds)
    with pytest.raises(ValueError, match="at least one origin"):
        nested_ensemble(rolling_origin(matrix, members, horizon=HORIZON, n_origins=2))


class Counting(Mean):
    fits: list[int] = []

    def fit(self, matrix: DemandMatrix) -> "Counting":
        Counting.fits.append(matrix.n_periods)
        return self


def test_without_refit_the_members_fitted_at_the_last_origin_serve():
    matrix = make_matrix(n_series=40)
    Counting.fits = []
    EnsembleForecaster.train(matrix, {"mean": Counting}, horizon=HORIZON, n_origins=2)
    assert Counting.fits == [126, 133, 140]  # two origins, then the whole matrix
    Counting.fits = []
    model, _ = EnsembleForecaster.train(
        matrix, {"mean": Counting}, horizon=HORIZON, n_origins=2, options=EnsembleOptions(refit=False)
    )
    assert Counting.fits == [126, 133]
    expected = np.repeat(matrix.values[:, -28:].mean(axis=1, keepdims=True), HORIZON, axis=1)
    assert np.allclose(model.predict(matrix, HORIZON), expected)  # still forecasts from the latest periods


class FittedMean(Mean):
    """Forecasts the mean it learned at fit time, whatever history it is later handed."""

    def fit(self, matrix: DemandMatrix) -> "FittedMean":
        self.level_ = matrix.values[:, -28:].mean(axis=1, keepdims=True)
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return np.repeat(self.level_, horizon, axis=1)


def test_the_nested_ensemble_without_refit_is_scored_on_what_stale_members_say():
    matrix = make_matrix(n_series=60)
    members = {"fitted": FittedMean}
    result = rolling_origin(matrix, members, horizon=HORIZON, n_origins=2, inner_origins=1, stale_models={"fitted"})
    nested_ensemble(result, train_origins=1, options=EnsembleOptions(refit=False))
    last = result.folds[-1]
    assert np.allclose(last.forecasts["retailiq_ensemble"], last.stale_forecasts["fitted"])
    assert not np.allclose(last.forecasts["retailiq_ensemble"], last.forecasts["fitted"])
    plain = rolling_origin(matrix, members, horizon=HORIZON, n_origins=2, inner_origins=1)
    with pytest.raises(ValueError, match="stale_models"):
        nested_ensemble(plain, train_origins=1, options=EnsembleOptions(refit=False))


def _fold(rng: np.random.Generator, classes: np.ndarray, noise: dict[str, np.ndarray]) -> Fold:
    """A backtest origin built by hand: steady histories (naive error about 1 for every series) and
    each member's forecast the actual plus noise of the given spread per row."""
    n, horizon = len(classes), 4
    history = 50 + rng.normal(0, 1, (n, 30))
    actual = 50 + rng.normal(0, 1, (n, horizon))
    fold = Fold(
        cutoff=30,
        history=history,
        history_censored=None,
        actual=actual,
        censored=np.zeros((n, horizon), bool),
        classes=classes,
    )
    fold.forecasts = {name: actual + rng.normal(0, 1, (n, horizon)) * spread[:, None] for name, spread in noise.items()}
    return fold


def test_a_member_worse_than_seasonal_naive_on_a_class_gets_no_weight_there():
    rng = np.random.default_rng(4)
    classes = np.array(["smooth"] * 60 + ["lumpy"] * 60)
    smooth = classes == "smooth"
    noise = {
        "seasonal_naive": np.full(120, 3.0),
        "good": np.full(120, 1.0),
        # As good as "good" on smooth series, worse than seasonal naive on lumpy ones; its errors are
        # independent of good's, so a least-squares blend alone would still give it some weight there.
        "patchy": np.where(smooth, 1.0, 4.0),
    }
    folds = [_fold(rng, classes, noise) for _ in range(3)]
    members = list(noise)
    combination = fit_combination(folds, members, season=1, options=EnsembleOptions(min_series_per_class=30))
    weights = {group: dict(zip(members, w, strict=True)) for group, w in combination.weights.items()}
    assert weights["lumpy"]["patchy"] == 0.0
    assert weights["smooth"]["patchy"] > 0.2 and weights["smooth"]["good"] > 0.2
    assert weights["lumpy"]["good"] > 0.8
    # The rule, not the blend, zeroes it: without seasonal naive to compare with it would get weight.
    design = _Design.of(folds, ["good", "patchy"], 1)
    design.reference = np.full_like(design.reference, 1e6)  # a floor nobody is worse than
    unconstrained = _fit_weights(design, design.classes == "lumpy", EnsembleOptions())
    assert unconstrained[1] > 0.0


class CountingLast(Last):
    """Last, counting its forecasts."""

    calls = 0

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        CountingLast.calls += 1
        return super().predict(matrix, horizon)


def test_a_member_weighted_zero_for_every_class_asked_about_is_not_run_and_nothing_changes():
    from mlkit.demand_class import classify

    matrix = make_matrix(n_series=40)
    assert set(classify(matrix.values)) == {"smooth"}
    model, _ = EnsembleForecaster.train(matrix, {"mean": ExplainingMean, "last": Last}, horizon=HORIZON, n_origins=2)
    model.members_["last"] = CountingLast()
    members = model.combination_.members
    model.combination_.weights = {"all": [0.5, 0.5], "smooth": [float(m == "mean") for m in members]}
    every = {name: member.predict(matrix, HORIZON) for name, member in model.members_.items()}
    expected = model._combined(matrix, HORIZON, every, classify(matrix.values))
    CountingLast.calls = 0
    served = model.predict_intervals(matrix, HORIZON)
    explained, explanation = model.predict_explained(matrix, HORIZON)
    assert CountingLast.calls == 0 and explanation[0][0]["text"] == "mean"
    for key, value in expected.items():
        assert np.array_equal(served[key], value) and np.array_equal(explained[key], value), key
    # A lumpy series takes the pooled weights, where "last" counts: it is run.
    lumpy = make_matrix(n_series=40, lumpy_share=1.0)
    model.predict_intervals(lumpy, HORIZON)
    assert CountingLast.calls == 1

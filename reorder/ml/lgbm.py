"""LightGBM reorder member: one binary classifier per horizon and one robust quantity regressor.

Same interface as the Keras nets of :mod:`reorder.ml.nets` (``fit(X_train, Y_train, q_train, X_val, Y_val, q_val)``,
``predict(X) -> (proba, quantity)``, ``to_bytes``/``from_bytes``), so the ensemble treats every member alike.
Boosters are stored as LightGBM's own model text, never pickled, so an artifact outlives a library upgrade.

The quantity regressor learns log1p of the next order's quantity with a Huber loss, only on rows where the pair did
order again: a bulk order a hundred times the usual one must not drag every other prediction up.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import lightgbm as lgb
import numpy as np

SMALLEST_QUANTITY = 1.0


SERIAL_ROWS = 2_000  # rows below which a prediction runs on one thread (see LightGBMReorder.predict)


@dataclass(frozen=True)
class LightGBMOptions:
    """Boosting options shared by the classifiers and the regressor (one seed and thread count for all)."""

    num_boost_round: int = 400
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 50
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    early_stopping_rounds: int = 30
    huber_alpha: float = 1.0
    seed: int = 0
    num_threads: int = 2
    # Settings of one horizon's classifier, keyed by its days; ``min_data_in_leaf_share`` asks for at least that
    # share of the training rows in every leaf, so a small history still splits. Chosen on validation on Online
    # Retail (docs/benchmarks.md): at 14 days 0.1% of the rows per leaf (300 there) and L2 10 raised validation
    # ROC AUC and PR AUC; at 30 days they lowered PR AUC, so the 30-day classifier keeps the shared settings.
    horizon_overrides: dict = field(
        default_factory=lambda: {"14": {"min_data_in_leaf_share": 0.001, "lambda_l2": 10.0}}
    )

    def booster_params(self, objective: str, horizon: int | None = None, n_rows: int = 0) -> dict:
        params = {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,  # with deterministic=True, the same histograms whatever the data's shape
            "num_threads": self.num_threads,
            "verbose": -1,
        }
        if objective == "huber":
            params["alpha"] = self.huber_alpha
        else:
            params["metric"] = "binary_logloss"
            overrides = dict(self.horizon_overrides.get(str(horizon), {})) if horizon is not None else {}
            share = overrides.pop("min_data_in_leaf_share", None)
            if share is not None:
                overrides["min_data_in_leaf"] = max(params["min_data_in_leaf"], int(share * n_rows))
            params.update(overrides)
        return params


@dataclass
class LightGBMReorder:
    """One classifier per horizon (early stopping on validation log loss) and a Huber quantity regressor.

    ``rounds`` fixes the boosting rounds per target (keys ``"p{horizon}"`` and ``"quantity"``) and turns early
    stopping off: a refit on all the data reuses the iteration counts found on the validation split.
    """

    horizons: Sequence[int] = (7, 14, 30)
    options: LightGBMOptions = field(default_factory=LightGBMOptions)
    rounds: dict[str, int] | None = None
    feature_names: Sequence[str] | None = None

    def fit(
        self,
        X_train: np.ndarray,
        Y_train: np.ndarray,
        q_train: np.ndarray,
        X_val: np.ndarray | None = None,
        Y_val: np.ndarray | None = None,
        q_val: np.ndarray | None = None,
    ) -> LightGBMReorder:
        """Fit every booster; ``best_iterations_`` records the rounds kept, for a later refit."""
        X_train = _matrix(X_train)
        names = list(self.feature_names) if self.feature_names is not None else None
        Y_train = np.asarray(Y_train, dtype=float).reshape(len(X_train), -1)
        validation = X_val is not None and Y_val is not None and len(X_val) > 0 and self.rounds is None
        if validation:
            X_val = _matrix(X_val)
            Y_val = np.asarray(Y_val, dtype=float).reshape(len(X_val), -1)
        self.classifiers_: dict[int, lgb.Booster] = {}
        self.best_iterations_: dict[str, int] = {}
        for column, horizon in enumerate(self.horizons):
            target = f"p{horizon}"
            train_set = lgb.Dataset(X_train, Y_train[:, column], feature_name=names or "auto", free_raw_data=True)
            valid_sets = [lgb.Dataset(X_val, Y_val[:, column], reference=train_set)] if validation else None
            self.classifiers_[horizon] = self._train("binary", train_set, valid_sets, target, horizon, len(X_train))
            self.best_iterations_[target] = self.classifiers_[horizon].current_iteration()

        observed = _observed(q_train)
        if observed.sum() < 2:
            raise ValueError("the quantity regressor needs at least two rows where the pair ordered again")
        train_set = lgb.Dataset(
            X_train[observed], np.log1p(np.asarray(q_train, dtype=float)[observed]), feature_name=names or "auto"
        )
        valid_sets = None
        if validation and q_val is not None and _observed(q_val).sum() > 0:
            observed_val = _observed(q_val)
            log_q_val = np.log1p(np.asarray(q_val, dtype=float)[observed_val])
            valid_sets = [lgb.Dataset(X_val[observed_val], log_q_val, reference=train_set)]
        self.regressor_ = self._train("huber", train_set, valid_sets, "quantity")
        self.best_iterations_["quantity"] = self.regressor_.current_iteration()
        return self

    def _train(
        self,
        objective: str,
        train_set: lgb.Dataset,
        valid_sets: list | None,
        target: str,
        horizon: int | None = None,
        n_rows: int = 0,
    ) -> lgb.Booster:
        params = self.options.booster_params(objective, horizon, n_rows)
        rounds = self.rounds.get(target, self.options.num_boost_round) if self.rounds else self.options.num_boost_round
        callbacks = [lgb.early_stopping(self.options.early_stopping_rounds, verbose=False)] if valid_sets else []
        booster = lgb.train(
            params, train_set, num_boost_round=max(int(rounds), 1), valid_sets=valid_sets, callbacks=callbacks
        )
        if valid_sets and booster.best_iteration > 0:
            # Keep only the best rounds, so the saved model text and every prediction agree without extra arguments.
            booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=booster.best_iteration))
        return booster

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities (n, len(horizons)) and the expected next-order quantity (n,), at least one unit."""
        X = _matrix(X)
        # One shop's few dozen pairs take well under a millisecond on one thread; a team of OpenMP threads took
        # 24 ms a call to start and join on a busy 2-core machine. Batch scoring's chunks still use every thread.
        threads = 1 if len(X) < SERIAL_ROWS else self.options.num_threads
        proba = np.column_stack([self.classifiers_[h].predict(X, num_threads=threads) for h in self.horizons])
        log_quantity = self.regressor_.predict(X, num_threads=threads)
        return proba, np.maximum(np.expm1(log_quantity), SMALLEST_QUANTITY)

    def ranked_drivers(
        self, X: np.ndarray, horizon: int, feature_names: Sequence[str], top: int = 5
    ) -> list[list[str]]:
        """Per row, the features that pushed the ``horizon`` probability up the most, strongest first."""
        return ranked_positive_contributions(
            self.classifiers_[horizon], _matrix(X), feature_names, top=top, num_threads=self.options.num_threads
        )

    def to_bytes(self) -> bytes:
        """A zip of each booster's model text and a ``meta.json`` with the options and LightGBM's version."""
        meta = {
            "kind": "reorder_lightgbm",
            "horizons": [int(h) for h in self.horizons],
            "options": asdict(self.options),
            "rounds": self.rounds,
            "feature_names": list(self.feature_names) if self.feature_names is not None else None,
            "best_iterations": self.best_iterations_,
            "versions": {"lightgbm": lgb.__version__},
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("meta.json", json.dumps(meta, indent=2))
            for horizon, booster in self.classifiers_.items():
                archive.writestr(f"classifier_{horizon}.txt", booster.model_to_string())
            archive.writestr("quantity.txt", self.regressor_.model_to_string())
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LightGBMReorder:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            meta = json.loads(archive.read("meta.json")) if "meta.json" in names else {}
            if meta.get("kind") != "reorder_lightgbm":
                raise ValueError(f"not a reorder_lightgbm artifact (kind={meta.get('kind')!r})")
            model = cls(
                horizons=tuple(meta["horizons"]),
                options=LightGBMOptions(**meta["options"]),
                rounds=meta["rounds"],
                feature_names=meta["feature_names"],
            )
            model.classifiers_ = {
                h: lgb.Booster(model_str=archive.read(f"classifier_{h}.txt").decode()) for h in model.horizons
            }
            model.regressor_ = lgb.Booster(model_str=archive.read("quantity.txt").decode())
        model.best_iterations_ = meta["best_iterations"]
        return model


def ranked_positive_contributions(
    booster: lgb.Booster, X: np.ndarray, feature_names: Sequence[str], *, top: int = 5, num_threads: int = 2
) -> list[list[str]]:
    """Per row, the names of the features with a positive SHAP contribution (LightGBM's ``pred_contrib``), largest
    first and at most ``top``: what made this pair more likely to reorder, for the reasons shown to a rep."""
    if len(X) == 0:
        return []
    contributions = booster.predict(X, pred_contrib=True, num_threads=num_threads)[:, :-1]  # last column: bias
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :top]
    names = np.asarray(list(feature_names), dtype=object)
    positive = np.take_along_axis(contributions, order, axis=1) > 0
    return [names[row][keep].tolist() for row, keep in zip(order, positive, strict=True)]


def _matrix(X) -> np.ndarray:
    values = X.to_numpy(dtype=np.float32) if hasattr(X, "to_numpy") else np.asarray(X, dtype=np.float32)
    return np.ascontiguousarray(values)


def _observed(q) -> np.ndarray:
    q = np.asarray(q, dtype=float).reshape(-1)
    return np.isfinite(q) & (q > 0)

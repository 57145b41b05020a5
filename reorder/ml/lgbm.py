"""LightGBM reorder member: one binary classifier per horizon and one robust quantity regressor.

Same interface as the Keras nets of :mod:`reorder.ml.nets` (``fit(X_train, Y_train, q_train, X_val, Y_val, q_val)``,
``predict(X) -> (proba, quantity)``, ``to_bytes``/``from_bytes``), so the ensemble treats every member alike.
Boosters are stored as LightGBM's own model text, never pickled, so an artifact outlives a library upgrade.

A horizon named in ``two_stage_horizons`` gets two stages instead of one classifier (:mod:`reorder.ml.two_stage`):
P(the shop orders anything within it), from the shop's columns, times P(the pair | the shop orders), from the rows
of shops that did; its probability is their product.

A horizon named in ``strong_logit_horizons`` (off by default) also gives its pair classifier the strong baseline's
log-odds (:class:`reorder.ml.baselines.StrongLogit`, fitted on the same training rows) as one more input.

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
import pandas as pd

from reorder.ml.baselines import STRONG_COLUMNS, StrongLogit
from reorder.ml.two_stage import ShopLabels, shop_columns

SMALLEST_QUANTITY = 1.0


STRONG_LOGIT_COLUMN = "strong_logit"  # the stacked input of the horizons in ``strong_logit_horizons``
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
    num_threads: int = 2  # batch predictions (chunks of thousands of pairs; see SERIAL_ROWS)
    # Training runs on one thread. LightGBM's OpenMP threads meet at a barrier several times per boosting round, so
    # when another process holds one of this machine's two cores every round waits for a time slice: the default
    # training on `large` took 382 s with two threads and 55 s with one beside a load of 5, with the same trees
    # (``deterministic`` gives the same model whatever the thread count; docs/benchmarks.md).
    training_threads: int = 1
    # 63 histogram bins instead of LightGBM's 255: each round and each dataset's binning 18% less CPU on `large`,
    # with the same validation ROC AUC and PR AUC at every horizon (docs/benchmarks.md).
    max_bin: int = 63
    # Settings of one horizon's classifier, keyed by its days; ``min_data_in_leaf_share`` asks for at least that
    # share of the training rows in every leaf, so a small history still splits. Chosen on validation on Online
    # Retail (docs/benchmarks.md): at 14 days 0.1% of the rows per leaf (300 there) and L2 10 raised validation
    # ROC AUC and PR AUC; at 30 days they lowered PR AUC, so the 30-day classifier keeps the shared settings.
    horizon_overrides: dict = field(
        default_factory=lambda: {"14": {"min_data_in_leaf_share": 0.001, "lambda_l2": 10.0}}
    )
    # Horizons whose classifier is two stages (shop orders x pair given an order; reorder.ml.two_stage), and the
    # columns only some horizons read: those starting with one of ``restricted_prefixes`` feed only the classifiers
    # of the horizons that name them in ``horizon_columns`` (keyed by days), never the quantity regressor. Chosen on
    # validation on Online Retail (docs/benchmarks.md): at 30 days two stages with the shop's decayed rhythm
    # columns raised validation ROC AUC and PR AUC over one classifier; at 14 days the decayed columns lowered the
    # validation PR AUC, so the 7- and 14-day classifiers keep one stage and never see them.
    two_stage_horizons: tuple[int, ...] = (30,)
    restricted_prefixes: tuple[str, ...] = ("decay_",)
    horizon_columns: dict = field(default_factory=lambda: {"30": ("decay_shop_", "decay_two_stage_")})
    # Horizons whose pair classifier also reads the strong baseline's logit (a logistic regression on its six
    # columns, fitted on the training rows only): a smooth linear score trees on few cutoffs approximate in steps.
    strong_logit_horizons: tuple[int, ...] = ()

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
            "num_threads": self.training_threads,
            "max_bin": self.max_bin,
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
        *,
        shop_train: ShopLabels | None = None,
        shop_val: ShopLabels | None = None,
    ) -> LightGBMReorder:
        """Fit every booster; ``best_iterations_`` records the rounds kept, for a later refit.

        ``shop_train`` and ``shop_val`` say whether each row's shop ordered anything within each horizon, and which
        rows share a shop and cutoff: stage one's labels for the horizons of ``two_stage_horizons``. Without them,
        or without feature names to find the shop's columns, every horizon has one classifier."""
        X_train = _matrix(X_train)
        self.n_features_ = X_train.shape[1]
        Y_train = np.asarray(Y_train, dtype=float).reshape(len(X_train), -1)
        validation = X_val is not None and Y_val is not None and len(X_val) > 0 and self.rounds is None
        if validation:
            X_val = _matrix(X_val)
            Y_val = np.asarray(Y_val, dtype=float).reshape(len(X_val), -1)
        self.classifiers_: dict[int, lgb.Booster] = {}
        self.shop_classifiers_: dict[int, lgb.Booster] = {}
        self.best_iterations_: dict[str, int] = {}
        self.strong_logits_: dict[int, StrongLogit] = {}
        for column, horizon in enumerate(self.horizons):
            used = self.columns(horizon)
            if horizon in self.options.strong_logit_horizons and self.feature_names is not None:
                self.strong_logits_[horizon] = StrongLogit().fit(self._strong_frame(X_train), Y_train[:, column])
            train_rows, val_rows = np.ones(len(X_train), bool), np.ones(len(X_val) if validation else 0, bool)
            shop = self.columns(horizon, shop_only=True)
            if horizon in self.options.two_stage_horizons and shop_train is not None and shop:
                ordered = shop_train.ordered[:, column]
                if _can_split(ordered[shop_train.first_rows()], Y_train[ordered > 0, column]):
                    shop_val_rows = shop_val if validation else None
                    self.shop_classifiers_[horizon] = self._fit_shop_stage(
                        X_train, shop_train, X_val, shop_val_rows, column, horizon, shop
                    )
                    train_rows = ordered > 0  # stage two learns from the rows whose shop did order
                    if shop_val_rows is not None:
                        val_rows = shop_val_rows.ordered[:, column] > 0
            train_set = self._dataset(
                self._classifier_input(X_train[train_rows], horizon), Y_train[train_rows, column], used, horizon
            )
            valid_sets = None
            if validation:
                X_val_used = self._classifier_input(X_val[val_rows], horizon)
                valid_sets = [lgb.Dataset(X_val_used, Y_val[val_rows, column], reference=train_set)]
            target = f"p{horizon}"
            self.classifiers_[horizon] = self._train("binary", train_set, valid_sets, target, horizon, len(X_train))
            self.best_iterations_[target] = self.classifiers_[horizon].current_iteration()

        observed = _observed(q_train)
        if observed.sum() < 2:
            raise ValueError("the quantity regressor needs at least two rows where the pair ordered again")
        used = self.columns(None)
        train_set = self._dataset(
            X_train[observed][:, used], np.log1p(np.asarray(q_train, dtype=float)[observed]), used
        )
        valid_sets = None
        if validation and q_val is not None and _observed(q_val).sum() > 0:
            observed_val = _observed(q_val)
            log_q_val = np.log1p(np.asarray(q_val, dtype=float)[observed_val])
            valid_sets = [lgb.Dataset(X_val[observed_val][:, used], log_q_val, reference=train_set)]
        self.regressor_ = self._train("huber", train_set, valid_sets, "quantity")
        self.best_iterations_["quantity"] = self.regressor_.current_iteration()
        return self

    def columns(self, horizon: int | None, *, shop_only: bool = False) -> list[int]:
        """Positions of the columns a booster reads: every column but the restricted ones its horizon does not
        name (the quantity regressor, ``horizon=None``, names none); with ``shop_only``, only the shop's."""
        names = list(self.feature_names) if self.feature_names is not None else None
        if names is None:
            return list(range(self.n_features_)) if not shop_only else []
        named = tuple(self.options.horizon_columns.get(str(horizon), ())) if horizon is not None else ()
        restricted = tuple(self.options.restricted_prefixes)
        keep = [i for i, n in enumerate(names) if not n.startswith(restricted) or (named and n.startswith(named))]
        if shop_only:
            shop = set(shop_columns(names))
            keep = [i for i in keep if i in shop]
        return keep

    def _dataset(self, X: np.ndarray, y: np.ndarray, used: list[int], horizon: int | None = None) -> lgb.Dataset:
        names = self._input_names(used, horizon) if self.feature_names is not None else "auto"
        return lgb.Dataset(np.ascontiguousarray(X), y, feature_name=names, free_raw_data=True)

    def _input_names(self, used: list[int], horizon: int | None) -> list[str]:
        names = [list(self.feature_names)[i] for i in used]
        return [*names, STRONG_LOGIT_COLUMN] if horizon in self.strong_logits_ else names

    def _strong_frame(self, X: np.ndarray) -> pd.DataFrame:
        index = [list(self.feature_names).index(c) for c in STRONG_COLUMNS]
        return pd.DataFrame(X[:, index].astype(float), columns=list(STRONG_COLUMNS))

    def _classifier_input(self, X: np.ndarray, horizon: int) -> np.ndarray:
        """The columns the pair classifier of ``horizon`` reads, and the strong logit after them where it has one."""
        used = X[:, self.columns(horizon)]
        logit = self.strong_logits_.get(horizon)
        if logit is None:
            return used
        score = logit.decision_function(self._strong_frame(X)).astype(np.float32)
        return np.column_stack([used, score])

    def _fit_shop_stage(self, X_train, shop_train, X_val, shop_val, column: int, horizon: int, shop: list[int]):
        """Stage one on one row per shop and cutoff: did the shop order anything within the horizon."""
        first = shop_train.first_rows()
        shop_set = self._dataset(X_train[first][:, shop], shop_train.ordered[first, column], shop)
        valid = None
        if shop_val is not None:
            first_val = shop_val.first_rows()
            valid = [lgb.Dataset(X_val[first_val][:, shop], shop_val.ordered[first_val, column], reference=shop_set)]
        booster = self._train("binary", shop_set, valid, f"s{horizon}", horizon, len(first))
        self.best_iterations_[f"s{horizon}"] = booster.current_iteration()
        return booster

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
        proba = np.column_stack([self._proba(X, h, threads) for h in self.horizons])
        log_quantity = self.regressor_.predict(X[:, self.columns(None)], num_threads=threads)
        return proba, np.maximum(np.expm1(log_quantity), SMALLEST_QUANTITY)

    def _proba(self, X: np.ndarray, horizon: int, threads: int) -> np.ndarray:
        proba = self.classifiers_[horizon].predict(self._classifier_input(X, horizon), num_threads=threads)
        stage_one = self.shop_classifiers_.get(horizon)
        if stage_one is not None:
            proba = proba * stage_one.predict(X[:, self.columns(horizon, shop_only=True)], num_threads=threads)
        return proba

    def ranked_drivers(
        self, X: np.ndarray, horizon: int, feature_names: Sequence[str], top: int = 5
    ) -> list[list[str]]:
        """Per row, the features that pushed the ``horizon`` probability up the most, strongest first (for two
        stages, those of the pair given an order: the shop's own rhythm is the same for all its products)."""
        used = self.columns(horizon)
        names = [list(feature_names)[i] for i in used]
        return ranked_positive_contributions(
            self.classifiers_[horizon],
            self._classifier_input(_matrix(X), horizon),
            [*names, STRONG_LOGIT_COLUMN] if horizon in self.strong_logits_ else names,
            top=top,
            num_threads=self.options.num_threads,
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
            "strong_logits": {str(h): m.to_dict() for h, m in self.strong_logits_.items()},
            "versions": {"lightgbm": lgb.__version__},
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("meta.json", json.dumps(meta, indent=2))
            for horizon, booster in self.classifiers_.items():
                archive.writestr(f"classifier_{horizon}.txt", booster.model_to_string())
            for horizon, booster in self.shop_classifiers_.items():
                archive.writestr(f"shop_classifier_{horizon}.txt", booster.model_to_string())
            archive.writestr("quantity.txt", self.regressor_.model_to_string())
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LightGBMReorder:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            meta = json.loads(archive.read("meta.json")) if "meta.json" in names else {}
            if meta.get("kind") != "reorder_lightgbm":
                raise ValueError(f"not a reorder_lightgbm artifact (kind={meta.get('kind')!r})")
            # Options added later default to what artifacts written before them did: one stage, every column.
            options = {"two_stage_horizons": (), "restricted_prefixes": (), "horizon_columns": {}, **meta["options"]}
            model = cls(
                horizons=tuple(meta["horizons"]),
                options=LightGBMOptions(**options),
                rounds=meta["rounds"],
                feature_names=meta["feature_names"],
            )
            model.classifiers_ = {
                h: lgb.Booster(model_str=archive.read(f"classifier_{h}.txt").decode()) for h in model.horizons
            }
            model.shop_classifiers_ = {
                h: lgb.Booster(model_str=archive.read(f"shop_classifier_{h}.txt").decode())
                for h in model.horizons
                if f"shop_classifier_{h}.txt" in names
            }
            model.regressor_ = lgb.Booster(model_str=archive.read("quantity.txt").decode())
            model.n_features_ = len(model.feature_names) if model.feature_names else model.regressor_.num_feature()
        model.best_iterations_ = meta["best_iterations"]
        model.strong_logits_ = {int(h): StrongLogit.from_dict(m) for h, m in meta.get("strong_logits", {}).items()}
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


MIN_STAGE_ROWS = 10  # of each class, for either stage: fewer, and the horizon keeps one classifier


def _can_split(shop_y: np.ndarray, y_given_order: np.ndarray) -> bool:
    """Whether two stages can learn: shops (one row per shop and cutoff) that ordered and shops that did not, and
    among the rows of those that did, reorders and non-reorders."""
    counts = (np.bincount(shop_y.astype(int), minlength=2), np.bincount(y_given_order.astype(int), minlength=2))
    return all(count.min() >= MIN_STAGE_ROWS for count in counts)


def _matrix(X) -> np.ndarray:
    values = X.to_numpy(dtype=np.float32) if hasattr(X, "to_numpy") else np.asarray(X, dtype=np.float32)
    return np.ascontiguousarray(values)


def _observed(q) -> np.ndarray:
    q = np.asarray(q, dtype=float).reshape(-1)
    return np.isfinite(q) & (q > 0)

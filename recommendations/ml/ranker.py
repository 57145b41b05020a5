"""The learned ranker over candidates: LightGBM (lambdarank per retailer, or binary for calibrated-like scores),
stored as LightGBM's own model text."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RankerOptions:
    num_boost_round: int = 200
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 50
    feature_fraction: float = 0.8
    lambda_l2: float = 1.0
    seed: int = 0
    num_threads: int = 1

    def params(self, objective: str) -> dict:
        params = {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbose": -1,
        }
        if objective == "lambdarank":
            params["lambdarank_truncation_level"] = 20
            params["eval_at"] = [10]
        return params


class CandidateRanker:
    """One booster over candidate features; ``objective`` is ``"lambdarank"`` (groups are retailers) or
    ``"binary"`` (a probability of purchase in the label window, comparable with the reorder capability's)."""

    def __init__(self, objective: str = "lambdarank", options: RankerOptions | None = None):
        self.objective = objective
        self.options = options or RankerOptions()

    def fit(self, features: pd.DataFrame, labels: np.ndarray, groups: np.ndarray) -> CandidateRanker:
        """``groups``: the retailer of each row; rows of one retailer must be contiguous."""
        self.feature_names_ = list(features.columns)
        X = features.to_numpy(dtype=np.float32)
        y = np.asarray(labels, dtype=float)
        dataset = lgb.Dataset(X, y, feature_name=self.feature_names_, free_raw_data=True)
        if self.objective == "lambdarank":
            _, sizes = np.unique(pd.factorize(groups)[0], return_counts=True)
            dataset.set_group(sizes)
        self.booster_ = lgb.train(
            self.options.params(self.objective), dataset, num_boost_round=self.options.num_boost_round
        )
        return self

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        X = features[self.feature_names_].to_numpy(dtype=np.float32)
        return self.booster_.predict(X, num_threads=self.options.num_threads)

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Each feature's SHAP contribution to each row's score (LightGBM ``pred_contrib``)."""
        X = features[self.feature_names_].to_numpy(dtype=np.float32)
        values = self.booster_.predict(X, pred_contrib=True, num_threads=self.options.num_threads)[:, :-1]
        return pd.DataFrame(values, columns=self.feature_names_, index=features.index)

    def to_dict(self) -> dict:
        return {
            "objective": self.objective,
            "options": asdict(self.options),
            "feature_names": self.feature_names_,
            "model": self.booster_.model_to_string(),
            "lightgbm": lgb.__version__,
        }

    @classmethod
    def from_dict(cls, state: dict) -> CandidateRanker:
        ranker = cls(state["objective"], RankerOptions(**state["options"]))
        ranker.feature_names_ = list(state["feature_names"])
        ranker.booster_ = lgb.Booster(model_str=state["model"])
        return ranker

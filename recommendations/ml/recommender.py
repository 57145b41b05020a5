"""The recommender: candidate generators, one learned ranker per list, business rules and reasons in words.

``fit`` learns the rankers on a time split (generators fitted on the history before a cutoff, labels are what each
shop bought after it, or an explicit ``holdout``), then refits every generator on all the history for serving.
``recommend`` returns discover, buy-again or next-basket lists; ``bundle`` the products often bought with an anchor
product or a cart. Every row carries the reason of the generator that contributed most to its score.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from .base import Generator
from .bundles import CoPurchaseLift
from .collaborative import ImplicitALS, ItemKNN
from .content import ContentSimilarity
from .data import TrainingData, validate_orders
from .features import FREQUENCY, LISTS, FeatureCheck, candidate_features
from .popularity import PeerPopularity, Popularity
from .ranker import CandidateRanker, RankerOptions
from .repeat import PersonalFrequency, TifuKNN
from .rules import BusinessRules, mmr_order

GENERATOR_CLASSES: dict[str, type[Generator]] = {
    cls.name: cls
    for cls in (Popularity, PersonalFrequency, ImplicitALS, ItemKNN, TifuKNN, PeerPopularity, ContentSimilarity)
} | {CoPurchaseLift.name: CoPurchaseLift}
RECOMMENDATION_COLUMNS = ("retailer_id", "kind", "rank", "product_id", "score", "reason", "source")
OBJECTIVES = {"discover": "lambdarank", "buy_again": "binary", "next_basket": "lambdarank"}


def default_generators() -> list[Generator]:
    return [
        Popularity(),
        PersonalFrequency(),
        ImplicitALS(),
        ItemKNN(),
        TifuKNN(preset="tafeng"),
        PeerPopularity(),
        ContentSimilarity(),
        CoPurchaseLift(),
    ]


@dataclass(frozen=True)
class RecommenderOptions:
    """``per_generator``: candidates each generator adds per shop and list. ``label_days``: the label window of the
    internal time split. ``max_training_retailers``: shops sampled (seeded) to train the rankers."""

    per_generator: int = 50
    label_days: int = 30
    half_life_days: float = 90.0
    max_training_retailers: int = 2000
    batch_size: int = 256
    lists: tuple[str, ...] = LISTS
    ranker: RankerOptions = field(default_factory=RankerOptions)
    seed: int = 0


class Recommender:
    """``feature_check`` sees every candidate frame the rankers learn from or score (see
    :data:`~recommendations.ml.features.FeatureCheck`); it is not saved with the model, whoever loads one sets it."""

    def __init__(
        self,
        generators: Sequence[Generator] | None = None,
        options: RecommenderOptions | None = None,
        *,
        feature_check: FeatureCheck | None = None,
    ):
        self.generators = generators
        self.options = options or RecommenderOptions()
        self.feature_check = feature_check

    def _fresh_generators(self) -> dict[str, Generator]:
        chosen = self.generators if self.generators is not None else default_generators()
        fresh = {g.name: type(g)(**g.get_params()) for g in chosen}
        if FREQUENCY not in fresh:
            raise ValueError("the recommender needs the 'frequency' generator: it tells bought from never bought")
        return fresh

    def fit(
        self,
        orders: pd.DataFrame,
        products: pd.DataFrame | None = None,
        retailers: pd.DataFrame | None = None,
        *,
        holdout: pd.DataFrame | None = None,
        feedback: pd.DataFrame | None = None,
    ) -> Recommender:
        """Learn the rankers on a time split, then refit the generators on ``orders`` (plus ``holdout``). The shops'
        ``feedback`` adds confidence to the pairs they clicked or put in the cart, each fit reading only what came
        before its cutoff (:class:`TrainingData`)."""
        orders = validate_orders(orders)
        if holdout is None:
            cutoff = orders["date"].max() + pd.Timedelta(days=1 - self.options.label_days)
            train, holdout = orders[orders["date"] < cutoff], orders[orders["date"] >= cutoff]
        else:
            train, holdout = orders, validate_orders(holdout)
        half_life = self.options.half_life_days
        train_data = TrainingData.build(train, products, retailers, half_life_days=half_life, feedback=feedback)
        split_generators = {name: g.fit(train_data) for name, g in self._fresh_generators().items()}
        truth = holdout.groupby("retailer_id")["product_id"].agg(set)
        shops = truth.index[train_data.retailer_positions(truth.index) >= 0].to_numpy(dtype=object)
        rng = np.random.default_rng(self.options.seed)
        if len(shops) > self.options.max_training_retailers:
            shops = rng.choice(shops, self.options.max_training_retailers, replace=False)
        self.rankers_: dict[str, CandidateRanker] = {}
        self.training_: dict = {"cutoff": str(train_data.as_of.date()), "retailers": len(shops), "rows": {}}
        for kind in self.options.lists:
            frames, labels, groups = [], [], []
            for batch in _batches(shops, self.options.batch_size):
                pairs, features, _ = candidate_features(
                    split_generators,
                    batch,
                    kind=kind,
                    per_generator=self.options.per_generator,
                    check=self.feature_check,
                )
                hit = np.fromiter(
                    (p in truth[r] for r, p in zip(pairs["retailer_id"], pairs["product_id"], strict=True)),
                    dtype=bool,
                    count=len(pairs),
                )
                if OBJECTIVES[kind] == "lambdarank":  # a shop without a hit teaches a ranker nothing
                    useful = pairs["retailer_id"].isin(pairs.loc[hit, "retailer_id"]).to_numpy()
                    pairs, features, hit = pairs[useful], features[useful], hit[useful]
                frames.append(features)
                labels.append(hit)
                groups.append(pairs["retailer_id"].to_numpy())
            features = pd.concat(frames, ignore_index=True)
            y = np.concatenate(labels)
            if len(features) == 0 or y.sum() == 0:
                raise ValueError(f"no {kind} candidate was bought in the label window: the ranker cannot learn")
            ranker = CandidateRanker(OBJECTIVES[kind], self.options.ranker)
            self.rankers_[kind] = ranker.fit(features, y, np.concatenate(groups))
            self.training_["rows"][kind] = {"rows": len(y), "positives": int(y.sum())}
        full = pd.concat([train, holdout], ignore_index=True)
        self.data_ = TrainingData.build(full, products, retailers, half_life_days=half_life, feedback=feedback)
        self.generators_ = {name: g.fit(self.data_) for name, g in self._fresh_generators().items()}
        self.categories_ = self.data_.products["category_id"].to_numpy(dtype=object)
        self.baseline_serves_: dict[str, str] = {}
        return self

    def serve_baseline(self, kind: str, generator: str) -> Recommender:
        """List ``kind`` is ranked by ``generator``'s own score instead of the ranker: the choice training makes
        when the ranker did not beat that baseline on the held-out window."""
        if kind not in self.rankers_ or generator not in self.generators_:
            raise ValueError(f"cannot serve {kind!r} from the {generator!r} generator")
        self.baseline_serves_[kind] = generator
        return self

    def recommend(
        self,
        retailer_ids,
        *,
        kind: str,
        k: int = 10,
        reorder_probabilities: pd.DataFrame | None = None,
        rules: BusinessRules | None = None,
    ) -> pd.DataFrame:
        """The top ``k`` of list ``kind`` per retailer, with :data:`RECOMMENDATION_COLUMNS`.

        In buy again, ``reorder_probabilities`` (``retailer_id``, ``product_id``, ``probability``) from the reorder
        capability replace the ranker's own probability wherever a pair has one, so the two never disagree.
        """
        if kind not in self.rankers_:
            raise ValueError(f"kind must be one of {', '.join(self.rankers_)}, not {kind!r}")
        rules = rules or BusinessRules()
        results = []
        for batch in _batches(np.asarray(list(retailer_ids), dtype=object), self.options.batch_size):
            pairs, features, _ = candidate_features(
                self.generators_,
                batch,
                kind=kind,
                per_generator=self.options.per_generator,
                check=getattr(self, "feature_check", None),
            )
            baseline = getattr(self, "baseline_serves_", {}).get(kind)
            if baseline:
                pairs = pairs.assign(score=features[baseline].to_numpy(dtype=float), source="")
            else:
                pairs = pairs.assign(score=self.rankers_[kind].predict(features), source="")
            if kind == "buy_again" and reorder_probabilities is not None and len(reorder_probabilities):
                given = reorder_probabilities.set_index(["retailer_id", "product_id"])["probability"]
                found = given.reindex(pd.MultiIndex.from_frame(pairs[["retailer_id", "product_id"]])).to_numpy()
                pairs.loc[~np.isnan(found), "source"] = "reorder"
                pairs["score"] = np.where(np.isnan(found), pairs["score"], found)
            keep = rules.allowed(pairs)
            pairs, features = pairs[keep], features[keep]
            picked = []
            for _, shop in pairs.groupby("retailer_id", sort=False):
                diversity = rules.diversity if kind == "discover" else 0.0
                order = mmr_order(shop["score"].to_numpy(), self.categories_[shop["p"].to_numpy()], k, diversity)
                picked.append(shop.iloc[order].assign(rank=np.arange(1, len(order) + 1)))
            if not picked:
                continue
            top = pd.concat(picked)
            top["reason"] = self._reasons(kind, top, features.loc[top.index], reorder_probabilities)
            results.append(top)
        if not results:
            return pd.DataFrame(columns=list(RECOMMENDATION_COLUMNS))
        out = pd.concat(results, ignore_index=True).assign(kind=kind)
        return out[list(RECOMMENDATION_COLUMNS)]

    def _reasons(self, kind: str, top: pd.DataFrame, features: pd.DataFrame, reorder: pd.DataFrame | None) -> list:
        """The reason of the generator whose features pushed the score up the most (SHAP), in its own words; the
        baseline's own where it ranks the list."""
        baseline = getattr(self, "baseline_serves_", {}).get(kind)
        if baseline:
            top["source"] = np.where(top["source"] == "reorder", "reorder", baseline)
            reasons = pd.Series("", index=top.index, dtype=object)
            for retailer, rows in top.groupby("retailer_id", sort=False):
                reasons[rows.index] = self.generators_[baseline].explain(retailer, rows["product_id"].to_numpy())
            return reasons.tolist()
        contributions = self.rankers_[kind].contributions(features)
        by_generator = pd.DataFrame(index=contributions.index)
        owners = {name: name for name in self.generators_} | {
            "orders": FREQUENCY,
            "days_since_last": FREQUENCY,
            "mean_gap": FREQUENCY,
            "overdue": FREQUENCY,
            "product_popularity": "popularity",
        }
        for column in contributions.columns:
            owner = owners.get(column.removesuffix("_rank"))
            if owner in self.generators_:
                by_generator[owner] = by_generator.get(owner, 0.0) + contributions[column]
        source = by_generator.idxmax(axis=1) if len(by_generator.columns) else pd.Series(FREQUENCY, index=top.index)
        if kind == "buy_again":
            source[:] = FREQUENCY  # the shop's own rhythm is the evidence a buyer checks
        top.loc[source.index, "source"] = np.where(top["source"] == "reorder", "reorder", source)
        reasons = pd.Series("", index=top.index, dtype=object)
        for (retailer, name), rows in top.assign(generator=source).groupby(["retailer_id", "generator"], sort=False):
            reasons[rows.index] = self.generators_[name].explain(retailer, rows["product_id"].to_numpy())
        if kind == "buy_again" and reorder is not None:
            from_reorder = top["source"] == "reorder"
            reasons[from_reorder] = [
                f"{text}; {p:.0%} likely to be reordered soon"
                for text, p in zip(reasons[from_reorder], top.loc[from_reorder, "score"], strict=True)
            ]
        return reasons.tolist()

    def bundle(self, products, *, k: int = 10, retailer_id=None, rules: BusinessRules | None = None) -> pd.DataFrame:
        """Products often bought with an anchor product or a cart, with the columns of :data:`~recommendations.ml.bundles.BUNDLE_COLUMNS` and ``rank``."""
        lift = self.generators_.get(CoPurchaseLift.name)
        if lift is None:
            raise ValueError("bundles need the 'co_purchase' generator")
        items = lift.bundle(list(products), k=k * 3)
        if retailer_id is not None and rules is not None:
            items = items[rules.allowed(items.assign(retailer_id=retailer_id))]
        elif rules is not None:
            items = items[~items["product_id"].isin(list(rules.inactive))]
        return items.head(k).assign(rank=lambda f: np.arange(1, len(f) + 1)).reset_index(drop=True)

    def save(self, directory: str | Path) -> None:
        """One ``.npz`` per generator, and a ``recommender.json`` with the options, the rankers' LightGBM model
        text, the training summary and the library versions."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, generator in self.generators_.items():
            generator.save(directory / f"{name}.npz")
        categories = [c.item() if isinstance(c, np.generic) else c for c in self.categories_]
        state = {
            "kind": "recommender",
            "options": asdict(self.options),
            "generators": list(self.generators_),
            "rankers": {kind: ranker.to_dict() for kind, ranker in self.rankers_.items()},
            "training": self.training_,
            "baseline_serves": getattr(self, "baseline_serves_", {}),
            "categories": categories,
            "versions": {"numpy": np.__version__, "pandas": pd.__version__, "lightgbm": lgb.__version__},
        }
        (directory / "recommender.json").write_text(json.dumps(state))

    @classmethod
    def load(cls, directory: str | Path) -> Recommender:
        directory = Path(directory)
        state = json.loads((directory / "recommender.json").read_text())
        if state.get("kind") != "recommender":
            raise ValueError(f"not a recommender artifact (kind={state.get('kind')!r})")
        options = dict(state["options"])
        options["ranker"] = RankerOptions(**options["ranker"])
        options["lists"] = tuple(options["lists"])
        model = cls(options=replace(RecommenderOptions(), **options))
        model.generators_ = {
            name: GENERATOR_CLASSES[name].load(directory / f"{name}.npz") for name in state["generators"]
        }
        model.generators = list(model.generators_.values())
        model.rankers_ = {kind: CandidateRanker.from_dict(s) for kind, s in state["rankers"].items()}
        model.training_ = state["training"]
        model.baseline_serves_ = dict(state.get("baseline_serves") or {})
        model.categories_ = np.asarray(state["categories"], dtype=object)
        return model


def _batches(items: np.ndarray, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]

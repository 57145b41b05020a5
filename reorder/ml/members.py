"""The models the reorder ensemble is built from, by name, as forecasting's members are: each factory makes a
fresh, unfitted model from the run's options, and a new algorithm is one more entry.

Classes are imported when first needed, so naming the nets here costs nothing: their module loads TensorFlow only
inside its own functions, when a net is fitted or loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from reorder.ml.training.options import TrainingOptions

CLASSES = {
    "lightgbm": "reorder.ml.lgbm.LightGBMReorder",
    "ffn": "reorder.ml.nets.FeedForwardReorder",
    "lstm": "reorder.ml.nets.SequenceLSTMReorder",
    "logreg_strong": "reorder.ml.strong_member.StrongLogitMember",
}
SEQUENCE_MEMBERS = frozenset({"lstm"})  # members that also read each pair's recent orders as a sequence


def member_class(name: str) -> Any:
    """The class of a member, whose ``from_bytes`` loads it back."""
    module, _, attribute = CLASSES[member_names([name])[0]].rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def _lightgbm(horizons: Sequence[int], options: TrainingOptions, feature_names: list[str], **overrides: Any) -> Any:
    from reorder.ml.lgbm import LightGBMOptions

    lgbm_options = LightGBMOptions(**{"seed": options.seed, **options.lightgbm})
    return member_class("lightgbm")(horizons, lgbm_options, feature_names=feature_names, **overrides)


def _net(name: str) -> Callable[..., Any]:
    def make(horizons: Sequence[int], options: TrainingOptions, feature_names: list[str], **overrides: Any) -> Any:
        kwargs = {"epochs": options.epochs, "seed": options.seed, **options.nets.get(name, {}), **overrides}
        return member_class(name)(horizons=horizons, **kwargs)

    return make


def _strong_logit(horizons: Sequence[int], options: TrainingOptions, feature_names: list[str], **_: Any) -> Any:
    return member_class("logreg_strong")(horizons, feature_names)


MEMBERS: dict[str, Callable[..., Any]] = {
    "lightgbm": _lightgbm,
    "ffn": _net("ffn"),
    "lstm": _net("lstm"),
    "logreg_strong": _strong_logit,
}


def predicts_quantity(model: Any) -> bool:
    """Whether a fitted member's quantity is its own, so a candidate of the quantity blend."""
    return bool(getattr(model, "predicts_quantity", True))


def member_names(names: Sequence[str]) -> list[str]:
    """The names given, checked: an unknown member fails now, not after the dataset is built."""
    names = [name for name in names if name]
    unknown = [name for name in names if name not in MEMBERS]
    if unknown:
        raise ValueError(f"unknown ensemble member {unknown[0]!r}; known: {', '.join(MEMBERS)}")
    return names


def member_input(name: str, X: np.ndarray, sequences: np.ndarray | None) -> Any:
    """What a member reads: the feature matrix, or (features, order sequences) for a sequence model."""
    if name in SEQUENCE_MEMBERS:
        if sequences is None:
            raise ValueError(f"member {name!r} needs order sequences")
        return (X, sequences)
    return X

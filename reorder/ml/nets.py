"""Two neural reorder models with one interface: a feed-forward net on the tabular pair features, and an LSTM
that also reads each pair's recent orders as a sequence (:mod:`reorder.ml.sequences`).

Each is one Keras network with two heads, so the probability and the quantity share what they learn about a pair:
a sigmoid unit per horizon (will the pair order within N days?) and a quantity head fitted on log1p of the next
order's quantity with a Huber loss (robust to the odd bulk order), weighted 0 where the pair did not order again.

TensorFlow is imported only inside functions: it starts thread pools at import and is not fork-safe, so importing
this module (a Celery worker, a Django process) must not load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np

from mlkit.keras import keras_from_bytes, keras_runtime, keras_to_bytes

PREDICT_BATCH = 8192
# A bulk order 1e4 times the usual must not dominate the shared layers: Huber is quadratic only near the target.
HUBER_DELTA = 1.0
SMALLEST_QUANTITY = 1e-3

# Scaled features are clipped: a value far outside the training range (a new giant retailer) must not saturate
# every unit of the first layer.
SCALED_LIMIT = 10.0
SKEWED = 1.0


class FeatureScaler:
    """Robust standardisation of tabular features, learned in NumPy and stored as JSON with the model.

    Heavy-tailed non-negative columns (counts, values, days; skewness above 1) are log1p'd first, then every
    column is centred on its median and divided by its interquartile range (the standard deviation where the IQR
    is 0, as in a mostly-zero column; 1 for a constant one).
    """

    def fit(self, X: np.ndarray) -> FeatureScaler:
        X = _finite(X)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"features must be a non-empty 2-D array, not shape {X.shape}")
        std = X.std(axis=0)
        centred = X - X.mean(axis=0)
        skewness = np.divide((centred**3).mean(axis=0), std**3, out=np.zeros(X.shape[1]), where=std > 0)
        self.log_columns_ = (X.min(axis=0) >= 0) & (skewness > SKEWED)
        logged = self._log(X)
        q1, median, q3 = np.percentile(logged, [25, 50, 75], axis=0)
        spread = np.where(q3 - q1 > 0, q3 - q1, logged.std(axis=0))
        self.center_ = median
        self.scale_ = np.where(spread > 0, spread, 1.0)
        return self

    def _log(self, X: np.ndarray) -> np.ndarray:
        return np.where(self.log_columns_, np.log1p(np.clip(X, 0, None)), X)

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = _finite(X)
        if X.ndim != 2 or X.shape[1] != len(self.center_):
            raise ValueError(f"expected {len(self.center_)} feature columns, got shape {X.shape}")
        scaled = (self._log(X) - self.center_) / self.scale_
        return np.clip(scaled, -SCALED_LIMIT, SCALED_LIMIT).astype(np.float32)

    def to_dict(self) -> dict[str, list]:
        return {
            "log_columns": self.log_columns_.astype(bool).tolist(),
            "center": self.center_.tolist(),
            "scale": self.scale_.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, list]) -> FeatureScaler:
        scaler = cls()
        scaler.log_columns_ = np.asarray(data["log_columns"], dtype=bool)
        scaler.center_ = np.asarray(data["center"], dtype=np.float64)
        scaler.scale_ = np.asarray(data["scale"], dtype=np.float64)
        return scaler


class SequenceScaler:
    """Per-channel mean/std over the real steps of order sequences; padding stays exactly zero for the Masking
    layer, and channel 0 (the mask itself) is left as 1, so a real step never looks like padding."""

    def fit(self, sequences: np.ndarray) -> SequenceScaler:
        real = sequences[sequences[..., 0] > 0].astype(np.float64)
        channels = sequences.shape[-1]
        self.mean_ = real.mean(axis=0) if len(real) else np.zeros(channels)
        std = real.std(axis=0) if len(real) else np.ones(channels)
        self.std_ = np.where(std > 0, std, 1.0)
        self.mean_[0], self.std_[0] = 0.0, 1.0
        return self

    def transform(self, sequences: np.ndarray) -> np.ndarray:
        if sequences.shape[-1] != len(self.mean_):
            raise ValueError(f"expected {len(self.mean_)} sequence channels, got shape {sequences.shape}")
        mask = (sequences[..., :1] > 0).astype(np.float32)
        scaled = (np.nan_to_num(sequences, nan=0.0) - self.mean_) / self.std_
        return (np.clip(scaled, -SCALED_LIMIT, SCALED_LIMIT) * mask).astype(np.float32)

    def to_dict(self) -> dict[str, list]:
        return {"mean": self.mean_.tolist(), "std": self.std_.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, list]) -> SequenceScaler:
        scaler = cls()
        scaler.mean_ = np.asarray(data["mean"], dtype=np.float64)
        scaler.std_ = np.asarray(data["std"], dtype=np.float64)
        return scaler


def _finite(X: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.asarray(X, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)


def _targets(Y: np.ndarray, q: np.ndarray, n_horizons: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Keras targets and per-output sample weights; a pair that never ordered again teaches no quantity."""
    Y = np.asarray(Y, dtype=np.float32).reshape(len(Y), -1)
    if Y.shape[1] != n_horizons:
        raise ValueError(f"Y has {Y.shape[1]} columns for {n_horizons} horizons")
    q = np.asarray(q, dtype=np.float64).reshape(-1)
    if len(q) != len(Y):
        raise ValueError(f"q has {len(q)} rows, Y has {len(Y)}")
    observed = np.isfinite(q) & (q > 0)
    log_quantity = np.log1p(np.where(observed, q, 0.0)).astype(np.float32)
    weights = {"reorder": np.ones(len(Y), dtype=np.float32), "quantity": observed.astype(np.float32)}
    return {"reorder": Y, "quantity": log_quantity[:, None]}, weights


class _ReorderNet:
    """Fitting, prediction and persistence shared by both nets; subclasses build the network and its inputs.

    Parameters live in ``__init__`` only; ``fit`` learns ``model_``, the scalers and ``history_`` (epochs run and
    the best validation loss).
    """

    kind: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]

    def get_params(self) -> dict[str, Any]:
        params = {name: getattr(self, name) for name in self.param_names}
        params["horizons"] = [int(h) for h in params["horizons"]]
        return params

    # Subclasses: scalers, Keras inputs and network.
    def _fit_scalers(self, X: Any) -> None:
        raise NotImplementedError

    def _inputs(self, X: Any) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _trunk(self, keras: Any, inputs: dict[str, np.ndarray]) -> tuple[dict[str, Any], Any]:
        """The network's Keras inputs (named like ``inputs``) and the last shared layer, which the heads read."""
        raise NotImplementedError

    def _scalers_to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def _scalers_from_dict(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def _heads(self, keras: Any, trunk: Any, targets: dict[str, np.ndarray], weights: dict[str, np.ndarray]) -> dict:
        """The two heads, their biases started at the training base rates and mean log quantity: the first epochs
        then learn what distinguishes pairs instead of the overall level."""
        rate = np.clip(targets["reorder"].mean(axis=0), 1e-3, 1 - 1e-3)
        observed = weights["quantity"] > 0
        level = float(targets["quantity"][observed].mean()) if observed.any() else 1.0
        reorder = keras.layers.Dense(
            len(self.horizons),
            activation="sigmoid",
            bias_initializer=keras.initializers.Constant(np.log(rate / (1 - rate))),
            name="reorder",
        )(trunk)
        # softplus keeps log1p(quantity) above 0, so expm1 of it is a positive quantity.
        quantity = keras.layers.Dense(
            1,
            activation="softplus",
            bias_initializer=keras.initializers.Constant(_inverse_softplus(max(level, 1e-2))),
            name="quantity",
        )(trunk)
        return {"reorder": reorder, "quantity": quantity}

    def fit(
        self,
        X_train: Any,
        Y_train: np.ndarray,
        q_train: np.ndarray,
        X_val: Any = None,
        Y_val: np.ndarray | None = None,
        q_val: np.ndarray | None = None,
    ) -> Self:
        """Fit on the training rows, stopping early on the validation loss (the best epoch's weights are kept).

        Without validation rows it stops on the training loss instead.
        """
        keras = keras_runtime(self.seed)
        self._fit_scalers(X_train)
        x_train = self._inputs(X_train)
        y_train, w_train = _targets(Y_train, q_train, len(self.horizons))
        validation = None
        if X_val is not None and Y_val is not None and q_val is not None and len(Y_val):
            validation = (self._inputs(X_val), *_targets(Y_val, q_val, len(self.horizons)))
        keras_inputs, trunk = self._trunk(keras, x_train)
        model = keras.Model(keras_inputs, self._heads(keras, trunk, y_train, w_train), name=self.kind)
        model.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate),
            loss={"reorder": keras.losses.BinaryCrossentropy(), "quantity": keras.losses.Huber(delta=HUBER_DELTA)},
            jit_compile=False,
        )
        monitor = "val_loss" if validation else "loss"
        stop = keras.callbacks.EarlyStopping(monitor=monitor, patience=self.patience, restore_best_weights=True)
        fitted = model.fit(
            x_train,
            y_train,
            sample_weight=w_train,
            validation_data=validation,
            epochs=self.epochs,
            batch_size=self.batch_size,
            callbacks=[stop],
            shuffle=True,
            verbose=0,
        )
        losses = fitted.history[monitor]
        self.model_ = model
        self.history_ = {"epochs": len(losses), "best_loss": float(np.min(losses)), "monitor": monitor}
        return self

    def predict(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Reorder probabilities, shape (n, len(horizons)), and the next-order quantity, shape (n,), always > 0.

        The quantity is fitted on a log scale, so it is the pair's typical (median-like) order, not its mean: one bulk
        order does not inflate every later suggestion.
        """
        keras_runtime()
        outputs = self.model_.predict(self._inputs(X), batch_size=PREDICT_BATCH, verbose=0)
        proba = np.clip(np.asarray(outputs["reorder"], dtype=np.float64), 0.0, 1.0)
        quantity = np.expm1(np.asarray(outputs["quantity"], dtype=np.float64).reshape(-1))
        return proba, np.maximum(quantity, SMALLEST_QUANTITY)

    def to_bytes(self) -> bytes:
        """A zip of Keras' own ``model.keras`` and a ``meta.json`` with the parameters, the scalers, the fit's
        history and the library versions (no pickle, so an artifact outlives a library upgrade or says why not)."""
        meta = {
            "kind": self.kind,
            "params": self.get_params(),
            "scalers": self._scalers_to_dict(),
            "history": self.history_,
        }
        return keras_to_bytes(self.model_, meta)

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        model, meta = keras_from_bytes(data, kind=cls.kind, compile=False)
        net = cls(**meta["params"])
        net._scalers_from_dict(meta["scalers"])
        net.model_ = model
        net.history_ = meta["history"]
        return net


class FeedForwardReorder(_ReorderNet):
    """Dense blocks (Dense, BatchNorm, ReLU, Dropout) over the standardised tabular features.

    ``X`` is a float array (n, features), e.g. ``dataset[feature_columns(dataset)]``.
    """

    kind = "reorder_ffn"
    param_names = (
        "horizons",
        "hidden",
        "dropout",
        "epochs",
        "batch_size",
        "learning_rate",
        "patience",
        "seed",
    )

    def __init__(
        self,
        horizons: Sequence[int] = (7, 14, 30),
        hidden: Sequence[int] = (128, 64),
        dropout: float = 0.2,
        epochs: int = 20,
        batch_size: int = 1024,
        learning_rate: float = 1e-3,
        patience: int = 3,
        seed: int = 0,
    ) -> None:
        self.horizons = tuple(horizons)
        self.hidden = tuple(hidden)
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.seed = seed

    def get_params(self) -> dict[str, Any]:
        return {**super().get_params(), "hidden": [int(units) for units in self.hidden]}

    def _fit_scalers(self, X: Any) -> None:
        self.scaler_ = FeatureScaler().fit(np.asarray(X, dtype=np.float64))

    def _inputs(self, X: Any) -> dict[str, np.ndarray]:
        return {"features": self.scaler_.transform(np.asarray(X, dtype=np.float64))}

    def _trunk(self, keras: Any, inputs: dict[str, np.ndarray]) -> tuple[dict[str, Any], Any]:
        features = keras.Input((inputs["features"].shape[1],), name="features")
        x = features
        for units in self.hidden:
            x = _dense_block(keras, x, units, self.dropout)
        return {"features": features}, x

    def _scalers_to_dict(self) -> dict[str, Any]:
        return {"features": self.scaler_.to_dict()}

    def _scalers_from_dict(self, data: dict[str, Any]) -> None:
        self.scaler_ = FeatureScaler.from_dict(data["features"])


class SequenceLSTMReorder(_ReorderNet):
    """A bidirectional LSTM over each pair's recent orders, joined with a dense branch over the static features.

    ``X`` is a tuple ``(static (n, features), sequences (n, length, channels))``; the sequences come from
    :func:`reorder.ml.sequences.order_sequences`, whose all-zero padding steps the Masking layer skips.
    """

    kind = "reorder_lstm"
    param_names = (
        "horizons",
        "units",
        "dense",
        "dropout",
        "epochs",
        "batch_size",
        "learning_rate",
        "patience",
        "seed",
    )

    def __init__(
        self,
        horizons: Sequence[int] = (7, 14, 30),
        units: int = 32,
        dense: int = 64,
        dropout: float = 0.2,
        epochs: int = 20,
        batch_size: int = 1024,
        learning_rate: float = 1e-3,
        patience: int = 3,
        seed: int = 0,
    ) -> None:
        self.horizons = tuple(horizons)
        self.units = units
        self.dense = dense
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.seed = seed

    @staticmethod
    def _split(X: Any) -> tuple[np.ndarray, np.ndarray]:
        static, sequences = X
        static = np.asarray(static, dtype=np.float64)
        sequences = np.asarray(sequences, dtype=np.float32)
        if sequences.ndim != 3 or len(sequences) != len(static):
            raise ValueError(f"sequences must be (n={len(static)}, length, channels), not {sequences.shape}")
        return static, sequences

    def _fit_scalers(self, X: Any) -> None:
        static, sequences = self._split(X)
        self.static_scaler_ = FeatureScaler().fit(static)
        self.sequence_scaler_ = SequenceScaler().fit(sequences)

    def _inputs(self, X: Any) -> dict[str, np.ndarray]:
        static, sequences = self._split(X)
        return {"static": self.static_scaler_.transform(static), "sequence": self.sequence_scaler_.transform(sequences)}

    def _trunk(self, keras: Any, inputs: dict[str, np.ndarray]) -> tuple[dict[str, Any], Any]:
        static = keras.Input((inputs["static"].shape[1],), name="static")
        sequence = keras.Input(inputs["sequence"].shape[1:], name="sequence")
        recurrent = keras.layers.Masking(mask_value=0.0)(sequence)
        recurrent = keras.layers.Bidirectional(keras.layers.LSTM(self.units))(recurrent)
        tabular = _dense_block(keras, static, self.dense, self.dropout)
        x = keras.layers.Concatenate()([recurrent, tabular])
        x = _dense_block(keras, x, self.dense, self.dropout)
        return {"static": static, "sequence": sequence}, x

    def _scalers_to_dict(self) -> dict[str, Any]:
        return {"static": self.static_scaler_.to_dict(), "sequence": self.sequence_scaler_.to_dict()}

    def _scalers_from_dict(self, data: dict[str, Any]) -> None:
        self.static_scaler_ = FeatureScaler.from_dict(data["static"])
        self.sequence_scaler_ = SequenceScaler.from_dict(data["sequence"])


def _inverse_softplus(value: float) -> float:
    return float(np.log(np.expm1(value)))


def _dense_block(keras: Any, x: Any, units: int, dropout: float) -> Any:
    # The bias is redundant before BatchNormalization, which learns its own shift.
    x = keras.layers.Dense(units, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Activation("relu")(x)
    return keras.layers.Dropout(dropout)(x) if dropout > 0 else x

"""The candidates the shipped robust detector was compared with: an IsolationForest over window features and an
LSTM autoencoder's reconstruction error. Both see each series on the same log scale as the robust scorer,
centred on its median and divided by its MAD, so scores pool across series. Their raw scores are put on a robust
z scale over all points, so :class:`AnomalyConfig`'s threshold reads alike for every method.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .config import AnomalyConfig
from .robust import MAD_TO_SD, group_bounds, log_scale, score_robust


def standardised(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each series on its log scale, minus its median, over its robust scale; and the series bounds."""
    values = frame["value"].to_numpy(dtype=float)
    _, starts = group_bounds(frame["series_id"])
    out = np.zeros(len(values))
    for begin, end in itertools.pairwise(starts):
        y, _ = log_scale(values[begin:end])
        centre = np.median(y)
        scale = max(MAD_TO_SD * float(np.median(np.abs(y - centre))), 0.05)
        out[begin:end] = (y - centre) / scale
    return out, starts


def to_z(raw: np.ndarray) -> np.ndarray:
    centre = np.median(raw)
    scale = max(MAD_TO_SD * float(np.median(np.abs(raw - centre))), 1e-9)
    return (raw - centre) / scale


def window_features(y: np.ndarray, starts: np.ndarray, indicators: np.ndarray) -> np.ndarray:
    """Per point: value, its gap to the centred 9-point median, the steps from its neighbours, and drivers."""
    rows = []
    for begin, end in itertools.pairwise(starts):
        part = pd.Series(y[begin:end])
        level = part.rolling(9, center=True, min_periods=1).median()
        rows.append(
            np.column_stack(
                [part, part - level, part.diff().fillna(0.0), part.diff(-1).fillna(0.0), indicators[begin:end]]
            )
        )
    return np.vstack(rows)


def isolation_forest_scores(frame: pd.DataFrame, indicators: np.ndarray, config: AnomalyConfig) -> np.ndarray:
    from sklearn.ensemble import IsolationForest

    y, starts = standardised(frame)
    features = window_features(y, starts, indicators)
    forest = IsolationForest(n_estimators=100, max_samples=min(2048, len(y)), random_state=config.seed)
    forest.fit(features)
    return -forest.score_samples(features)


def windows_of(y: np.ndarray, starts: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``length`` periods inside one series, and the row where each window starts."""
    firsts = [np.arange(b, e - length + 1) for b, e in itertools.pairwise(starts) if e - b >= length]
    first = np.concatenate(firsts) if firsts else np.zeros(0, dtype=int)
    return y[first[:, None] + np.arange(length)], first


def lstm_autoencoder_scores(frame: pd.DataFrame, config: AnomalyConfig) -> np.ndarray:
    """Mean squared reconstruction error of each point over the windows that contain it."""
    from mlkit.keras import keras_runtime

    y, starts = standardised(frame)
    y = np.clip(y, -20, 20)
    length = config.lstm_window
    windows, first = windows_of(y, starts, length)
    errors = np.zeros(len(y))
    if len(first) == 0:
        return errors
    keras = keras_runtime(seed=config.seed)
    rng = np.random.default_rng(config.seed)
    train = windows[rng.permutation(len(windows))[: config.lstm_max_windows]]
    inputs = keras.Input(shape=(length, 1))
    encoded = keras.layers.LSTM(config.lstm_units)(inputs)
    repeated = keras.layers.RepeatVector(length)(encoded)
    decoded = keras.layers.LSTM(config.lstm_units, return_sequences=True)(repeated)
    outputs = keras.layers.TimeDistributed(keras.layers.Dense(1))(decoded)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="mse")
    model.fit(train[..., None], train[..., None], epochs=config.lstm_epochs, batch_size=256, verbose=0)
    reconstructed = model.predict(windows[..., None], batch_size=4096, verbose=0)[..., 0]
    squared = (reconstructed - windows) ** 2
    counts = np.zeros(len(y))
    for offset in range(length):
        np.add.at(errors, first + offset, squared[:, offset])
        np.add.at(counts, first + offset, 1)
    return errors / np.maximum(counts, 1)


def score_candidate(
    frame: pd.DataFrame, *, freq: str, events: np.ndarray, exog: list[str], config: AnomalyConfig
) -> pd.DataFrame:
    robust = score_robust(frame, freq=freq, events=events, exog=exog, config=config)
    indicators = np.column_stack([frame[c].to_numpy(dtype=float) > 0 for c in exog] + [events != ""]).astype(float)
    if config.method == "isolation_forest":
        z = to_z(isolation_forest_scores(frame, indicators, config))
    elif config.method == "lstm_ae":
        z = to_z(np.sqrt(lstm_autoencoder_scores(frame, config)))
    else:  # ensemble: the robust z beside the forest's, each on its own z scale
        z = 0.5 * (robust["score"].to_numpy() + to_z(isolation_forest_scores(frame, indicators, config)))
    # The candidates give no expectation of their own: the robust band is shown, the candidate's score used.
    sign = np.sign(robust["z"].to_numpy())
    return robust.assign(score=np.maximum(z, 0.0), z=sign * np.maximum(z, 0.0), explained_by="")

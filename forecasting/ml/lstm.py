"""A global CNN-LSTM forecaster across every series: the last `window` periods, scaled by
each series' own mean (over the last year once the history holds one) so fast and slow
sellers share one model, pass through a Conv1D (local shapes such as the weekly rhythm)
and an LSTM (how they evolve); a dense head reads that with the calendar of the target
periods (and, with a year of history, the same periods last year) and emits
`output_steps` periods at once. The loss weighs each window by its own noise, so big
steady sellers are not drowned by intermittent ones. Longer horizons roll forward block
by block on the model's own forecasts. The window shrinks to what a short history allows.

TensorFlow is imported only inside the functions that use it: it starts thread pools at
import and is not fork-safe, so merely importing this module (a Celery worker, a Django
process) must not load it."""

from typing import Any

import numpy as np
import pandas as pd

from mlkit.keras import keras_from_bytes, keras_runtime, keras_to_bytes

from .base import non_negative
from .censoring import DEFAULT_FILL_WINDOW, fill_censored
from .matrix import PERIOD_FREQ, DemandMatrix

DEFAULT_WINDOW = {"D": 56, "W": 26}
# A year in periods (364 days: weekdays line up) and the periods of windows beyond it that
# the history must hold before last year joins the inputs.
MIN_WINDOW = {"D": 28, "W": 8}
MIN_POSITIONS = 4  # training end positions per series at the least
YEAR = {"D": 364, "W": 52}
YEARLY_TRAINING_PERIODS = {"D": 182, "W": 26}
DEFAULT_OUTPUT_STEPS = {"D": 14, "W": 8}
# A window averaging below one unit is scaled by one: otherwise a single sale after a
# quiet window becomes a target of hundreds and swamps the loss.
MIN_SCALE = 1.0
VALIDATION_SHARE = 0.25  # validation windows, as a share of max_windows at most
SMALL_BATCH = 64
PREDICT_BATCH = 4096
MIN_NOISE_VARIANCE = 0.01  # a window's scaled variance below this counts as this (a 10% spread)
MAX_WEIGHT_RATIO = 50.0  # no window weighs more than this many median windows
# Epochs count passes over a full set of max_windows: a short history's few windows are
# passed over more often, up to this many times as often, so the net still gets its gradient
# steps. A year of weekly sales gives 2,500 windows (five end positions per series), and 5
# plain epochs at 512 a batch were 25 Adam steps: its forecasts came out at 2.5x seasonal
# naive's RMSSE. Early stopping on the validation windows still ends training when it stalls.
MAX_EPOCH_STRETCH = 8


def calendar_phase(periods: pd.DatetimeIndex, freq: str, *, enabled: bool = True, yearly: bool = False) -> np.ndarray:
    """Position in the season as sin/cos, one row per period: day of week for daily data
    (plus the day of the year when `yearly`), week of the year for weekly. Disabled, it is
    all zeros (same input shape)."""
    width = 4 if freq == "D" and yearly else 2
    if not enabled:
        return np.zeros((len(periods), width), dtype=np.float32)
    phases = [periods.dayofweek.to_numpy() / 7.0] if freq == "D" else []
    if freq == "W" or yearly:
        phases.append((periods.dayofyear.to_numpy() - 1) / 365.25)
    angles = [2 * np.pi * phase for phase in phases]
    return np.stack([f(a) for a in angles for f in (np.sin, np.cos)], axis=1).astype(np.float32)


def build_inputs(
    values: np.ndarray,
    calendar: np.ndarray,
    series: np.ndarray,
    ends: np.ndarray,
    *,
    window: int,
    steps: int,
    season: int = 0,
    level_input: bool = False,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Model inputs for windows ending (exclusive) at `ends` of `series`, and each
    window's scale. values: series x periods (no censored gaps); calendar: one row per
    period, covering at least ends + steps.

    season > 0 (a year in periods, once the history holds one) adds last year: the same
    window a year earlier as a second channel of the sequence, and the target periods a
    year earlier in the context, so a holiday peak is read off last year's instead of
    guessed from the week number. The scale is then each series' mean over that year,
    steadier than the window's for intermittent series (a window without a sale would
    otherwise make the next single sale a target of hundreds) and the same unit for a
    series selling tens of thousands a week and one selling a few.

    Nothing else tells the net a series' size, so its forecasts and the errors its intervals are
    calibrated on scale with the series: a product selling a thousand times as much gets a
    thousand times the forecast. `level_input` adds log(1 + scale) to the context, as models
    saved before this rule read it; it made the size an input, and a series far bigger than
    the panel's (the weekly demo's 300 best sellers with one in ten x100) was forecast off its
    own level (docs/benchmarks.md, issue 19, item 2)."""
    offsets = np.arange(-window, 0)
    history = values[series[:, None], ends[:, None] + offsets]
    span = values[series[:, None], ends[:, None] + np.arange(-season, 0)] if season else history
    scale = np.maximum(span.mean(axis=1), MIN_SCALE)
    channels = [(history / scale[:, None])[..., None]]
    if season:
        channels.append((values[series[:, None], ends[:, None] + offsets - season] / scale[:, None])[..., None])
    channels.append(calendar[ends[:, None] + offsets])
    sequence = np.concatenate(channels, 2)
    target_calendar = calendar[ends[:, None] + np.arange(steps)].reshape(len(ends), -1)
    context = [target_calendar]
    if season:
        context.append(values[series[:, None], ends[:, None] + np.arange(steps) - season] / scale[:, None])
    if level_input:
        context.append(np.log1p(scale)[:, None])
    return {
        "sequence": sequence.astype(np.float32),
        "context": np.concatenate(context, axis=1).astype(np.float32),
    }, scale


def noise_weights(scaled_history: np.ndarray) -> np.ndarray:
    """Per training window, the inverse of its own scaled variance (bounded, mean one): the loss
    in units of each series' noise, as RMSSE scores it. With plain MSE on scaled targets an
    intermittent series' unpredictable sales (scaled values of 0 to 8) outweighed a big
    seller's steady weeks (0.9 to 1.1) a thousandfold, and the big sellers came out 10% low."""
    variance = scaled_history.var(axis=1)
    weights = 1.0 / np.clip(variance, MIN_NOISE_VARIANCE, None)
    weights = np.minimum(weights, MAX_WEIGHT_RATIO * np.median(weights))
    return (weights / weights.mean()).astype(np.float32)


class CNNLSTMForecaster:
    """One Keras model for every series; direct multi-step output in blocks.

    Parameters live in __init__ only; fit learns `model_`, `window_`, `output_steps_`,
    `calendar_` (whether the history was long enough to learn the calendar), `freq_`, `yearly_`,
    `level_input_` (False since the size left the inputs) and
    `history_` (epochs run, best validation loss, windows used).

    The learning rate is twice Adam's default: on the daily demo (100 series, 20,000
    windows, three 14-day origins) 5 epochs at 2e-3 reached WAPE 0.317 for 8.5 s CPU a fit
    where 8 at 1e-3 reached 0.319 for 12.4 s; fewer windows (10,000: 0.332), a shorter
    window (28 days: 0.322) or bigger batches (1,024: 0.329) cost accuracy instead."""

    name = "cnn_lstm"
    fit_cost = 1  # second to LightGBM's on a large catalog (forecasting.ml.workers orders by it)

    def __init__(
        self,
        window: int | None = None,
        output_steps: int | None = None,
        filters: int = 32,
        units: int = 32,
        epochs: int = 30,
        batch_size: int = 512,
        max_windows: int = 20_000,
        patience: int = 3,
        learning_rate: float = 2e-3,
        seed: int = 7,
    ) -> None:
        self.window = window
        self.output_steps = output_steps
        self.filters = filters
        self.units = units
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_windows = max_windows
        self.patience = patience
        self.learning_rate = learning_rate
        self.seed = seed

    def get_params(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "output_steps": self.output_steps,
            "filters": self.filters,
            "units": self.units,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "max_windows": self.max_windows,
            "patience": self.patience,
            "learning_rate": self.learning_rate,
            "seed": self.seed,
        }

    def min_periods(self, freq: str) -> int:
        """Windows for a few training positions and one validation window after them."""
        steps = self.output_steps or DEFAULT_OUTPUT_STEPS[freq]
        if self.window:
            return self.window + 2 * steps
        return MIN_WINDOW[freq] + 2 * steps + MIN_POSITIONS

    def epochs_for(self, n_windows: int) -> int:
        """Passes over n_windows training windows worth `epochs` passes over max_windows
        (at most MAX_EPOCH_STRETCH times as many)."""
        stretch = min(self.max_windows / max(n_windows, 1), MAX_EPOCH_STRETCH)
        return max(self.epochs, int(np.ceil(self.epochs * stretch)))

    def window_for(self, freq: str, n_periods: int) -> int:
        """The input window the history allows: the default, or shorter where a short history
        would otherwise leave no training windows (a year of weekly sales, say)."""
        if self.window:
            return self.window
        steps = self.output_steps or DEFAULT_OUTPUT_STEPS[freq]
        return int(min(DEFAULT_WINDOW[freq], max(MIN_WINDOW[freq], n_periods - 2 * steps - MIN_POSITIONS)))

    def _build(self, window: int, steps: int, channels: int, context_width: int) -> Any:
        import keras

        sequence = keras.Input((window, channels), name="sequence")
        context = keras.Input((context_width,), name="context")
        x = keras.layers.Conv1D(self.filters, 3, padding="causal", activation="relu")(sequence)
        # Pooling halves the steps the LSTM walks (its cost) and keeps the conv's shapes.
        x = keras.layers.MaxPooling1D(2)(x)
        x = keras.layers.LSTM(self.units)(x)
        x = keras.layers.Concatenate()([x, context])
        x = keras.layers.Dense(2 * self.units, activation="relu")(x)
        output = keras.layers.Dense(steps, activation="softplus")(x)  # demand is never negative
        model = keras.Model([sequence, context], output)
        model.compile(optimizer=keras.optimizers.Adam(self.learning_rate), loss="mse", jit_compile=False)
        return model

    def _windows(self, matrix: DemandMatrix, window: int, steps: int, season: int) -> tuple[np.ndarray, ...]:
        """Sampled (series, end) pairs: training targets all end before the last `steps`
        periods, which are the validation targets (time-ordered, no overlap). Windows
        whose targets include a stockout are dropped: their zeros are not demand.

        Windows that start before a series' first sale are left out too: the zeros of a
        product not yet sold are not demand either, and its launch (a window of zeros, scaled
        by the floor of one, then targets of hundreds) is no forecast a window can make. On
        the weekly demo's 1,200 products, 182 of which first sold after half a year, such
        windows took the largest loss weights (a window of zeros has the least noise) and the
        net forecast every series at 1.1-1.9 times its sales (docs/benchmarks.md, issue 19)."""
        rng = np.random.default_rng(self.seed)
        n_series, n_periods = matrix.values.shape
        sold = matrix.values > 0
        first_sale = np.where(sold.any(axis=1), sold.argmax(axis=1), n_periods)
        positions = np.arange(window + season, n_periods - 2 * steps + 1)
        started = (positions[None, :] - window >= first_sale[:, None]).ravel()
        # Every pair when no series has sold for a whole window (nothing else to learn from).
        eligible = np.flatnonzero(started) if started.any() else np.arange(started.size)
        chosen = rng.choice(eligible, min(self.max_windows, eligible.size), replace=False)
        train_series, train_ends = chosen // positions.size, positions[chosen % positions.size]
        val_end = n_periods - steps
        candidates = np.flatnonzero(val_end - window >= first_sale)
        candidates = candidates if candidates.size else np.arange(n_series)
        n_val = min(candidates.size, max(1, int(self.max_windows * VALIDATION_SHARE)))
        val_series = np.sort(rng.choice(candidates, n_val, replace=False))
        val_ends = np.full(n_val, val_end)
        if matrix.censored is not None:

            def clean(series: np.ndarray, ends: np.ndarray) -> np.ndarray:
                return ~matrix.censored[series[:, None], ends[:, None] + np.arange(steps)].any(axis=1)

            keep = clean(train_series, train_ends)
            train_series, train_ends = train_series[keep], train_ends[keep]
            keep = clean(val_series, val_ends)
            val_series, val_ends = val_series[keep], val_ends[keep]
        return train_series, train_ends, val_series, val_ends

    def fit(self, matrix: DemandMatrix) -> "CNNLSTMForecaster":
        if matrix.n_periods < self.min_periods(matrix.freq):
            raise ValueError(
                f"The CNN-LSTM needs at least {self.min_periods(matrix.freq)} periods of history; "
                f"this matrix has {matrix.n_periods}."
            )
        keras = keras_runtime(self.seed)

        window = self.window_for(matrix.freq, matrix.n_periods)
        steps = self.output_steps or DEFAULT_OUTPUT_STEPS[matrix.freq]
        values = fill_censored(matrix.values, matrix.censored, window=DEFAULT_FILL_WINDOW[matrix.freq])
        # Week of the year learned from one year is memorised noise: 60 weeks of synthetic
        # history gave WAPE 0.29 with it and 0.19 without. Two full seasons are required.
        use_calendar = matrix.n_periods >= 2 * matrix.season
        # Last year joins once the history holds it before a useful number of windows.
        year = YEAR[matrix.freq]
        yearly = matrix.n_periods >= window + year + 2 * steps + YEARLY_TRAINING_PERIODS[matrix.freq]
        season = year if yearly else 0
        calendar = calendar_phase(matrix.days, matrix.freq, enabled=use_calendar, yearly=yearly)
        train_series, train_ends, val_series, val_ends = self._windows(matrix, window, steps, season)

        def arrays(series: np.ndarray, ends: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
            inputs, scale = build_inputs(
                values, calendar, series, ends, window=window, steps=steps, season=season, level_input=False
            )
            targets = values[series[:, None], ends[:, None] + np.arange(steps)] / scale[:, None]
            return inputs, targets.astype(np.float32)

        x_train, y_train = arrays(train_series, train_ends)
        weights = noise_weights(x_train["sequence"][:, :, 0])
        validation = arrays(val_series, val_ends) if len(val_ends) else None
        model = self._build(window, steps, x_train["sequence"].shape[2], x_train["context"].shape[1])
        stop = keras.callbacks.EarlyStopping(
            monitor="val_loss" if validation else "loss", patience=self.patience, restore_best_weights=True
        )
        if validation:
            validation = (*validation, noise_weights(validation[0]["sequence"][:, :, 0]))
        fitted = model.fit(
            x_train,
            y_train,
            sample_weight=weights,
            validation_data=validation,
            epochs=self.epochs_for(len(train_ends)),
            batch_size=self.batch_size,
            callbacks=[stop],
            shuffle=True,
            verbose=0,
        )
        losses = fitted.history.get("val_loss") or fitted.history["loss"]
        self.model_ = model
        self.freq_ = matrix.freq
        self.window_ = window
        self.output_steps_ = steps
        self.calendar_ = use_calendar
        self.yearly_ = yearly
        self.level_input_ = False
        self.history_ = {
            "epochs": len(losses),
            "best_val_loss": float(np.min(losses)),
            "train_windows": len(train_ends),
            "validation_windows": len(val_ends),
        }
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        """From the end of matrix.days; series never seen in fit are fine (the model is
        global and reads only their own recent window)."""
        keras_runtime()
        window, steps = self.window_, self.output_steps_
        season = YEAR[self.freq_] if self.yearly_ else 0
        values = fill_censored(matrix.values, matrix.censored, window=DEFAULT_FILL_WINDOW[matrix.freq])
        # A series that has never sold has no level to scale by, and the net learns from no window
        # before a first sale: it says nothing (zero), as seasonal naive would, rather than what it
        # makes of a window of zeros (1-6 a week on the weekly demo's 57 such products, which sold
        # in 1 of their 680 scored weeks).
        never_sold = ~(values > 0).any(axis=1)
        if values.shape[1] < window + season:  # a short history is padded with its own mean
            pad_level = values.mean(axis=1, keepdims=True) if values.shape[1] else np.zeros((values.shape[0], 1))
            values = np.concatenate([np.repeat(pad_level, window + season - values.shape[1], axis=1), values], axis=1)
        n_history, n_blocks = values.shape[1], int(np.ceil(horizon / steps))
        timeline = pd.date_range(end=matrix.last_day, periods=n_history, freq=PERIOD_FREQ[matrix.freq])
        timeline = timeline.append(matrix.future_periods(n_blocks * steps))
        calendar = calendar_phase(timeline, matrix.freq, enabled=self.calendar_, yearly=self.yearly_)
        extended = np.concatenate([values, np.zeros((values.shape[0], n_blocks * steps))], axis=1)
        series = np.arange(values.shape[0])
        for block in range(n_blocks):
            end = n_history + block * steps
            inputs, scale = build_inputs(
                extended,
                calendar,
                series,
                np.full(series.size, end),
                window=window,
                steps=steps,
                season=season,
                level_input=self.level_input_,
            )
            if series.size <= SMALL_BATCH:
                # Keras' predict() builds a dataset pipeline per call (about 100 ms); a direct
                # call is a few ms for the one-product answers of the API.
                scaled = np.asarray(self._serving_function()(inputs))
            else:
                scaled = self.model_.predict(inputs, batch_size=PREDICT_BATCH, verbose=0)
            extended[:, end : end + steps] = scaled * scale[:, None]
        forecast = non_negative(extended[:, n_history : n_history + horizon])
        forecast[never_sold] = 0.0
        return forecast

    def _serving_function(self):
        """The model's forward pass compiled once per loaded model; eager Keras layers
        cost tens of milliseconds a call."""
        if getattr(self, "_serve_fn", None) is None:
            import tensorflow as tf

            model = self.model_
            self._serve_fn = tf.function(lambda inputs: model(inputs, training=False), reduce_retracing=True)
        return self._serve_fn

    def to_bytes(self) -> bytes:
        """A zip holding Keras' own `model.keras` and a `meta.json` with the parameters,
        what fit learned besides the weights, and the library versions."""
        meta = {
            "kind": self.name,
            "params": self.get_params(),
            "freq": self.freq_,
            "window": self.window_,
            "output_steps": self.output_steps_,
            "calendar": self.calendar_,
            "yearly": self.yearly_,
            "level_input": self.level_input_,
            "history": self.history_,
        }
        return keras_to_bytes(self.model_, meta)

    @classmethod
    def from_bytes(cls, raw: bytes) -> "CNNLSTMForecaster":
        model, meta = keras_from_bytes(raw, kind=cls.name)
        forecaster = cls(**meta["params"])
        forecaster.model_ = model
        forecaster.freq_ = meta["freq"]
        forecaster.window_ = meta["window"]
        forecaster.output_steps_ = meta["output_steps"]
        forecaster.calendar_ = meta["calendar"]
        forecaster.yearly_ = meta.get("yearly", False)  # saved before last year was an input
        forecaster.level_input_ = meta.get("level_input", True)  # saved while the size was an input
        forecaster.history_ = meta["history"]
        return forecaster

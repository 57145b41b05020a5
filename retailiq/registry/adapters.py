"""What a capability supplies to the model lifecycle: a small adapter that loads its
training data, trains and evaluates a model, saves and loads the artifact in the
library's own format, predicts, and writes batch predictions. The registry does the
rest (versions, jobs, activation, serving, caching, tuning, monitoring)."""

import datetime as dt
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pandas as pd

ProgressCallback = Callable[[str, int, str], None]  # stage, percent, message


@dataclass
class TrainingData:
    frame: pd.DataFrame  # the capability's long format
    data_start: dt.date | None = None
    data_end: dt.date | None = None
    # Model inputs, one column per feature, for drift monitoring (defaults to `frame`).
    features: pd.DataFrame | None = None
    # Other inputs that training reads beside `frame` (reorder: reps' call outcomes), by name. They are part of
    # the training data: the version's hash covers them, so a change in them is a change in what was learned from.
    extra_frames: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class TrainedModel:
    algorithm: str
    artifact_name: str  # e.g. "model.txt" for LightGBM, "model.keras", "baseline.json"
    artifact_bytes: bytes
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    library_versions: dict[str, str] = field(default_factory=dict)


class CapabilityAdapter(Protocol):
    capability: str

    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> TrainingData: ...

    def train(self, data: TrainingData, *, params: dict[str, Any], progress: ProgressCallback) -> TrainedModel:
        """Fit and evaluate (on the capability's own backtest); metrics go on the version."""
        ...

    def load(self, artifact: bytes, *, algorithm: str) -> Any:
        """Turn a saved artifact back into a model that `predict` accepts."""
        ...

    def baseline(self) -> Any:
        """The model that serves while no version is trained yet."""
        ...

    def predict(self, model: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """One on-demand prediction; inputs and output are plain JSON-able values."""
        ...


@runtime_checkable
class BatchScoring(Protocol):
    """Optional: capabilities whose dashboards read precomputed predictions."""

    def scoring_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Fix once, when the job is planned, what every chunk must agree on (e.g. the
        forecast origin), so chunks neither recompute it nor disagree about it."""
        ...

    def scoring_entities(self, *, segment: str, params: dict[str, Any]) -> list[int]: ...

    def score(self, model: Any, entity_ids: Sequence[int], *, params: dict[str, Any]) -> pd.DataFrame: ...

    def write_predictions(self, *, model_version_id: int, predictions: pd.DataFrame) -> int:
        """Upsert against the table's unique key (version, entity, date); returns rows written."""
        ...

    def prediction_table(self) -> "PredictionTable":
        """Where ``write_predictions`` stores its rows, so the registry can tell which batch serves
        (``retailiq.registry.selectors.serving_batch``)."""
        ...


@dataclass(frozen=True)
class PredictionTable:
    """A capability's table of batch predictions, as the registry reads its batches back: rows with a
    ``model_version`` (empty for the untrained baseline's) and a ``scored_at`` time, whose batch day is
    ``day_field``. That day is either the batch's ``as_of`` itself or, where the table keeps the last day of
    data the batch read (a forecast origin), the day before it (``day_is_last_data_day``)."""

    model: Any  # the Django model class
    day_field: str
    day_is_last_data_day: bool = False
    # Only these rows date a batch (e.g. product totals, not their split by location).
    batch_rows: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Tunable(Protocol):
    """Optional: a hyperparameter space searched on the capability's own backtest."""

    def search_space(self, trial: Any) -> dict[str, Any]: ...

    def tuning_objective(self, data: TrainingData, params: dict[str, Any]) -> float:
        """Backtest error for params; lower is better."""
        ...


@runtime_checkable
class Monitored(Protocol):
    """Optional: live accuracy once actuals arrive, and recent inputs for drift."""

    def live_accuracy(self, *, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
        """Columns: model_version_id, day, metric, value, observations."""
        ...

    def recent_features(self, *, segment: str, start: dt.date, end: dt.date) -> pd.DataFrame: ...

    def latest_data_day(self) -> dt.date | None:
        """The last day with actuals: where the drift window ends."""
        ...


def day_from_params(
    params: dict[str, Any], *, otherwise: Callable[[], dt.date | None], missing: str, name: str = "as_of"
) -> dt.date:
    """The day a job names in its parameters (ISO text), else ``otherwise()``; ``missing`` says why there is
    none (no data yet)."""
    if params.get(name):
        return dt.date.fromisoformat(str(params[name]))
    day = otherwise()
    if day is None:
        raise ValueError(missing)
    return day


_ADAPTERS: dict[str, CapabilityAdapter] = {}


def register_adapter(adapter: CapabilityAdapter) -> CapabilityAdapter:
    _ADAPTERS[adapter.capability] = adapter
    return adapter


def import_adapter_modules(modules: Sequence[str]) -> None:
    """Extra adapters named in settings (plugins, or a worker started for a test)."""
    for module in modules:
        importlib.import_module(module)


def adapter_for(capability: str) -> CapabilityAdapter:
    try:
        return _ADAPTERS[capability]
    except KeyError:
        from retailiq.core.errors import DomainError

        raise DomainError(f"No trainable model is registered for '{capability}' yet.", code="no_adapter") from None


def registered_capabilities() -> list[str]:
    return sorted(_ADAPTERS)

"""What a capability supplies to the model lifecycle: a small adapter that loads its
training data, trains and evaluates a model, saves and loads the artifact in the
library's own format, predicts, and writes batch predictions. The registry does the
rest (versions, jobs, activation, serving, caching, tuning, monitoring).

The adapter also declares, as plain data, how the capability shows in the shared
layer: its label, metrics, URL modules, navigation entries, home panels and job kinds.
Capability lists, beat slots, routes, the top bar and the homes derive from these
declarations (`retailiq.registry.capabilities`), so the shared code never imports a
capability. See docs/new-capability.md."""

import datetime as dt
import importlib
from collections.abc import Callable, Mapping, Sequence
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


PERCENT = "percent"
NUMBER = "number"
LOWER = "lower"
HIGHER = "higher"


@dataclass(frozen=True)
class Metric:
    """A number a capability reports, and how pages show it."""

    name: str  # the key in a version's metrics, or in live accuracy's `metric` column
    label: str  # "WAPE", "ROC AUC"
    format: str = NUMBER  # PERCENT: 0.312 shows as 31.2%; NUMBER: 0.842 shows as 0.842
    better: str = LOWER  # LOWER, HIGHER, or "" where neither is (an interval's coverage aims at its level)
    summary: bool = False  # also one of the few the analyst's home shows for the serving version
    help: str = ""  # what it measures, in a few words: the caption of its chart


@dataclass(frozen=True)
class NavEntry:
    """A link in the top bar."""

    label: str
    url_name: str  # as `{% url %}` takes it, namespace included: "reorder:call-list"
    roles: tuple[str, ...]  # who sees it besides analysts and admins, who see every entry
    order: int  # place in the bar: role homes sit at 10 (retailer), 30 (vendor), 60 (sales rep), 100 (analyst)


@dataclass(frozen=True)
class HomePanel:
    """A card on a role's home, filled after the page by HTMX from the capability's own fragment."""

    role: str  # the home it joins: "retailer", "vendor", "sales_rep", "analyst"
    title: str
    url_name: str  # the fragment the card loads
    slug: str  # the card's heading id is "<slug>-title"
    loading: str = "Loading…"  # shown until the fragment arrives
    link_label: str = ""  # an optional link beside the title
    link_url_name: str = ""
    first: bool = False  # before the home's own sections; otherwise after them
    stylesheets: tuple[str, ...] = ()  # static paths the fragment needs, linked in the home's head


@dataclass(frozen=True)
class JobKindSpec:
    """A kind of job a capability runs (training, batch scoring, an optimization plan)."""

    value: str  # stored on the job row; at most 16 characters
    label: str
    # Dotted path of the Celery task that runs a job of this kind from its id, for a kind the capability runs
    # itself: beat's sweep sends it again when the broker lost its message. TRAIN and SCORE are the registry's.
    task: str | None = None


TRAIN = JobKindSpec("train", "Training")
SCORE = JobKindSpec("score", "Batch scoring")


class CapabilityAdapter(Protocol):
    capability: str  # the name stored on versions and jobs; at most 32 characters
    label: str  # "Demand forecasting"
    headline_metrics: tuple[Metric, ...]  # a version's columns on the models page, in order
    live_metric: Metric  # the live accuracy the models page draws per day and version
    urls: str | None  # dotted path of the page URLconf, e.g. "forecasting.urls"; None without pages
    mount: str  # where the pages mount: "vendor/demand/", or "" for paths written out in `urls`
    api_urls: str | None  # dotted path of the API URLconf, included under /api/v1/ without a namespace
    navigation: tuple[NavEntry, ...]
    home_panels: tuple[HomePanel, ...]
    job_kinds: tuple[JobKindSpec, ...]  # TRAIN, and SCORE where it is BatchScoring; more where it runs more

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


# The lifecycle's own job parameters: the registry and the adapters read them; a model never sees them.
LIFECYCLE_PARAMS = frozenset(
    {"as_of", "trigger", "activate", "tuning_seconds", "tuning_trials", "history_days", "chunk_size"}
)


def model_params(
    defaults: Mapping[str, Any], params: Mapping[str, Any], *, list_params: Sequence[str] = ()
) -> dict[str, Any]:
    """What reaches a capability's training function: its settings' defaults under the job's own parameters, the
    lifecycle's keys left out, lists given as text ("a,b" or "a;b") split, and numbers or true/false given as text
    (from the command line or the environment) parsed."""
    out: dict[str, Any] = {}
    for name, value in {**dict(defaults), **dict(params)}.items():
        if name in LIFECYCLE_PARAMS or value in (None, ""):
            continue
        if name in list_params and isinstance(value, str):
            value = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        elif isinstance(value, str):
            value = _parsed_text(value)
        out[name] = value
    return out


def _parsed_text(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            continue
    return {"true": True, "false": False}.get(value.lower(), value)


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


# What every adapter declares besides its methods; registering one without them fails at once.
DECLARED = (
    "capability",
    "label",
    "headline_metrics",
    "live_metric",
    "urls",
    "mount",
    "api_urls",
    "navigation",
    "home_panels",
    "job_kinds",
)

_ADAPTERS: dict[str, CapabilityAdapter] = {}


def register_adapter(adapter: CapabilityAdapter) -> CapabilityAdapter:
    missing = [name for name in DECLARED if not hasattr(adapter, name)]
    if missing:
        raise TypeError(f"{type(adapter).__name__} does not declare {', '.join(missing)} (see CapabilityAdapter).")
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


def registered_adapters() -> list[CapabilityAdapter]:
    """In the order their apps are installed: the order of every list derived from them."""
    return list(_ADAPTERS.values())


def registered_capabilities() -> list[str]:
    return list(_ADAPTERS)

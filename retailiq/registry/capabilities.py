"""Everything the shared layer lists per capability, derived from the registered adapters'
declarations: the capability and job-kind choices, metric labels and formats, the models
page's and analyst home's rows, navigation entries and home panels. Nothing here names a
capability; registering an adapter is what adds one."""

from dataclasses import dataclass

from retailiq.core.errors import InvalidInput

from .adapters import SCORE, TRAIN, HomePanel, Metric, NavEntry, registered_adapters

# Announced before their code exists: the models page and the analyst's home say "not built
# yet" for these until an adapter registers under the same name.
PLANNED: dict[str, str] = {}


@dataclass(frozen=True)
class CapabilityRow:
    capability: str
    label: str
    built: bool


def capability_choices() -> list[tuple[str, str]]:
    """The choices of `capability` on versions and jobs: a callable, so no migration per capability."""
    return [(adapter.capability, adapter.label) for adapter in registered_adapters()]


def capability_rows() -> list[CapabilityRow]:
    """The registered capabilities, then the planned ones not built yet."""
    built = [CapabilityRow(a.capability, a.label, True) for a in registered_adapters()]
    names = {row.capability for row in built}
    return built + [CapabilityRow(name, label, False) for name, label in PLANNED.items() if name not in names]


def capability_label(name: str) -> str:
    return dict(capability_choices()).get(name) or PLANNED.get(name, name)


def capability_checked(name: str, *, field: str = "capability") -> str:
    """The name when an adapter is registered for it; otherwise invalid input naming the field."""
    names = [value for value, _ in capability_choices()]
    if name not in names:
        raise InvalidInput(f"{field}: choose one of {', '.join(names)}.", field=field)
    return name


def job_kind_choices() -> list[tuple[str, str]]:
    """The lifecycle's kinds and every kind a registered capability declares."""
    kinds = {TRAIN.value: TRAIN.label, SCORE.value: SCORE.label}
    for adapter in registered_adapters():
        for kind in adapter.job_kinds:
            kinds.setdefault(kind.value, kind.label)
    return list(kinds.items())


def job_kinds_for(capability: str) -> list[str]:
    return [kind.value for a in registered_adapters() if a.capability == capability for kind in a.job_kinds]


def headline_metrics(capability: str) -> tuple[Metric, ...]:
    return next((a.headline_metrics for a in registered_adapters() if a.capability == capability), ())


def live_metric(capability: str) -> Metric | None:
    return next((a.live_metric for a in registered_adapters() if a.capability == capability), None)


def summary_metrics(capability: str) -> list[Metric]:
    return [m for m in headline_metrics(capability) if m.summary]


def metric_named(name: str) -> Metric | None:
    """The first declaration of a metric of this name (capabilities agree on shared names such as MAE)."""
    for adapter in registered_adapters():
        declared = (*adapter.headline_metrics, adapter.live_metric, *getattr(adapter, "backtest_metrics", ()))
        for metric in declared:
            if metric.name == name:
                return metric
    return None


def navigation_entries() -> list[NavEntry]:
    entries = [entry for adapter in registered_adapters() for entry in adapter.navigation]
    return sorted(entries, key=lambda entry: entry.order)


def home_panels(role: str) -> list[HomePanel]:
    return [panel for adapter in registered_adapters() for panel in adapter.home_panels if panel.role == role]

"""What a capability supplies to the model lifecycle: a small adapter that loads its
training data, trains and evaluates a model, and saves and loads the artifact in the
library's own format. The registry does the rest (versions, jobs, activation)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

ProgressCallback = Callable[[str, int, str], None]  # stage, percent, message


@dataclass
class TrainingData:
    frame: Any  # a pandas DataFrame in the capability's long format
    data_start: Any = None
    data_end: Any = None


@dataclass
class TrainedModel:
    algorithm: str
    artifact_name: str  # e.g. "model.txt" for LightGBM, "model.keras"
    artifact_bytes: bytes
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    library_versions: dict[str, str] = field(default_factory=dict)


class CapabilityAdapter(Protocol):
    capability: str

    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> TrainingData: ...

    def train(self, data: TrainingData, *, params: dict[str, Any], progress: ProgressCallback) -> TrainedModel: ...


_ADAPTERS: dict[str, CapabilityAdapter] = {}


def register_adapter(adapter: CapabilityAdapter) -> CapabilityAdapter:
    _ADAPTERS[adapter.capability] = adapter
    return adapter


def adapter_for(capability: str) -> CapabilityAdapter:
    try:
        return _ADAPTERS[capability]
    except KeyError:
        from retailiq.core.errors import DomainError

        raise DomainError(f"No trainable model is registered for '{capability}' yet.", code="no_adapter") from None

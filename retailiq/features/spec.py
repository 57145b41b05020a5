"""What a feature set promises about its frame: columns, types, ranges and how much may be missing.

The version is derived from that promise and a revision the owner bumps when the code that computes the features
changes meaning, so two builds that agree on the version agree on what every column means."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cached_property

DTYPES = ("float", "int", "date", "str")


@dataclass(frozen=True)
class Column:
    """One column: its kind (``float``, ``int``, ``date``, ``str``), the closed range its present values must lie
    in (``None`` for no bound) and the largest share of rows that may lack a value."""

    name: str
    dtype: str = "float"
    minimum: float | None = None
    maximum: float | None = None
    max_missing: float = 0.0

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype must be one of {', '.join(DTYPES)}, not {self.dtype!r}")
        if not 0.0 <= self.max_missing <= 1.0:
            raise ValueError(f"column {self.name}: max_missing must lie between 0 and 1")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"column {self.name}: minimum {self.minimum} is above maximum {self.maximum}")


@dataclass(frozen=True)
class FeatureSet:
    """A named, versioned set of columns keyed by ``keys`` (one row per key)."""

    name: str
    keys: tuple[str, ...]
    columns: tuple[Column, ...]
    revision: int = 1  # bumped by the owner when the computation changes but the columns do not
    description: str = ""
    _names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"feature set {self.name}: columns {', '.join(duplicated)} are declared twice")
        if overlap := sorted(set(names) & set(self.keys)):
            raise ValueError(f"feature set {self.name}: {', '.join(overlap)} is both a key and a column")
        object.__setattr__(self, "_names", frozenset(names))

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @cached_property
    def version(self) -> str:
        """``<revision>.<digest of the spec>``: moves when a column, a type, a range or the revision changes.
        Computed once: the set is frozen, and every cache key of every request names it."""
        spec = {"keys": list(self.keys), "columns": [asdict(column) for column in self.columns]}
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.revision}.{digest}"

    @property
    def label(self) -> str:
        """``name@version``, the form errors and pages name it by."""
        return f"{self.name}@{self.version}"

    def restricted_to(self, names: Iterable[str]) -> FeatureSet:
        """The same set with only the columns among ``names``: what a model built from fewer parts (a recommender
        trained with some candidate generators left out) promises. Validation only; its version is not recorded."""
        present = set(names)
        return FeatureSet(
            name=self.name,
            keys=self.keys,
            columns=tuple(column for column in self.columns if column.name in present),
            revision=self.revision,
            description=self.description,
        )

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"feature set {self.name} has no column {name}")


def columns(names: Iterable[str], **shared) -> tuple[Column, ...]:
    """Several columns with the same type and limits, e.g. ``columns(["a", "b"], minimum=0)``."""
    return tuple(Column(name, **shared) for name in names)

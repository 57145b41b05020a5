"""Feature sets: what a model reads, declared once, versioned, validated and cached.

A capability declares its feature sets (:class:`FeatureSet`) and registers them from its own app; the model
version records which set it was trained on, and serving refuses a version whose set has moved on. The pure parts
(spec, validation) import no Django; ``cache`` and ``serving`` do."""

from .registry import feature_set, recorded, register, registered, version_mismatch
from .spec import Column, FeatureSet
from .validation import FeatureValidationError, validate

__all__ = [
    "Column",
    "FeatureSet",
    "FeatureValidationError",
    "feature_set",
    "recorded",
    "register",
    "registered",
    "validate",
    "version_mismatch",
]

"""The demand classifier lives in mlkit (forecasting and insights both use it); this name stays importable."""

from mlkit.demand_class import ADI_CUTOFF, CLASSES, CV2_CUTOFF, classify

__all__ = ["ADI_CUTOFF", "CLASSES", "CV2_CUTOFF", "classify"]

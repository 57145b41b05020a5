"""Order-pattern detection over pandas, no Django: anomalies, segments, product classes, changes in behaviour
and seasonality. The Django app stores and shows what these functions return."""

from mlkit.demand_class import classify as classify_demand

from .anomalies import OUTPUT_COLUMNS as ANOMALY_COLUMNS
from .anomalies import detect_anomalies
from .calendar import calendar_from_windows
from .changes import detect_changes
from .config import ALGORITHM, SCORE_VERSION, AnomalyConfig, ChangeConfig
from .products import classify_products
from .seasonality import seasonality_profiles
from .segments import SEGMENT_LABELS, segment_retailers

__all__ = [
    "ALGORITHM",
    "ANOMALY_COLUMNS",
    "SCORE_VERSION",
    "SEGMENT_LABELS",
    "AnomalyConfig",
    "ChangeConfig",
    "calendar_from_windows",
    "classify_demand",
    "classify_products",
    "detect_anomalies",
    "detect_changes",
    "seasonality_profiles",
    "segment_retailers",
]

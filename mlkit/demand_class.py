"""Demand classes (Syntetos-Boylan): average inter-demand interval (ADI) and squared
coefficient of variation of the non-zero sizes (CV2) sort each series into smooth,
erratic, intermittent or lumpy, which decides the methods worth trying on it.

Shared: forecasting picks its methods by it, insights shows it as a product's demand pattern."""

import numpy as np

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "no demand")


def classify(values: np.ndarray) -> np.ndarray:
    """values: series x periods; returns one class name per series."""
    result = []
    for row in values:
        sizes = row[row > 0]
        if sizes.size == 0:
            result.append("no demand")
            continue
        adi = row.size / sizes.size
        cv2 = (sizes.std() / sizes.mean()) ** 2 if sizes.size > 1 else 0.0
        if adi < ADI_CUTOFF:
            result.append("smooth" if cv2 < CV2_CUTOFF else "erratic")
        else:
            result.append("intermittent" if cv2 < CV2_CUTOFF else "lumpy")
    return np.array(result)

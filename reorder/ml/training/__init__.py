"""Training the reorder ensemble: options (:mod:`.options`), the stacked rows of many cutoffs (:mod:`.rows`), the
steps of a run (:mod:`.steps`) and how every model is scored (:mod:`.evaluation`)."""

from reorder.ml.training.options import BASELINES, ENSEMBLE, TrainingOptions, TrainingResult
from reorder.ml.training.steps import train_ensemble

__all__ = ["BASELINES", "ENSEMBLE", "TrainingOptions", "TrainingResult", "train_ensemble"]

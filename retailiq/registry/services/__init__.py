"""Model lifecycle services, one module per concern; import from here."""

from .jobs import JobCancelled, job_cancel, job_claim, job_held_elsewhere, job_progress, stale_after
from .monitoring import accuracy_refresh, drift_check, model_performance, monitoring_refresh
from .scoring import (
    scheduled_scoring_create,
    scoring_chunk_run,
    scoring_job_create,
    scoring_job_plan,
    scoring_job_run_here,
)
from .serving import ServedPrediction, batch_written, prediction_serve, serving_stamps, serving_state
from .training import scheduled_training_create, training_job_create, training_job_run
from .versions import (
    active_model_version,
    model_version_activate,
    model_version_rollback,
    model_version_set_rollout,
    model_versions_compare,
)

__all__ = [
    "JobCancelled",
    "ServedPrediction",
    "accuracy_refresh",
    "active_model_version",
    "batch_written",
    "drift_check",
    "job_cancel",
    "job_claim",
    "job_held_elsewhere",
    "job_progress",
    "model_performance",
    "model_version_activate",
    "model_version_rollback",
    "model_version_set_rollout",
    "model_versions_compare",
    "monitoring_refresh",
    "prediction_serve",
    "scheduled_scoring_create",
    "scheduled_training_create",
    "scoring_chunk_run",
    "scoring_job_create",
    "scoring_job_plan",
    "scoring_job_run_here",
    "serving_stamps",
    "serving_state",
    "stale_after",
    "training_job_create",
    "training_job_run",
]

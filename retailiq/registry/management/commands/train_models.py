"""Train, score and monitor every capability that has model code, in this process.

`make demo` runs it with --if-missing so the pages have models, precomputed
predictions and live-accuracy history from the first visit. --backfill-weeks scores
earlier origins too ("as of" 1..N weeks back), so accuracy can be measured at once."""

import datetime as dt
import uuid

from django.core.management.base import BaseCommand, CommandError

from retailiq.features import version_mismatch
from retailiq.registry.adapters import BatchScoring, adapter_for, registered_capabilities
from retailiq.registry.models import Job, JobKind, JobState
from retailiq.registry.services import (
    active_model_version,
    monitoring_refresh,
    scoring_job_create,
    scoring_job_run_here,
    training_job_run,
)


class Command(BaseCommand):
    help = "Train (and batch-score and monitor) the models of every built capability."

    def add_arguments(self, parser):
        parser.add_argument("--capability", action="append", help="Only these capabilities (repeatable).")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Skip capabilities that already serve a model (one trained on other features than the code's is "
            "trained again).",
        )
        parser.add_argument("--tuning-seconds", type=int, default=0, help="Optuna budget per capability.")
        parser.add_argument("--backfill-weeks", type=int, default=0, help="Also score as of 1..N weeks back.")
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A training parameter, e.g. --param horizon=28 --param members=lightgbm,intermittent (repeatable).",
        )

    def handle(self, *args, **options):
        self.params = {}
        for pair in options["param"]:
            name, sep, value = pair.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"--param takes NAME=VALUE, not '{pair}'.")
            self.params[name.strip()] = value.strip()
        capabilities = options["capability"] or registered_capabilities()
        for capability in capabilities:
            if capability not in registered_capabilities():
                raise CommandError(f"No model code is registered for '{capability}'.")
            serving = active_model_version(capability=capability)
            if options["if_missing"] and serving is not None:
                if (refused := version_mismatch(serving.params)) is None:
                    self.stdout.write(f"{capability}: a model already serves; skipped.")
                    continue
                self.stdout.write(f"{capability}: version {serving.pk} cannot serve ({refused}); training a new one.")
            self._train(capability, options["tuning_seconds"])
            if isinstance(adapter_for(capability), BatchScoring):
                self._score(capability, options["backfill_weeks"])
            summary = monitoring_refresh(capability=capability, since=dt.date(1970, 1, 1))
            self.stdout.write(f"{capability}: monitoring {summary}")

    def _train(self, capability: str, tuning_seconds: int) -> None:
        job = Job.objects.create(
            kind=JobKind.TRAIN,
            capability=capability,
            idempotency_key=f"command:train:{capability}:{uuid.uuid4()}",
            params={**self.params, "tuning_seconds": tuning_seconds, "trigger": "command"},
        )
        job = training_job_run(job_id=job.pk, worker="train_models")
        if job.state != JobState.SUCCEEDED:
            raise CommandError(f"{capability}: training failed: {job.error}")
        version = job.model_version
        # Three significant figures: the console says how the training went; the models page has the rest.
        headline = ", ".join(
            f"{name} {value:.3g}" for name, value in sorted(version.metrics.items()) if isinstance(value, int | float)
        )
        self.stdout.write(f"{capability}: version {version.pk} ({version.algorithm}) trained; {headline}")

    def _score(self, capability: str, backfill_weeks: int) -> None:
        version = active_model_version(capability=capability)
        # Oldest first: a forecast row is keyed by its target day, so the latest origin
        # must write last or an older origin's forecast would overwrite its first days.
        origins: list[dt.date | None] = []
        if backfill_weeks and version.data_end:
            origins += [version.data_end - dt.timedelta(weeks=w) for w in range(backfill_weeks, 0, -1)]
        origins.append(None)
        for as_of in origins:
            params = {"as_of": as_of.isoformat()} if as_of else {}
            job = scoring_job_create(
                capability=capability, user=None, model_version=version, params=params, enqueue=False
            )
            job = scoring_job_run_here(job_id=job.pk, worker="train_models")
            self.stdout.write(f"{capability}: scored as of {as_of or 'the latest day'}: {job.message}")

"""Prometheus metrics the application counts itself. Request latency comes from
django-prometheus; job durations and failures are read from the job table at scrape
time, so tasks run by any worker process or machine are counted once."""

from collections.abc import Iterator

from prometheus_client import Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

PREDICTIONS_SERVED = Counter(
    "retailiq_predictions_served",
    "On-demand predictions answered, by capability and serving role.",
    ["capability", "role"],
)
PREDICTION_CACHE = Counter(
    "retailiq_prediction_cache",
    "Prediction cache lookups by capability and result (hit or miss).",
    ["capability", "result"],
)


class JobCollector(Collector):
    def describe(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        # Lets the registry learn the names without querying the database at start-up.
        yield CounterMetricFamily("retailiq_jobs_finished", "", labels=["kind", "capability", "state"])
        yield CounterMetricFamily("retailiq_job_duration_seconds", "", labels=["kind", "capability"])
        yield GaugeMetricFamily("retailiq_jobs_open", "", labels=["kind", "capability", "state"])

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        from django.db.models import Count, F, Sum

        from retailiq.registry.models import Job

        finished = CounterMetricFamily(
            "retailiq_jobs_finished",
            "Training and scoring jobs by final state.",
            labels=["kind", "capability", "state"],
        )
        seconds = CounterMetricFamily(
            "retailiq_job_duration_seconds", "Total run time of finished jobs.", labels=["kind", "capability"]
        )
        running = GaugeMetricFamily(
            "retailiq_jobs_open", "Jobs queued or running.", labels=["kind", "capability", "state"]
        )
        rows = Job.objects.values("kind", "capability", "state").annotate(
            n=Count("pk"), duration=Sum(F("finished_at") - F("started_at"))
        )
        per_kind: dict[tuple[str, str], float] = {}
        for row in rows:
            labels = [row["kind"], row["capability"], row["state"]]
            if row["state"] in ("queued", "running"):
                running.add_metric(labels, row["n"])
                continue
            finished.add_metric(labels, row["n"])
            if row["duration"] is not None:
                key = (row["kind"], row["capability"])
                per_kind[key] = per_kind.get(key, 0.0) + row["duration"].total_seconds()
        for (kind, capability), total in per_kind.items():
            seconds.add_metric([kind, capability], total)
        yield finished
        yield seconds
        yield running

"""What the analyst's models page shows, gathered in one place so the view stays thin:
per capability the champion, the challenger, versions, jobs, and chart figures."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from retailiq.accounts.models import User

from .adapters import HIGHER, LOWER, PERCENT, Metric, adapter_for
from .capabilities import capability_rows
from .models import Job, ModelStatus, ModelVersion, Rollout
from .selectors import job_list_for_user, model_version_list_for_user
from .services import model_performance

VERSIONS_SHOWN = 12
BETTER = {LOWER: " (lower is better)", HIGHER: " (higher is better)"}


@dataclass
class CapabilityPanel:
    capability: str
    label: str
    built: bool
    headline_metrics: tuple[Metric, ...] = ()
    breakdown_metrics: tuple[Metric, ...] = ()
    live_metric: Metric | None = None
    champion: ModelVersion | None = None
    challenger: ModelVersion | None = None
    versions: list[ModelVersion] = field(default_factory=list)
    can_roll_back: bool = False
    accuracy_figure: dict[str, Any] | None = None
    drift_figure: dict[str, Any] | None = None
    drift_warning: str = ""
    backtest_models: list[dict[str, Any]] = field(default_factory=list)
    backtest_classes: list[dict[str, Any]] = field(default_factory=list)
    backtest_class_models: list[str] = field(default_factory=list)


def _backtest_breakdown(
    version: ModelVersion | None, metrics: tuple[Metric, ...]
) -> tuple[list[dict], list[dict], list[str]]:
    """The serving version's backtest per member model (with its ensemble weight) and,
    per demand class, each model's RMSSE: the numbers behind its headline metrics."""
    backtest = (version.metrics or {}).get("backtest") if version else None
    if not isinstance(backtest, dict) or not backtest.get("models"):
        return [], [], []
    weights = backtest.get("weights", {}).get("all") or []
    members = [m for m in backtest["models"] if m != "ensemble"]
    weight_of = dict(zip(members, weights, strict=False))
    models = [
        {
            "name": name,
            "values": [measured.get(m.name) for m in metrics],
            "weight": weight_of.get(name),
            "fit_seconds": measured.get("fit_seconds"),
        }
        for name, measured in backtest["models"].items()
    ]
    names = list(backtest["models"])
    classes = [
        {
            "name": name,
            "series": backtest.get("class_counts", {}).get(name, 0),
            "rmsse": [by_model.get(model, {}).get("rmsse") for model in names],
        }
        for name, by_model in backtest.get("classes", {}).items()
    ]
    return models, classes, names


def _accuracy_figure(performance: list[dict[str, Any]], metric: Metric) -> dict[str, Any] | None:
    percent = metric.format == PERCENT
    traces = []
    for row in performance:
        points = [p for p in row["live_accuracy"] if p["metric"] == metric.name]
        if points:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"v{row['model_version']} {row['algorithm']} ({row['status']})",
                    "x": [p["day"].isoformat() for p in points],
                    "y": [round(p["value"], 4) for p in points],
                    "hovertemplate": f"%{{y:{'.1%' if percent else '.3f'}}} {metric.label}<extra>%{{fullData.name}}</extra>",
                }
            )
    if not traces:
        return None
    axis: dict[str, Any] = {"title": {"text": metric.label + BETTER.get(metric.better, "")}, "rangemode": "tozero"}
    if percent:
        axis["tickformat"] = ".0%"
    return {"data": traces, "layout": {"yaxis": axis}}


def _drift_figure(row: dict[str, Any] | None, threshold: float) -> dict[str, Any] | None:
    if not row or not row.get("drift"):
        return None
    psi = row["drift"]["psi"]
    names = sorted(psi)
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": [psi[n] for n in names],
                "name": "PSI",
                "marker": {"color": ["#b3261e" if psi[n] >= threshold else "#0b6e4f" for n in names]},
                "hovertemplate": "%{x}: PSI %{y:.3f}<extra></extra>",
            }
        ],
        "layout": {
            "hovermode": "closest",
            "yaxis": {"title": {"text": "Population stability index"}, "rangemode": "tozero"},
            "shapes": [
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": threshold,
                    "y1": threshold,
                    "line": {"color": "#a15c00", "dash": "dash"},
                }
            ],
        },
    }


def capability_panels(*, user: User, drift_threshold: float) -> list[CapabilityPanel]:
    versions = model_version_list_for_user(user=user)
    panels = []
    for row in capability_rows():
        capability = row.capability
        panel = CapabilityPanel(capability=capability, label=row.label, built=row.built)
        if panel.built:
            adapter = adapter_for(capability)
            panel.headline_metrics = adapter.headline_metrics
            panel.breakdown_metrics = getattr(adapter, "backtest_metrics", ())
            panel.live_metric = adapter.live_metric
            mine: QuerySet[ModelVersion] = versions.filter(capability=capability, segment="")
            panel.versions = list(mine.select_related("trained_by")[:VERSIONS_SHOWN])
            panel.champion = mine.filter(status=ModelStatus.ACTIVE).first()
            panel.challenger = mine.exclude(rollout=Rollout.NONE).first()
            panel.can_roll_back = mine.filter(status=ModelStatus.RETIRED).exclude(activated_at=None).exists()
            performance = model_performance(capability=capability)
            panel.accuracy_figure = _accuracy_figure(performance, adapter.live_metric)
            champion_row = next(
                (r for r in performance if panel.champion and r["model_version"] == panel.champion.pk), None
            )
            panel.drift_figure = _drift_figure(champion_row, drift_threshold)
            panel.backtest_models, panel.backtest_classes, panel.backtest_class_models = _backtest_breakdown(
                panel.champion, panel.breakdown_metrics
            )
            if champion_row and champion_row["drift"] and champion_row["drift"]["drifted"]:
                worst = max(champion_row["drift"]["psi"], key=champion_row["drift"]["psi"].get)
                panel.drift_warning = (
                    f"Inputs have drifted since training: {worst} has PSI {champion_row['drift']['psi'][worst]:.2f} "
                    f"(warning at {drift_threshold:.2f}). Consider retraining."
                )
        panels.append(panel)
    return panels


def recent_jobs(*, user: User, limit: int = 10) -> list[Job]:
    return list(job_list_for_user(user=user).select_related("model_version")[:limit])

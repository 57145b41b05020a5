from django import template

register = template.Library()

LABELS = {
    "wape": "WAPE",
    "mae": "MAE",
    "mase": "MASE",
    "rmsse": "RMSSE",
    "smape": "sMAPE",
    "rmse": "RMSE",
    "coverage_80": "80% cover",
    "coverage_95": "95% cover",
}
PERCENT_METRICS = {"wape", "coverage_80", "coverage_95", "smape"}


@register.filter
def metric_label(name: str) -> str:
    return LABELS.get(name, name)


@register.filter
def metric(metrics: dict, name: str) -> str:
    value = (metrics or {}).get(name)
    if value is None:
        return "—"
    return f"{value:.1%}" if name in PERCENT_METRICS else f"{value:,.3f}"


@register.filter
def percent(value: float) -> str:
    return f"{value:.0%}"

"""The one place Django code calls the pure detectors of ``insights.ml``: it shapes the order lines into the
series and frames they take, calls them, and hands back plain frames. Nothing here touches the database; the
run service reads the inputs (selectors) and writes the outputs (services.write)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class DetectionInputs:
    lines: pd.DataFrame  # selectors.line_frame
    calendar: pd.DataFrame  # date, event
    as_of: dt.date
    freq: str = "W"


@dataclass
class DetectionRun:
    """What one run found, each frame in the detectors' own columns (flagged anomalies only)."""

    anomalies: pd.DataFrame
    segments: pd.DataFrame
    classes: pd.DataFrame
    changes: pd.DataFrame
    profiles: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)


def detectors() -> Any:
    """The detection module, imported when first used (it pulls in the statistics libraries)."""
    from insights import ml

    return ml


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """The first day of each date's period: the day itself, or the Monday of its week."""
    dates = pd.to_datetime(dates)
    if freq == "D":
        return dates.dt.normalize()
    return (dates - pd.to_timedelta(dates.dt.weekday, unit="D")).dt.normalize()


def order_series(lines: pd.DataFrame, *, freq: str) -> pd.DataFrame:
    """Every series the anomaly detector reads, in one long frame: each shop's order value per period (``r<id>``),
    each product's units (``p<id>``) and each product's units per region (``p<id>:<region>``), with the share of
    the period's lines that were on promotion as ``on_promotion``."""
    if lines.empty:
        return pd.DataFrame(columns=["series_id", "date", "value", "on_promotion"])
    frame = lines.assign(period=period_start(lines["date"], freq))
    parts = []
    shops = frame.groupby(["retailer_id", "period"]).agg(value=("value", "sum"), on_promotion=("on_promotion", "mean"))
    shops = shops.reset_index()
    parts.append(shops.assign(series_id="r" + shops["retailer_id"].astype(str)))
    products = frame.groupby(["product_id", "period"]).agg(
        value=("quantity", "sum"), on_promotion=("on_promotion", "mean")
    )
    products = products.reset_index()
    parts.append(products.assign(series_id="p" + products["product_id"].astype(str)))
    regions = frame.groupby(["product_id", "region", "period"]).agg(
        value=("quantity", "sum"), on_promotion=("on_promotion", "mean")
    )
    regions = regions.reset_index()
    # A product sold in one region only is the same series twice: keep its overall series.
    spread = regions.groupby("product_id")["region"].transform("nunique")
    regions = regions[spread > 1]
    parts.append(regions.assign(series_id="p" + regions["product_id"].astype(str) + ":" + regions["region"]))
    series = pd.concat([p[["series_id", "period", "value", "on_promotion"]] for p in parts], ignore_index=True)
    series = series.rename(columns={"period": "date"})
    return series.sort_values(["series_id", "date"], kind="stable", ignore_index=True)


def detection_run(inputs: DetectionInputs, *, config: Any = None) -> DetectionRun:
    """Run every detector on the lines read before ``as_of``."""
    ml = detectors()
    as_of = pd.Timestamp(inputs.as_of)
    lines = inputs.lines[inputs.lines["date"] < as_of]
    detector_lines = lines[["retailer_id", "order_id", "date", "product_id", "category", "quantity", "value"]]
    series = order_series(lines, freq=inputs.freq)
    anomalies = ml.detect_anomalies(
        series[["series_id", "date", "value", "on_promotion"]],
        freq=inputs.freq,
        calendar=inputs.calendar if len(inputs.calendar) else None,
        exog=["on_promotion"],
        config=config,
    )
    flagged = anomalies[anomalies["flag"].astype(bool)] if len(anomalies) else anomalies
    # The wording says whether a flagged period was on promotion: the detector's output leaves its inputs out.
    promoted = series[["series_id", "date", "on_promotion"]].assign(date=lambda f: pd.to_datetime(f["date"]))
    flagged = flagged.assign(date=pd.to_datetime(flagged["date"])).merge(promoted, on=["series_id", "date"], how="left")
    return DetectionRun(
        anomalies=flagged.reset_index(drop=True),
        segments=ml.segment_retailers(detector_lines, as_of=inputs.as_of),
        classes=ml.classify_products(detector_lines, as_of=inputs.as_of, freq=inputs.freq),
        changes=ml.detect_changes(detector_lines, as_of=inputs.as_of),
        profiles=ml.seasonality_profiles(detector_lines, as_of=inputs.as_of, calendar=inputs.calendar),
        notes={"series": int(series["series_id"].nunique()) if len(series) else 0, "lines": len(lines)},
    )


def segments_as_of(lines: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Shops' segments from the lines before ``as_of`` (a month's snapshot is taken as of the next month's first
    day)."""
    before = lines[lines["date"] < pd.Timestamp(as_of)]
    columns = ["retailer_id", "order_id", "date", "product_id", "category", "quantity", "value"]
    return detectors().segment_retailers(before[columns], as_of=as_of)


@dataclass(frozen=True)
class InsightsModel:
    """What a trained version serves with: the anomaly detector's settings and the names of the method and score
    it was trained under, saved as JSON (``to_bytes``)."""

    config: dict[str, Any] = field(default_factory=dict)
    algorithm: str = ""
    score_version: str = ""
    freq: str = "W"

    def anomaly_config(self) -> Any:
        return detectors().AnomalyConfig(**self.config)

    def to_bytes(self) -> bytes:
        import json

        return json.dumps(self.__dict__, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, artifact: bytes) -> "InsightsModel":
        import json

        return cls(**json.loads(artifact.decode()))


def churn_backtest(lines: pd.DataFrame, *, cutoff: dt.date, horizon_days: int = 14) -> dict[str, float]:
    """How well the churn-risk probabilities as of ``cutoff`` (from the lines before it) said which shops would
    place no order in the ``horizon_days`` after it: Brier score over every shop that had ordered before, a shop
    the detector did not flag counting as probability 0; and the same for the naive rule "late against its own
    median interval" as a baseline."""
    import numpy as np

    ml = detectors()
    columns = ["retailer_id", "order_id", "date", "product_id", "category", "quantity", "value"]
    before = lines[lines["date"] < pd.Timestamp(cutoff)][columns]
    after = lines[
        (lines["date"] >= pd.Timestamp(cutoff))
        & (lines["date"] < pd.Timestamp(cutoff) + pd.Timedelta(days=horizon_days))
    ]
    shops = np.sort(before["retailer_id"].unique())
    if len(shops) == 0:
        return {}
    changes = ml.detect_changes(before, as_of=cutoff)
    churn = changes[changes["kind"] == "churn_risk"] if len(changes) else changes
    p = pd.Series(0.0, index=shops)
    if len(churn):
        p.update(churn.groupby(churn["retailer_id"].astype(int))["probability"].max())
    lapsed = ~pd.Series(shops, index=shops).isin(after["retailer_id"].unique())
    late = pd.Series(0.0, index=shops)
    for shop, dates in before.groupby("retailer_id")["date"]:
        days = pd.Series(dates.drop_duplicates().sort_values().to_numpy())
        gaps = days.diff().dt.days.dropna()
        if len(gaps):
            late[shop] = float((pd.Timestamp(cutoff) - days.iloc[-1]).days > 2 * gaps.median())
    y = lapsed.astype(float).to_numpy()
    return {
        "churn_brier_14": float(np.mean((p.to_numpy() - y) ** 2)),
        "late_rule_brier_14": float(np.mean((late.to_numpy() - y) ** 2)),
        "lapsed_share_14": float(y.mean()),
    }

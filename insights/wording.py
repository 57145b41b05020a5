"""Insights in plain words: from a detector's row and the names of what it concerns to a title, a body that
states the evidence, a suggested action, a severity and the evidence kept with it. Pure functions over plain
values (no database), so the wording is tested on its own and the same everywhere (feed, pages, API)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

HIGH, MEDIUM, LOW = 3, 2, 1


@dataclass(frozen=True)
class Wording:
    key: str
    kind: str
    subject_kind: str
    severity: int
    score: float
    title: str
    body: str
    action: str
    evidence: dict[str, Any] = field(default_factory=dict)
    retailer_id: int | None = None
    product_id: int | None = None
    vendor_id: int | None = None
    region: str = ""
    category: str = ""


def times(value: float, expected: float) -> str:
    """ "3.2x" for a spike, "62% less" for a drop."""
    if expected <= 0:
        return "far more than"
    ratio = value / expected
    if ratio >= 1:
        return f"{ratio:.1f}x"
    return f"{(1 - ratio):.0%} less than"


def anomaly_severity(value: float, expected: float, score: float) -> int:
    """High when the period is at least 3x or at most a third of what was expected, medium from 2x or half."""
    ratio = value / expected if expected > 0 else 10.0
    if ratio >= 3 or ratio <= 1 / 3:
        return HIGH
    if ratio >= 2 or ratio <= 0.5 or score >= 8:
        return MEDIUM
    return LOW


def probability_severity(probability: float) -> int:
    return HIGH if probability >= 0.9 else MEDIUM if probability >= 0.7 else LOW


def _period(freq: str) -> str:
    return "day" if freq == "D" else "week"


def shop_anomaly(row: Mapping[str, Any], *, shop: Mapping[str, Any], freq: str, money: str) -> Wording:
    value, expected = float(row["value"]), float(row["expected"])
    spike = row["direction"] == "spike"
    period = _period(freq)
    start = f"{row['date']:%-d %b}"
    if spike:
        title = f"{shop['name']} ordered {times(value, expected)} its expected {period} (week of {start})"
        action = "Check stock for its next order; ask what drove it"
    else:
        title = f"{shop['name']} ordered {times(value, expected)} its expected {period} (week of {start})"
        action = "Call: ask whether something changed"
    body = (
        f"Orders worth {money} {value:,.0f} against an expected {money} {expected:,.0f} "
        f"(usual range {money} {float(row['lower']):,.0f}–{float(row['upper']):,.0f}); "
        "no festival or promotion explains it."
    )
    return Wording(
        key=f"{row['direction']}:{row['series_id']}:{row['date']:%Y-%m-%d}",
        kind=row["direction"],
        subject_kind="retailer",
        severity=anomaly_severity(value, expected, float(row["score"])),
        score=float(row["score"]),
        title=title,
        body=body,
        action=action,
        evidence=_anomaly_evidence(row),
        retailer_id=int(shop["pk"]),
        region=shop.get("region", ""),
    )


def product_anomaly(
    row: Mapping[str, Any], *, product: Mapping[str, Any], region: str, freq: str, promoted: bool
) -> Wording:
    value, expected = float(row["value"]), float(row["expected"])
    where = f" in {region}" if region else ""
    promotion = "on promotion" if promoted else "with no promotion"
    title = f"{product['name']} sold {times(value, expected)} its expected {_period(freq)}{where} {promotion}"
    body = (
        f"{value:,.0f} units in the week of {row['date']:%-d %b} against an expected {expected:,.0f} "
        f"(usual range {float(row['lower']):,.0f}–{float(row['upper']):,.0f}); no festival explains it."
    )
    spike = row["direction"] == "spike"
    action = "Check stock in the region before it runs out" if spike else "Look for a stockout or a lost listing"
    return Wording(
        key=f"{row['direction']}:{row['series_id']}:{row['date']:%Y-%m-%d}",
        kind=row["direction"],
        subject_kind="product",
        severity=anomaly_severity(value, expected, float(row["score"])),
        score=float(row["score"]),
        title=title,
        body=body,
        action=action,
        evidence=_anomaly_evidence(row),
        product_id=int(product["pk"]),
        vendor_id=int(product["vendor_id"]),
        region=region,
    )


def _anomaly_evidence(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "series": str(row["series_id"]),
        "period": f"{row['date']:%Y-%m-%d}",
        "value": round(float(row["value"]), 2),
        "expected": round(float(row["expected"]), 2),
        "lower": round(float(row["lower"]), 2),
        "upper": round(float(row["upper"]), 2),
        "score": round(float(row["score"]), 2),
    }


def shop_change(row: Mapping[str, Any], *, shop: Mapping[str, Any]) -> Wording:
    """A change in a shop's own ordering: churn risk, smaller baskets, a category it stopped buying."""
    evidence = _plain(row.get("evidence") or {})
    probability = float(row.get("probability") if row.get("probability") == row.get("probability") else 0) or 0.0
    score = probability or float(row.get("score") or 0)
    kind = str(row["kind"])
    name = shop["name"]
    category = str(row.get("category") or "")
    if kind == "churn_risk":
        title = f"{name} is ordering less often than its own rhythm"
        action = "Call before it lapses"
    elif kind == "basket_shrink":
        title = f"{name}'s recent orders are smaller than usual"
        action = "Call: ask what it buys elsewhere"
    else:
        title = f"{name} has stopped ordering {category or 'a category it bought regularly'}"
        action = f"Call: offer {category}" if category else "Call"
    return Wording(
        key=f"{kind}:r{int(shop['pk'])}" + (f":{category}" if category else ""),
        kind=kind,
        subject_kind="retailer",
        severity=probability_severity(score),
        score=score,
        title=title,
        body=evidence_sentence(evidence, probability=probability),
        action=action,
        evidence={**evidence, **({"probability": round(probability, 3)} if probability else {})},
        retailer_id=int(shop["pk"]),
        region=shop.get("region", ""),
        category=category,
    )


def product_change(row: Mapping[str, Any], *, product: Mapping[str, Any]) -> Wording:
    evidence = _plain(row.get("evidence") or {})
    kind = str(row["kind"])
    score = float(row.get("score") or row.get("probability") or 0)
    what = "trend broke" if kind == "trend_break" else "level shifted"
    change = evidence.get("change") or evidence.get("relative_change")
    direction = ""
    if isinstance(change, int | float):
        direction = f" {'up' if change > 0 else 'down'} by {abs(change):.0%}"
    return Wording(
        key=f"{kind}:p{int(product['pk'])}",
        kind=kind,
        subject_kind="product",
        severity=HIGH if score >= 8 else MEDIUM if score >= 5 else LOW,
        score=score,
        title=f"{product['name']}: demand {what}{direction}",
        body=evidence_sentence(evidence),
        action="Revisit the forecast and the stock plan",
        evidence=evidence,
        product_id=int(product["pk"]),
        vendor_id=int(product["vendor_id"]),
    )


def segment_shift(*, moved: int, from_label: str, to_label: str, month: str, size: int) -> Wording:
    """A marketplace-level movement between two segments from one month to the next, for analysts."""
    share = moved / size if size else 0.0
    return Wording(
        key=f"segment_shift:{from_label}>{to_label}",
        kind="segment_shift",
        subject_kind="marketplace",
        severity=HIGH if share >= 0.3 else MEDIUM if share >= 0.15 else LOW,
        score=share,
        title=f"{moved} shops moved from “{from_label}” to “{to_label}” in {month}",
        body=f"{moved} of the {size} shops that were “{from_label}” last month are “{to_label}” now ({share:.0%}).",
        action="See the segment overview",
        evidence={"moved": moved, "from": from_label, "to": to_label, "month": month, "size": size},
    )


def evidence_sentence(evidence: Mapping[str, Any], *, probability: float = 0.0) -> str:
    """The evidence as a sentence a person reads: each fact as "name: value", numbers rounded."""
    parts = []
    for name, value in evidence.items():
        label = str(name).replace("_", " ")
        if isinstance(value, float):
            shown = f"{value:.0%}" if "share" in name or "change" in name else f"{value:,.1f}"
        else:
            shown = str(value)
        parts.append(f"{label}: {shown}")
    if probability:
        parts.append(f"probability: {probability:.0%}")
    return "; ".join(parts) + ("." if parts else "")


def _plain(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-able evidence: NumPy numbers as Python ones, dates as ISO text."""
    out: dict[str, Any] = {}
    for name, value in dict(evidence).items():
        if hasattr(value, "item"):
            value = value.item()
        if hasattr(value, "isoformat"):
            value = value.isoformat()[:10]
        if isinstance(value, float):
            value = round(value, 4)
        out[str(name)] = value if isinstance(value, str | int | float | bool | list | dict | type(None)) else str(value)
    return out

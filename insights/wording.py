"""Insights in plain words: from a detector's row and the names of what it concerns to a title, a body that
states the evidence, a suggested action, a severity and the evidence kept with it. Pure functions over plain
values (no database), so the wording is tested on its own and the same everywhere (feed, pages, API)."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from retailiq.core.money import format_money

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


def lapse_likelihood(probability: float) -> str:
    """A model's probability as a user can take it: never "100%" (a model is never certain, and a shop can still
    order tomorrow), and whole percents otherwise."""
    if probability >= 0.99:
        return "Very likely lapsing (over 99%)"
    return f"Chance it is lapsing: {probability:.0%}"


def rhythm(interval_days: float) -> str:
    """How often a shop orders, as a rep would say it: "every day", "every 3 days", "every 2 weeks"."""
    days = max(1, round(interval_days))
    if days == 1:
        return "every day"
    if days < 14:
        return f"every {days} days"
    if days < 56:
        weeks = round(days / 7)
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return f"every {round(days / 30.4)} months"


def _span(days: Any) -> str:
    """A gap in days below six weeks (a rep counts "35 days"), in weeks after that."""
    if not isinstance(days, int | float):
        return "a while"
    days = int(days)
    if days < 42:
        return "a day" if days == 1 else f"{days} days"
    return f"{days // 7} weeks" if days % 7 == 0 else f"over {days // 7} weeks"


def _period(freq: str) -> str:
    return "day" if freq == "D" else "week"


def _day(value: Any) -> str:
    """An evidence date (stored as ISO text) as the pages write dates: "6 Nov 2026"."""
    try:
        return f"{dt.date.fromisoformat(str(value)[:10]):%-d %b %Y}"
    except ValueError:
        return "?"


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
        f"Orders worth {format_money(value, money)} against an expected {format_money(expected, money)} "
        f"(usual range {format_money(row['lower'], money)}–{format_money(row['upper'], money)}); "
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


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _pct(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value == value else None


def shop_change(
    row: Mapping[str, Any], *, shop: Mapping[str, Any], money: str = "", basket_change_pct: float | None = None
) -> Wording:
    """A change in a shop's own ordering: churn risk, smaller baskets, a category it stopped buying.
    ``basket_change_pct`` (the last three orders against the usual, from another of the shop's changes) joins a
    lapse's sentence, as a rep would say it."""
    evidence = _plain(row.get("evidence") or {})
    probability = _pct(row.get("probability")) or 0.0
    kind = str(row["kind"])
    name = shop["name"]
    category = str(row.get("category") or "")
    basket = _pct(evidence.get("last_3_basket_change_pct"))
    basket = basket if basket is not None else basket_change_pct
    # Only a change worth a sentence: a few percent either way is an ordinary week.
    smaller = f"; its last 3 orders were {abs(basket):.0f}% smaller" if basket is not None and basket <= -15 else ""
    if kind == "churn_risk":
        usual = _pct(evidence.get("usual_interval_days"))
        title = f"{name} has not ordered for {_span(evidence.get('days_since_last_order'))}" + (
            f" (usually {rhythm(usual)})" if usual else ""
        )
        title += smaller
        body = (
            f"It usually orders {rhythm(usual)}; its" if usual else "Its"
        ) + f" last order was on {_day(evidence.get('last_order_date'))}. {lapse_likelihood(probability)}."
        action = "Call before it lapses"
    elif kind == "basket_shrink":
        title = f"{possessive(name)} last 3 orders were {abs(basket or 0):.0f}% smaller than usual"
        body = (
            f"{format_money(evidence.get('last_3_basket_value') or 0, money)} an order on average against a usual "
            f"{format_money(evidence.get('usual_basket_value') or 0, money)}, over {evidence.get('orders_seen', '?')} "
            "orders seen."
        ).strip()
        action = "Call: ask what it now buys elsewhere"
    else:
        what = category or "a category it bought regularly"
        days = evidence.get("days_since_category")
        without = evidence.get("orders_without_category")
        span = _span(days) if days is not None else f"its last {without} orders"
        usual = _pct(evidence.get("usual_category_interval_days"))
        title = f"{name} has not ordered {what} for {span}" + (f" (usually {rhythm(usual)})" if usual else "")
        title += smaller
        share = _pct(evidence.get("share_of_orders_before"))
        body = (
            (f"{category} was in {share:.0%} of its orders; " if share is not None else "")
            + f"its last {evidence.get('orders_without_category', '?')} orders had none "
            f"(last on {_day(evidence.get('last_category_order_date'))})."
        )
        action = f"Call: offer {category}" if category else "Call"
    return Wording(
        key=f"{kind}:r{int(shop['pk'])}" + (f":{category}" if category else ""),
        kind=kind,
        subject_kind="retailer",
        severity=probability_severity(probability),
        score=probability or float(_pct(row.get("score")) or 0.0),
        title=f"{title} — call" if kind != "basket_shrink" and not title.endswith("call") else title,
        body=body,
        action=action,
        evidence={**evidence, **({"probability": round(probability, 3)} if probability else {})},
        retailer_id=int(shop["pk"]),
        region=shop.get("region", ""),
        category=category,
    )


def product_change(row: Mapping[str, Any], *, product: Mapping[str, Any]) -> Wording:
    """A product's level shift or trend break, for its vendor and analysts."""
    evidence = _plain(row.get("evidence") or {})
    kind = str(row["kind"])
    score = float(_pct(row.get("score")) or 0.0)
    weeks = evidence.get("weeks_recent", "?")
    before, recent = float(evidence.get("weekly_before") or 0), float(evidence.get("weekly_recent") or 0)
    change = _pct(evidence.get("change_pct"))
    if kind == "level_shift":
        direction = evidence.get("direction") or ("up" if (change or 0) > 0 else "down")
        moved = f" {abs(change):.0f}%" if change is not None else ""
        title = f"{product['name']}: demand shifted {direction}{moved} over the last {weeks} weeks"
    else:
        title = f"{product['name']}: demand trend broke in the last {weeks} weeks"
    body = f"{recent:,.0f} units a week lately against {before:,.0f} before."
    if kind == "trend_break":
        body += (
            f" Trend {evidence.get('slope_before_pct_per_week', '?')}% a week before, "
            f"{evidence.get('slope_recent_pct_per_week', '?')}% a week now."
        )
    return Wording(
        key=f"{kind}:p{int(product['pk'])}",
        kind=kind,
        subject_kind="product",
        severity=HIGH if score >= 8 else MEDIUM if score >= 5 else LOW,
        score=score,
        title=title,
        body=body,
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


def evidence_label(name: str) -> str:
    """An evidence key as a person reads it: "last_3_basket_change_pct" -> "Last 3 basket change, %"."""
    words = str(name).replace("_pct", ", %").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


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

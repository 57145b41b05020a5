"""Coherent group totals from product forecasts, bottom up: a category's, vendor's or
region's forecast is exactly the sum of its products' forecasts, so every page that
shows a total agrees with the rows beneath it.

Intervals do not add up like point forecasts. Each side of an interval is taken as a
half-width around the point (point - lower, upper - point), and a group's half-width
combines its members' as
    h_group = sqrt((1 - rho) * sum(h_i ** 2) + rho * (sum h_i) ** 2)
where rho is the assumed correlation of the members' errors: 0 (the default) treats
products as independent, so widths add in quadrature and the relative width shrinks
as a group grows; 1 treats them as moving together, so widths simply add. Independence
understates the width when one shock (a festival, a price change) moves the whole
group; pass a rho above 0 when backtests show that. Either way a group's interval is
never narrower than its widest member's, and with rho = 0 aggregating in two steps
(products -> categories -> departments) gives the same departments as one step.
Lower bounds stop at zero: demand is not negative. Plain NumPy/pandas, no Django.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVELS = (80, 95)
BOUNDS = tuple(f"{side}_{level}" for level in LEVELS for side in ("lower", "upper"))


@dataclass(frozen=True)
class GroupForecast:
    """Group totals, group x horizon, under the same keys a forecaster returns:
    "forecast", "lower_80", "upper_80", "lower_95", "upper_95"."""

    group_ids: np.ndarray
    values: dict[str, np.ndarray]
    n_members: np.ndarray  # products per group


def aggregate(
    forecast: Mapping[str, np.ndarray],
    *,
    series_ids: np.ndarray,
    groups: Mapping[Hashable, Hashable] | pd.Series,
    correlation: float = 0.0,
) -> GroupForecast:
    """Bottom-up totals of a forecaster's output (series x horizon arrays under "forecast"
    and the BOUNDS keys) for the groups that `groups` maps each series id to."""
    series_ids = np.asarray(series_ids)
    point = np.asarray(forecast["forecast"], dtype=float)
    n_series, horizon = point.shape
    frame = pd.DataFrame(
        {
            "series_id": np.repeat(series_ids, horizon),
            "step": np.tile(np.arange(horizon), n_series),
            "forecast": point.ravel(),
            **{name: np.asarray(forecast[name], dtype=float).ravel() for name in BOUNDS},
        }
    )
    totals = aggregate_frame(
        frame, groups=groups, id_col="series_id", date_col="step", point_col="forecast", correlation=correlation
    )
    wide = {name: totals.pivot(index="group", columns="step", values=name) for name in ("forecast", *BOUNDS)}
    group_ids = wide["forecast"].index.to_numpy()
    n_members = totals.drop_duplicates("group").set_index("group")["n_members"].reindex(group_ids).to_numpy()
    return GroupForecast(
        group_ids=group_ids,
        values={name: table.to_numpy(dtype=float) for name, table in wide.items()},
        n_members=n_members,
    )


def aggregate_frame(
    frame: pd.DataFrame,
    *,
    groups: Mapping[Hashable, Hashable] | pd.Series,
    id_col: str = "product_id",
    date_col: str = "target_date",
    point_col: str = "quantity",
    group_col: str = "group",
    correlation: float = 0.0,
) -> pd.DataFrame:
    """The long format (one row per product and day, as DemandForecast stores it) summed
    into groups: columns group_col, date_col, point_col, the BOUNDS and n_members.
    Every product must have a group: a product left out would make totals quietly short."""
    if not 0.0 <= correlation <= 1.0:
        raise ValueError("The correlation of forecast errors must lie between 0 and 1.")
    mapping = groups if isinstance(groups, pd.Series) else pd.Series(dict(groups), dtype=object)
    group = frame[id_col].map(mapping)
    if group.isna().any():
        missing = frame.loc[group.isna(), id_col].unique()
        raise ValueError(f"No group for series {', '.join(map(str, missing[:5]))}.")

    work = pd.DataFrame({group_col: group.to_numpy(), date_col: frame[date_col].to_numpy()})
    work[point_col] = frame[point_col].to_numpy(dtype=float)
    for level in LEVELS:
        for side in ("lower", "upper"):
            bound = frame[f"{side}_{level}"].to_numpy(dtype=float)
            width = np.maximum(work[point_col] - bound if side == "lower" else bound - work[point_col], 0.0)
            work[f"{side}_{level}:width"] = width
            work[f"{side}_{level}:squares"] = width**2
    grouped = work.groupby([group_col, date_col], sort=True)
    summed = grouped.sum()
    widest = grouped[[f"{name}:width" for name in BOUNDS]].max()
    result = summed[[point_col]].copy()
    for name in BOUNDS:
        width = np.sqrt((1 - correlation) * summed[f"{name}:squares"] + correlation * summed[f"{name}:width"] ** 2)
        width = np.maximum(width, widest[f"{name}:width"])  # already so for rho in [0, 1]; kept as the rule
        if name.startswith("lower"):
            result[name] = np.maximum(result[point_col] - width, 0.0)
        else:
            result[name] = result[point_col] + width
    members = frame.assign(**{group_col: group.to_numpy()}).groupby(group_col)[id_col].nunique()
    result = result.reset_index()
    result["n_members"] = result[group_col].map(members).astype(int)
    return result


def coherence_gaps(
    children: pd.DataFrame,
    parents: pd.DataFrame,
    *,
    groups: Mapping[Hashable, Hashable] | pd.Series,
    id_col: str = "product_id",
    date_col: str = "target_date",
    point_col: str = "quantity",
    group_col: str = "group",
    tolerance: float = 1e-6,
) -> pd.DataFrame:
    """Where a parent's point forecast is not the sum of its children's (beyond a relative
    `tolerance`), or one side has a (group, date) the other lacks: columns group_col,
    date_col, children_sum, parent, gap. Empty when the two levels are coherent."""
    mapping = groups if isinstance(groups, pd.Series) else pd.Series(dict(groups), dtype=object)
    child_sum = (
        children.assign(**{group_col: children[id_col].map(mapping)})
        .groupby([group_col, date_col])[point_col]
        .sum()
        .rename("children_sum")
    )
    parent = parents.set_index([group_col, date_col])[point_col].rename("parent")
    joined = pd.concat([child_sum, parent], axis=1)
    gap = (joined["children_sum"] - joined["parent"]).abs()
    scale = np.maximum(joined[["children_sum", "parent"]].abs().max(axis=1), 1.0)
    bad = gap.isna() | (gap > tolerance * scale)
    return joined.assign(gap=gap)[bad].reset_index()


def is_coherent(
    children: pd.DataFrame,
    parents: pd.DataFrame,
    *,
    groups: Mapping[Hashable, Hashable] | pd.Series,
    tolerance: float = 1e-6,
    **columns: str,
) -> bool:
    """True when every parent's point forecast is the sum of its children's."""
    return coherence_gaps(children, parents, groups=groups, tolerance=tolerance, **columns).empty

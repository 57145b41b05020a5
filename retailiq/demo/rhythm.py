"""When each demo shop places its orders, and which products it takes up over time. Pure NumPy/pandas.

A shop does not order every product the day it runs low: it stocks up on its own rhythm (supermarkets twice a
week, most kiranas weekly, others fortnightly or every four weeks, a few with no fixed day, and everyone once
more before a big festival); each product's need is bought on the order day before it. A few shops lapse: they stop ordering some weeks before the end, which is
what a rep's "quiet" filter and a reorder model exist to notice. Shops also take up products their peers (shops
of the same segment) already buy, on a day of their own, so discovery has something to learn from.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import SEGMENT_BASKET

# segment -> share of shops on each rhythm, in the order of RHYTHMS
RHYTHMS = ("twice_weekly", "weekly", "fortnightly", "every_four_weeks", "irregular")
RHYTHM_PERIOD = {"twice_weekly": 7, "weekly": 7, "fortnightly": 14, "every_four_weeks": 28}
SEGMENT_RHYTHM = {
    "kirana": (0.10, 0.55, 0.20, 0.05, 0.10),
    "supermarket": (0.60, 0.30, 0.0, 0.0, 0.10),
    "pharmacy": (0.05, 0.35, 0.35, 0.15, 0.10),
    "convenience": (0.25, 0.50, 0.10, 0.0, 0.15),
    "horeca": (0.50, 0.35, 0.05, 0.0, 0.10),
    "wholesale": (0.40, 0.40, 0.10, 0.0, 0.10),
}
IRREGULAR_MEAN_GAP = 5.0  # days between a rhythm-less shop's orders, on average
LATE_SHARE = 0.12  # of scheduled order days, placed a day late
LAPSING_SHARE = 0.07  # of shops that stop ordering before the end
LAPSE_WEEKS = (3, 14)  # how long before the end a lapsing shop's last order falls
STOCK_UP_UPLIFT = 0.3  # festivals lifting demand this much or more get an extra stock-up order from every shop
ADOPTION_SHARE = 0.3  # products a shop takes up during the history, relative to the basket it starts with
ADOPTION_DELAY = 45.0  # mean days between a product's launch and a shop that will buy it taking it up


@dataclass
class Rhythms:
    rhythm: np.ndarray  # per retailer row, one of RHYTHMS
    lapsed_after: np.ndarray  # per retailer row, the last day index it orders on (the history's last if never)
    schedule: np.ndarray  # sorted order days of every retailer, each offset by its row x stride
    stride: int


def _weekdays(weight: np.ndarray, twice: np.ndarray, profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order weekdays per shop (a second one, three or four days on, for twice-weekly shops), so that what the
    shops order adds up per weekday in proportion to `profile`: the largest shop first, each to the day furthest
    below its share. A small marketplace still gets its quiet Sunday, and the few large shops spread over the week
    instead of piling onto one day. No random draw."""
    share = profile / profile.sum()
    load = np.zeros(len(profile))
    first, second = np.empty(len(weight), dtype=np.int64), np.full(len(weight), -1, dtype=np.int64)
    for row in np.argsort(-weight, kind="stable"):
        part = weight[row] / (2 if twice[row] else 1)
        day = int(np.argmin((load + part) / share))
        first[row], load[day] = day, load[day] + part
        if twice[row]:
            options = np.array([(day + 3) % 7, (day + 4) % 7])
            other = int(options[np.argmin((load[options] + part) / share[options])])
            second[row], load[other] = other, load[other] + part
    return first, second


def _stock_up_days(dates: pd.DatetimeIndex, events: pd.DataFrame, n: int, rng: np.random.Generator) -> np.ndarray:
    """Shops x festivals: the extra order each shop places in a big festival's run-up, 3 to 10 days ahead."""
    if events.empty:
        return np.empty((n, 0), dtype=np.int64)
    big = events[(events["kind"] == "festival") & (events["uplift"] >= STOCK_UP_UPLIFT)]
    peaks = ((pd.to_datetime(big["peak_on"]) - dates[0]).dt.days).to_numpy()
    return peaks[None, :] - rng.integers(3, 11, (n, len(peaks)))


def build_rhythms(
    retailers: pd.DataFrame,
    dates: pd.DatetimeIndex,
    events: pd.DataFrame,
    weekday_profile: np.ndarray,
    rng: np.random.Generator,
    *,
    last_day: int,
) -> Rhythms:
    """Order days over `dates` (which may run past the history's `last_day`); no order falls after `last_day`."""
    days, n = len(dates), len(retailers)
    segments = retailers["segment"].to_numpy()
    rhythm = np.empty(n, dtype=object)
    for segment, shares in SEGMENT_RHYTHM.items():
        rows = np.flatnonzero(segments == segment)
        rhythm[rows] = rng.choice(RHYTHMS, size=len(rows), p=np.array(shares) / sum(shares))
    # Monday-based weekday of day 0, so a shop's weekday becomes a day offset.
    first_weekday = int(dates[0].dayofweek)
    # What a shop orders in a week grows with its size and its basket; the shops with a rhythm share the week by it.
    weight = retailers["size_factor"].to_numpy() * retailers["segment"].map(SEGMENT_BASKET).to_numpy()
    weight = np.where(rhythm == "irregular", 0.0, weight)
    weekday, second = _weekdays(weight, rhythm == "twice_weekly", weekday_profile)
    quiet = int(np.argmin(weekday_profile))
    stride = days + 64
    stock_up = _stock_up_days(dates, events, n, rng)
    schedule = []
    for r in range(n):
        if rhythm[r] == "irregular":
            gaps = rng.exponential(IRREGULAR_MEAN_GAP, int(days / IRREGULAR_MEAN_GAP * 1.5) + 8).clip(1).round()
            own = np.cumsum(gaps).astype(np.int64) - int(rng.integers(0, IRREGULAR_MEAN_GAP))
            own = own[own >= 0]
            # Seldom on the quiet day: weekday_profile's own ratio of quiet to busy days.
            keep_share = weekday_profile[(own + first_weekday) % 7] / weekday_profile.max()
            own = own[rng.random(len(own)) < keep_share]
        else:
            period = RHYTHM_PERIOD[rhythm[r]]
            offsets = [(weekday[r] - first_weekday) % 7]
            if rhythm[r] == "twice_weekly":
                offsets.append((second[r] - first_weekday) % 7)
            phase = int(rng.integers(0, period // 7)) * 7
            own = np.sort(np.concatenate([np.arange(o + phase, days + period, period) for o in offsets]))
            late = rng.random(len(own)) < LATE_SHARE
            # A day late, and past the quiet day when that is where a day late falls.
            own = own + late + (late & ((own + 1 + first_weekday) % 7 == quiet))
        own = np.concatenate([own, stock_up[r]])
        schedule.append(np.unique(own[(own >= 0) & (own < days + 60)]) + r * stride)
    lapsed_after = np.full(n, last_day)
    lapsing = rng.random(n) < LAPSING_SHARE
    weeks = rng.uniform(*LAPSE_WEEKS, n)
    lapsed_after[lapsing] = last_day - (weeks[lapsing] * 7).astype(np.int64)
    # A shop that lapses had a history first: a quarter of a year of orders at least.
    onboarded = (pd.to_datetime(retailers["onboarded_on"]) - dates[0]).dt.days.to_numpy()
    lapsed_after = np.where(lapsed_after - onboarded < 90, last_day, lapsed_after)
    return Rhythms(rhythm, lapsed_after, np.concatenate(schedule), stride)


def snap_to_order_days(
    rhythms: Rhythms, retailer_row: np.ndarray, day: np.ndarray, earliest: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each need is bought on its shop's last order day before it (a weekly stock-up covers the coming week, so
    a festival's run-up shows before the festival), or on the next one when the shop could not yet buy the
    product then (`earliest`, per need). Returns (order day, kept): needs whose order day would fall after the
    history's end, or after a lapsing shop's last order, are no orders."""
    offset = retailer_row * rhythms.stride
    after = np.searchsorted(rhythms.schedule, day + offset, side="right")
    before_day = rhythms.schedule[(after - 1).clip(0)] - offset
    next_day = rhythms.schedule[after.clip(0, len(rhythms.schedule) - 1)] - offset
    order_day = np.where((after > 0) & (before_day >= earliest) & (before_day >= 0), before_day, next_day)
    kept = (order_day >= earliest) & (order_day <= rhythms.lapsed_after[retailer_row])
    return order_day, kept


def adopted_products(
    basket_retailer: np.ndarray,
    basket_product: np.ndarray,
    segments: np.ndarray,
    weights: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Products each shop takes up later, drawn from what its peers' baskets hold: (retailer row, product row).
    `weights` is the retailer x product preference its starting basket was drawn by (zero: never bought)."""
    n_retailers, n_products = weights.shape
    held = np.zeros((n_retailers, n_products), dtype=bool)
    held[basket_retailer, basket_product] = True
    new_retailer, new_product = [], []
    for segment in np.unique(segments):
        rows = np.flatnonzero(segments == segment)
        peer_share = held[rows].mean(axis=0)
        for r in rows:
            candidates = peer_share * (weights[r] > 0) * ~held[r]
            count = min(int(rng.poisson(ADOPTION_SHARE * held[r].sum())), int((candidates > 0).sum()))
            if count == 0:
                continue
            chosen = rng.choice(n_products, size=count, replace=False, p=candidates / candidates.sum())
            new_retailer += [r] * count
            new_product += sorted(chosen.tolist())
    return np.array(new_retailer, dtype=np.int64), np.array(new_product, dtype=np.int64)


def adoption_days(
    pair_product: np.ndarray,
    adopted: np.ndarray,
    available_from: np.ndarray,
    launch_day: np.ndarray,
    days: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The first day each (retailer, product) pair can be bought, from the first day both exist
    (`available_from`, per pair) and each product's launch day index. A starting-basket pair is there from that day (a product launched during the history reaches its shops over weeks); an
    adopted pair starts on a day spread over the rest of the history."""
    start = available_from.astype(np.float64)
    launched_late = (launch_day[pair_product] > 0) & ~adopted
    start[launched_late] += rng.exponential(ADOPTION_DELAY, int(launched_late.sum()))
    later = start[adopted] + 30
    start[adopted] = later + rng.uniform(0, 1, int(adopted.sum())) * np.maximum(days - 1 - later, 0)
    return start.astype(np.int64)

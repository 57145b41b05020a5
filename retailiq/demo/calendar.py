"""Holidays and festivals of the demo marketplace, with the uplift each gives.

Lunar festivals move every year, so their dates are listed; the fixed-date ones are
computed. Years outside the table fall back to a typical date.
"""

import datetime as dt

import numpy as np
import pandas as pd

DIWALI = {
    2021: "11-04",
    2022: "10-24",
    2023: "11-12",
    2024: "11-01",
    2025: "10-20",
    2026: "11-08",
    2027: "10-29",
    2028: "10-17",
    2029: "11-05",
    2030: "10-26",
}
HOLI = {
    2021: "03-29",
    2022: "03-18",
    2023: "03-08",
    2024: "03-25",
    2025: "03-14",
    2026: "03-04",
    2027: "03-22",
    2028: "03-11",
    2029: "03-01",
    2030: "03-20",
}
EID = {
    2021: "05-13",
    2022: "05-03",
    2023: "04-22",
    2024: "04-10",
    2025: "03-31",
    2026: "03-20",
    2027: "03-10",
    2028: "02-27",
    2029: "02-14",
    2030: "02-04",
}

# name, kind, month-day table or fixed "MM-DD", days before, days after, uplift on demand
FESTIVALS = [
    ("Diwali", "festival", DIWALI, "11-01", 12, 2, 0.9),
    ("Holi", "festival", HOLI, "03-15", 5, 1, 0.35),
    ("Eid al-Fitr", "festival", EID, "04-10", 5, 1, 0.3),
    ("Christmas", "festival", None, "12-25", 6, 1, 0.25),
    ("New Year", "holiday", None, "01-01", 2, 0, 0.15),
    ("Republic Day", "holiday", None, "01-26", 0, 0, -0.5),
    ("Independence Day", "holiday", None, "08-15", 0, 0, -0.5),
    ("Gandhi Jayanti", "holiday", None, "10-02", 0, 0, -0.5),
]


def calendar_events(start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per event occurrence overlapping [start, end]."""
    rows = []
    for year in range(start.year, end.year + 1):
        for name, kind, table, fallback, before, after, uplift in FESTIVALS:
            month_day = (table or {}).get(year, fallback)
            day = dt.date.fromisoformat(f"{year}-{month_day}")
            first, last = day - dt.timedelta(days=before), day + dt.timedelta(days=after)
            if last >= start and first <= end:
                rows.append(
                    {"name": name, "kind": kind, "starts_on": first, "ends_on": last, "peak_on": day, "uplift": uplift}
                )
    return pd.DataFrame(rows)


def event_multiplier(dates: pd.DatetimeIndex, events: pd.DataFrame) -> np.ndarray:
    """Demand multiplier per date: uplift ramps up towards each festival's peak day."""
    multiplier = np.ones(len(dates))
    day_numbers = dates.values.astype("datetime64[D]")
    for event in events.itertuples():
        first, peak, last = (np.datetime64(d, "D") for d in (event.starts_on, event.peak_on, event.ends_on))
        inside = (day_numbers >= first) & (day_numbers <= last)
        span = max((peak - first).astype(int), 1)
        ramp = np.clip(1 - (peak - day_numbers).astype(int) / (span + 1), 0.3, 1.0)
        multiplier[inside] *= 1 + event.uplift * ramp[inside]
    return multiplier

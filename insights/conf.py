"""Insights' settings: environment variables read once per process through the one reader the settings use
(retailiq.core.env), so the project's settings know nothing of them (as the other capabilities' conf.py)."""

from dataclasses import dataclass, fields
from functools import cache

from retailiq.core.env import env


@dataclass(frozen=True)
class InsightsSettings:
    """``history_days``: the order lines a run reads. ``freq``: the period of the anomaly series (W or D).
    ``segment_months``: monthly segment snapshots kept so movement between segments can be shown (a run fills the
    months still missing). ``feed_size``: insights on a home's feed. ``dismiss_quiet_days``: an insight dismissed
    keeps its subject and kind off the dismisser's feed this long. ``dismiss_mute_count``: a kind a person
    dismissed this often in the last ``dismiss_window_days`` (and never marked useful) leaves their feed, as the
    page says. ``min_severity``: insights below this severity (1 low, 2 medium, 3 high) are not written."""

    history_days: int = 730
    freq: str = "W"
    segment_months: int = 6
    feed_size: int = 6
    dismiss_quiet_days: int = 28
    dismiss_mute_count: int = 3
    dismiss_window_days: int = 30
    min_severity: int = 1

    @classmethod
    def from_env(cls) -> "InsightsSettings":
        """RETAILIQ_INSIGHTS_<FIELD>, e.g. RETAILIQ_INSIGHTS_FEED_SIZE=10; a value that is not a number stops the
        start with the variable named, and so does a period other than D or W."""
        values = {}
        for item in fields(cls):
            name = f"RETAILIQ_INSIGHTS_{item.name.upper()}"
            read = env.str if item.type in (str, "str") else env.int
            values[item.name] = read(name, default=item.default)
        if values["freq"] not in ("D", "W"):
            raise ValueError("RETAILIQ_INSIGHTS_FREQ: choose D or W.")
        return cls(**values)


@cache
def insights_settings() -> InsightsSettings:
    return InsightsSettings.from_env()

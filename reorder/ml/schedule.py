"""Which cutoffs train, validate and test, chosen from the length of the history.

A cutoff needs some history before it (the warm-up) and its longest horizon observed after it. Between those the
cutoffs run every ``step`` days back from the latest one. The test period is the latest cutoffs (at most 13 weeks,
about 30% of the cutoffs' span); every training and validation cutoff has its labels end by the first test cutoff,
so no test-period order reaches a fitted model. Training cutoffs keep a gap of one horizon before validation when
the history allows; on a short one the gap shrinks (and the schedule says so) rather than refusing to train.

Three months of history with a 30-day horizon: a 15-day warm-up, 3-day steps, 5 test cutoffs, one validation
cutoff and one training cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

MAX_TEST_DAYS = 91
TEST_SHARE = 0.3


class ScheduleError(ValueError):
    """The history is too short for the horizon (or the cutoffs asked for)."""


@dataclass(frozen=True)
class Schedule:
    train: list[pd.Timestamp]
    validation: list[pd.Timestamp]
    test: list[pd.Timestamp]
    step_days: int
    gap_days: int
    warmup_days: int
    history_days: int
    notes: list[str] = field(default_factory=list)

    def parts(self) -> dict[str, list[pd.Timestamp]]:
        return {"train": self.train, "validation": self.validation, "test": self.test}

    def describe(self) -> str:
        def span(cutoffs: list[pd.Timestamp]) -> str:
            return f"{len(cutoffs)} ({cutoffs[0].date()}..{cutoffs[-1].date()})"

        text = (
            f"{self.history_days} days of history: cutoffs every {self.step_days} days after a "
            f"{self.warmup_days}-day warm-up; train {span(self.train)}, validation {span(self.validation)}, "
            f"test {span(self.test)}; gap before validation {self.gap_days} days"
        )
        return "; ".join([text, *self.notes])

    def as_dict(self) -> dict:
        return {
            "step_days": self.step_days,
            "gap_days": self.gap_days,
            "warmup_days": self.warmup_days,
            "history_days": self.history_days,
            "test_start": str(self.test[0].date()),
            "description": self.describe(),
        }


def auto_step_days(history_days: int) -> int:
    """About 30 steps over the history, between a day and two weeks."""
    return int(min(max(history_days // 30, 1), 14))


def plan_schedule(
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    *,
    longest_horizon: int,
    step_days: int | None = None,
    max_cutoffs: int | None = None,
    validation_cutoffs: int | None = None,
    test_cutoffs: int | None = None,
    test_start: str | pd.Timestamp | None = None,
    gap_days: int | None = None,
) -> Schedule:
    """The cutoffs of each part; ``None`` (or 0) for any option means "choose from the history's length".

    ``max_cutoffs`` caps the training and validation cutoffs (the latest are kept), a cost bound for large data.
    """
    first_day, last_day = pd.Timestamp(first_day).normalize(), pd.Timestamp(last_day).normalize()
    horizon = int(longest_horizon)
    history_days = (last_day - first_day).days + 1
    step = int(step_days) if step_days else auto_step_days(history_days)
    warmup = int(min(max(history_days // 6, 14), 60))
    latest = last_day + pd.Timedelta(days=1 - horizon)
    earliest = first_day + pd.Timedelta(days=warmup)
    window = (latest - earliest).days
    needed = warmup + 2 * step + horizon
    if window < horizon + step and test_start is None:
        raise ScheduleError(
            f"{history_days} days of history are too short for a {horizon}-day horizon: at least {needed} days are "
            f"needed ({warmup} of warm-up, {horizon} of labels and room for a training and a test cutoff)"
        )
    cutoffs = sorted(latest - pd.Timedelta(days=step * k) for k in range(window // step + 1))

    notes: list[str] = []
    if test_start is not None:
        start = pd.Timestamp(test_start).normalize()
        test = [c for c in cutoffs if c >= start]
    elif test_cutoffs:
        test = cutoffs[-int(test_cutoffs) :]
    else:
        test_days = min(MAX_TEST_DAYS, max(step, int(window * TEST_SHARE)), window - horizon - step)
        test = [c for c in cutoffs if c >= latest - pd.Timedelta(days=test_days)]
    if not test:
        raise ScheduleError(
            f"no cutoff on or after the test start {test_start}; the last possible one is {latest.date()}"
        )
    rest = [c for c in cutoffs if c + pd.Timedelta(days=horizon) <= test[0]]
    if max_cutoffs:
        rest = rest[-max(int(max_cutoffs) - len(test), 2) :]
    if len(rest) < 2:
        raise ScheduleError(
            f"cutoffs whose {horizon}-day labels end by the first test cutoff {test[0].date()} number {len(rest)}; "
            f"training and validation need 2 (a history of at least {needed} days, or an earlier test start)"
        )
    n_validation = int(validation_cutoffs) if validation_cutoffs else (2 if len(rest) >= 5 else 1)
    n_validation = min(n_validation, len(rest) - 1)
    validation, candidates = rest[-n_validation:], rest[:-n_validation]
    gap = horizon if gap_days is None else int(gap_days)
    train = [c for c in candidates if c + pd.Timedelta(days=gap) <= validation[0]]
    if not train:
        train = candidates
        gap = (validation[0] - train[-1]).days
        notes.append(
            f"short history: training labels overlap the first validation cutoff by {horizon - gap} days "
            "(test labels never reach training)"
        )
    return Schedule(train, validation, test, step, gap, warmup, history_days, notes)

"""Celery beat: retraining, nightly scoring and monitoring per registered capability, each a
five-field cron expression overridable from the environment, e.g.
RETAILIQ_SCHEDULE_FORECASTING_TRAIN="0 2 * * 0" or "off" to switch one off.

The slots derive from the registered adapters, which exist only once Django has loaded the
apps, so the Celery app builds the schedule then (`retailiq/celery.py`), not the settings."""

from collections.abc import Iterable
from typing import Any

import environ
from celery.schedules import crontab

DEFAULTS = {
    "train": ("retailiq.registry.tasks.scheduled_training", "30 1 * * 0"),  # weekly, Sunday night
    "score": ("retailiq.registry.tasks.scheduled_scoring", "0 3 * * *"),  # nightly, after the day's orders
    "monitor": ("retailiq.registry.tasks.monitor_models", "30 4 * * *"),  # once scoring is done
}


def _crontab(expression: str) -> crontab:
    minute, hour, day_of_month, month_of_year, day_of_week = expression.split()
    return crontab(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
    )


def beat_schedule(env: environ.Env, capabilities: Iterable[str]) -> dict[str, dict[str, Any]]:
    schedule = {}
    for capability in capabilities:
        for action, (task, default) in DEFAULTS.items():
            expression = env.str(f"RETAILIQ_SCHEDULE_{capability.upper()}_{action.upper()}", default=default)
            if expression.strip().lower() == "off":
                continue
            schedule[f"{capability}-{action}"] = {
                "task": task,
                "schedule": _crontab(expression),
                "args": (capability,),
            }
    return schedule


# Not a capability's: sends again the scoring chunks a broker that lost its data forgot (see the task).
RESEND_LOST_CHUNKS = ("resend-lost-chunks", "retailiq.registry.tasks.resend_lost_chunks", "*/5 * * * *")


def registered_beat_schedule() -> dict[str, dict[str, Any]]:
    """The slots of every registered capability, and the resending of lost chunks; call once Django is set up."""
    from .adapters import registered_capabilities

    env = environ.Env()
    schedule = beat_schedule(env, registered_capabilities())
    name, task, default = RESEND_LOST_CHUNKS
    expression = env.str("RETAILIQ_SCHEDULE_RESEND_LOST_CHUNKS", default=default)
    if expression.strip().lower() != "off":
        schedule[name] = {"task": task, "schedule": _crontab(expression)}
    return schedule

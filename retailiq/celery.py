"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")

app = Celery("retailiq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.import_modules.connect(sender=app)
def schedule_registered_capabilities(sender: Celery, **kwargs) -> None:
    """Beat slots derive from the registered adapters, known only once Django has loaded the apps.
    Workers and beat send this signal before they read the schedule, and Celery's Django fix-up,
    connected first when the app was made, has set Django up by then."""
    from retailiq.registry.schedules import registered_beat_schedule

    sender.conf.beat_schedule = registered_beat_schedule()

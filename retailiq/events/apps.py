from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "retailiq.events"
    label = "events"
    verbose_name = "Promotions and calendar"

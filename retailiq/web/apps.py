from django.apps import AppConfig


class WebConfig(AppConfig):
    """Installed for its template tags (``money``), which every app's templates load."""

    name = "retailiq.web"
    label = "web"
    verbose_name = "Web"

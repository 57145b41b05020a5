from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from retailiq.registry.adapters import register_adapter

        from .adapter import RecommendationsAdapter

        register_adapter(RecommendationsAdapter())

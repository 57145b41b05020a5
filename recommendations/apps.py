from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"

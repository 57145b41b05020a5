"""Recommendations written by batch scoring, and what shops did with the ones they were shown."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RecommendationKind(models.TextChoices):
    DISCOVER = "discover", "Discover"
    BUY_AGAIN = "buy_again", "Buy again"
    BUNDLE = "bundle", "Bundles"


class Recommendation(models.Model):
    """One item of one shop's list as one model version ranked it on one day.

    ``as_of`` is the first day the list is for (the model read orders strictly before it). Unique on (version,
    as_of, retailer, kind, rank), so scoring a day again overwrites in place, and the lists of earlier days stay
    to measure uptake against. ``model_version`` is empty for rows the untrained baseline scored. ``source`` names
    the candidate generator (or "reorder") whose evidence the ``reason`` gives."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="recommendations"
    )
    as_of = models.DateField()
    retailer = models.ForeignKey("retailers.Retailer", on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField(max_length=16, choices=RecommendationKind.choices)
    rank = models.PositiveSmallIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="recommendations")
    score = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=32, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["retailer", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "as_of", "retailer", "kind", "rank"], name="one_recommendation_per_rank"
            ),
            models.UniqueConstraint(
                fields=["as_of", "retailer", "kind", "rank"],
                condition=Q(model_version__isnull=True),
                name="one_baseline_recommendation_per_rank",
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="recommendation_rank_from_1"),
        ]
        indexes = [
            models.Index(fields=["model_version", "as_of", "retailer", "kind"]),
            models.Index(fields=["product", "as_of"]),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.kind} #{self.rank}: {self.product_id}"


class FeedbackAction(models.TextChoices):
    SHOWN = "shown", "Shown"
    CLICKED = "clicked", "Clicked"
    ADDED_TO_CART = "added_to_cart", "Added to cart"
    DISMISSED = "dismissed", "Not interested"


class RecommendationFeedback(models.Model):
    """What a shop did with a recommended product. A dismissal keeps the product off that shop's lists."""

    retailer = models.ForeignKey("retailers.Retailer", on_delete=models.CASCADE, related_name="recommendation_feedback")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="recommendation_feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=FeedbackAction.choices)
    kind = models.CharField(max_length=16, choices=RecommendationKind.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["retailer", "action"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.action} {self.product_id}"

"""Reorder predictions written by batch scoring, and the outcomes of the calls reps make from them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReorderPrediction(models.Model):
    """One retailer x product pair as one model version saw it on one day.

    ``as_of`` is the first day the prediction looks at: the model read orders strictly before it, and
    ``probabilities`` say how likely an order is in ``[as_of, as_of + N days)`` for each horizon N. Unique on
    (version, as_of, retailer, product), so scoring the same day again overwrites in place. ``model_version`` is
    empty for rows scored by the untrained baseline."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="reorder_predictions"
    )
    as_of = models.DateField()
    retailer = models.ForeignKey("retailers.Retailer", on_delete=models.CASCADE, related_name="reorder_predictions")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reorder_predictions")
    probabilities = models.JSONField(default=dict, help_text='Per horizon in days, e.g. {"7": 0.2, "14": 0.5}.')
    probability = models.FloatField(help_text="At the default horizon (RETAILIQ_REORDER_DEFAULT_HORIZON).")
    expected_quantity = models.FloatField()
    expected_date = models.DateField()
    expected_value = models.FloatField(help_text="Expected quantity x last unit price, whatever the probability.")
    priority = models.FloatField(help_text="Probability x expected value at the default horizon.")
    last_order_date = models.DateField()
    days_since_last_order = models.IntegerField()
    interval_days = models.FloatField(help_text="The pair's mean days between orders; 0 after a single order.")
    days_overdue = models.FloatField()
    unit_price = models.FloatField(help_text="The last price the retailer paid.")
    reasons = models.JSONField(default=list, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "as_of", "retailer", "product"], name="one_reorder_prediction_per_version_day"
            ),
            # NULLs are distinct in a unique index: baseline rows need their own.
            models.UniqueConstraint(
                fields=["as_of", "retailer", "product"],
                condition=Q(model_version__isnull=True),
                name="one_baseline_reorder_prediction_per_day",
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1), name="reorder_probability_between_0_and_1"
            ),
        ]
        indexes = [
            models.Index(fields=["model_version", "as_of", "retailer"]),
            models.Index(fields=["retailer", "as_of"]),
            models.Index(fields=["as_of", "-priority"]),
            models.Index(fields=["probability"]),
            models.Index(fields=["priority"]),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} x {self.product_id} as of {self.as_of}: {self.probability:.2f}"


class CallOutcome(models.Model):
    """What came of a rep's call to a shop. The call list entry it came from is kept as a snapshot (horizon,
    priority, probability, the prediction's day), so the hit rate can be measured against what was promised."""

    class Outcome(models.TextChoices):
        ORDERED = "ordered", "Ordered"
        NOT_NOW = "not_now", "Not now"
        UNREACHABLE = "unreachable", "Unreachable"
        NOTE = "note", "Note only"

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_outcomes")
    retailer = models.ForeignKey("retailers.Retailer", on_delete=models.CASCADE, related_name="call_outcomes")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.TextField(blank=True)
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="call_outcomes")
    called_at = models.DateTimeField(default=timezone.now)
    horizon_days = models.PositiveIntegerField(default=14)
    priority = models.FloatField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    prediction_as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-called_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="note") | ~Q(note=""), name="call_outcome_note_needs_text"),
        ]
        indexes = [
            models.Index(fields=["retailer", "-called_at"]),
            models.Index(fields=["rep", "-called_at"]),
            models.Index(fields=["called_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.retailer_id} on {self.called_at:%Y-%m-%d}"

"""What a detection run stores: insights in plain words with their evidence, people's feedback on them, each
shop's segment per month, and each shop's and product's pattern profile; and the anomalies found on the series,
so the pattern pages can mark them. Every row names the model version (the detector's configuration) that wrote
it; rows of the untrained baseline have none."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class InsightKind(models.TextChoices):
    SPIKE = "spike", "Unexplained spike"
    DROP = "drop", "Unexplained drop"
    CHURN_RISK = "churn_risk", "Churn risk"
    BASKET_SHRINK = "basket_shrink", "Smaller baskets"
    CATEGORY_LAPSE = "category_lapse", "Stopped buying a category"
    TREND_BREAK = "trend_break", "Trend break"
    LEVEL_SHIFT = "level_shift", "Level shift"
    SEGMENT_SHIFT = "segment_shift", "Segment movement"


class SubjectKind(models.TextChoices):
    RETAILER = "retailer", "Shop"
    PRODUCT = "product", "Product"
    VENDOR = "vendor", "Vendor"
    REGION = "region", "Region"
    MARKETPLACE = "marketplace", "Marketplace"


class Severity(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


class Insight(models.Model):
    """One thing a detection run found, as of one day. ``key`` names what it is about (kind and subject, e.g.
    ``churn_risk:r12``) and is unique per version and day, so a run repeated on the same day updates its rows
    (and keeps their feedback) instead of adding rows. ``retailer``, ``product`` and ``vendor`` are filled where
    the insight concerns them (a vendor's product in a region: product and vendor), which is what scopes it."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="insights"
    )
    as_of = models.DateField()
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=InsightKind.choices)
    subject_kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    retailer = models.ForeignKey(
        "retailers.Retailer", null=True, blank=True, on_delete=models.CASCADE, related_name="insights"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="insights"
    )
    vendor = models.ForeignKey(
        "catalog.Vendor", null=True, blank=True, on_delete=models.CASCADE, related_name="insights"
    )
    region = models.CharField(max_length=100, blank=True, default="")
    category = models.CharField(max_length=120, blank=True, default="")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    score = models.FloatField(help_text="The detector's score or probability; orders insights of equal severity.")
    title = models.CharField(max_length=240)
    body = models.TextField(blank=True)
    action = models.CharField(max_length=160, blank=True, help_text="What to do about it, in a few words.")
    evidence = models.JSONField(default=dict, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-severity", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["model_version", "as_of", "key"], name="one_insight_per_key_and_day"),
            models.UniqueConstraint(
                fields=["as_of", "key"], condition=Q(model_version__isnull=True), name="one_baseline_insight_per_key"
            ),
            models.CheckConstraint(condition=Q(severity__gte=1) & Q(severity__lte=3), name="insight_severity_1_to_3"),
        ]
        indexes = [
            models.Index(fields=["model_version", "as_of", "-severity"]),
            models.Index(fields=["retailer", "as_of"]),
            models.Index(fields=["product", "as_of"]),
            models.Index(fields=["vendor", "as_of"]),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.key}: {self.title}"


class FeedbackAction(models.TextChoices):
    USEFUL = "useful", "Useful"
    ACTED_ON = "acted_on", "Acted on"
    DISMISSED = "dismissed", "Dismissed"


class InsightFeedback(models.Model):
    """What one person did with one insight: once per person, insight and action, so a second click counts once.
    ``key`` and ``kind`` are copied from the insight, so the feed's rules (a dismissed subject stays quiet for a
    while; a kind dismissed again and again leaves the feed) read across days without joining every batch."""

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="insight_feedback")
    action = models.CharField(max_length=16, choices=FeedbackAction.choices)
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=InsightKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["insight", "user", "action"], name="one_feedback_per_insight_user_action")
        ]
        indexes = [models.Index(fields=["user", "action", "created_at"]), models.Index(fields=["user", "key"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.insight_id}"


class RetailerSegment(models.Model):
    """A shop's segment (its RFM segment, and the behavioural cluster named in words) for one month, as of the run that
    wrote it. One row per shop and month: a later run in the same month replaces it, earlier months stay, so
    movement between segments from month to month can be shown. ``churn_probability`` is the detector's
    probability that the shop is lapsing (0 where it did not flag the shop), measured against what followed."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="retailer_segments"
    )
    retailer = models.ForeignKey("retailers.Retailer", on_delete=models.CASCADE, related_name="insight_segments")
    month = models.DateField(help_text="The first day of the month.")
    as_of = models.DateField()
    segment = models.CharField(max_length=48)
    segment_label = models.CharField(max_length=120)
    cluster_label = models.CharField(
        max_length=120, blank=True, default="", help_text='The behavioural cluster\'s name ("Weekly stock-up").'
    )
    recency_days = models.FloatField()
    frequency = models.FloatField()
    monetary = models.FloatField()
    r_score = models.PositiveSmallIntegerField()
    f_score = models.PositiveSmallIntegerField()
    m_score = models.PositiveSmallIntegerField()
    mean_interval_days = models.FloatField(null=True, blank=True)
    basket_value = models.FloatField(null=True, blank=True)
    churn_probability = models.FloatField(default=0.0)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["retailer", "-month"]
        constraints = [models.UniqueConstraint(fields=["retailer", "month"], name="one_segment_per_shop_and_month")]
        indexes = [models.Index(fields=["month", "segment"]), models.Index(fields=["model_version", "as_of"])]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.month:%Y-%m}: {self.segment}"


class PatternProfile(models.Model):
    """A shop's or a product's ordering pattern as the latest run saw it: its weekday profile (Monday first, each
    day's share of an average day), month profile (January first), festival sensitivity (demand in festival
    weeks over ordinary weeks), and for a product its ABC/XYZ classes and demand class. One row per shop and one
    per product, replaced by each run."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="pattern_profiles"
    )
    as_of = models.DateField()
    retailer = models.OneToOneField(
        "retailers.Retailer", null=True, blank=True, on_delete=models.CASCADE, related_name="insight_profile"
    )
    product = models.OneToOneField(
        "catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="insight_profile"
    )
    weekday = models.JSONField(default=list, blank=True)
    month_profile = models.JSONField(default=list, blank=True)
    festival_sensitivity = models.FloatField(null=True, blank=True)
    abc = models.CharField(max_length=1, blank=True, default="")
    xyz = models.CharField(max_length=1, blank=True, default="")
    demand_class = models.CharField(max_length=16, blank=True, default="")
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(retailer__isnull=False, product__isnull=True)
                | Q(retailer__isnull=True, product__isnull=False),
                name="profile_of_a_shop_or_a_product",
            )
        ]

    def __str__(self) -> str:
        return (
            f"profile of {'shop ' + str(self.retailer_id) if self.retailer_id else 'product ' + str(self.product_id)}"
        )


class SeriesKind(models.TextChoices):
    RETAILER = "retailer", "Shop's orders"
    PRODUCT = "product", "Product's demand"
    PRODUCT_REGION = "product_region", "Product's demand in a region"


class SeriesAnomaly(models.Model):
    """A flagged period of a shop's order series or a product's demand series (overall or in one region), with
    what the detector expected and its band, so the pattern pages mark it on the chart. One row per series and
    period: a later run's judgement of the same period replaces it. ``explained_by`` is
    empty for an unexplained anomaly; otherwise it names the festival or promotion that explains it."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="series_anomalies"
    )
    as_of = models.DateField()
    series_kind = models.CharField(max_length=16, choices=SeriesKind.choices)
    series_key = models.CharField(max_length=140, help_text="r<shop id>, p<product id> or p<product id>:<region>.")
    retailer = models.ForeignKey(
        "retailers.Retailer", null=True, blank=True, on_delete=models.CASCADE, related_name="series_anomalies"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="series_anomalies"
    )
    region = models.CharField(max_length=100, blank=True, default="")
    date = models.DateField()
    value = models.FloatField()
    expected = models.FloatField()
    lower = models.FloatField()
    upper = models.FloatField()
    score = models.FloatField()
    direction = models.CharField(max_length=8, blank=True, default="")
    explained_by = models.CharField(max_length=160, blank=True, default="")
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["series_key", "date"], name="one_anomaly_per_series_and_period")]
        indexes = [models.Index(fields=["retailer", "date"]), models.Index(fields=["product", "date"])]

    def __str__(self) -> str:
        return f"{self.series_kind} {self.retailer_id or self.product_id} {self.date}: {self.direction}"

"""A person's insights feed, and what people did with insights.

The feed learns nothing it cannot explain. Its rules, stated on the page (``FEED_RULES``):
1. Insights of the run that serves now, those the person may see, most severe first, then by the detector's
   score.
2. An insight the person dismissed is gone from their feed, and so is the same subject's insight of the same
   kind in later runs, for ``dismiss_quiet_days`` days.
3. A kind the person dismissed ``dismiss_mute_count`` times or more in the last ``dismiss_window_days`` days, and
   never marked useful or acted on in that time, leaves their feed; the page names it, with a link that shows
   everything again.
Nobody else's feed changes because of one person's clicks."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.core.errors import InvalidInput, NotFound

from ..conf import insights_settings
from ..models import FeedbackAction, Insight, InsightFeedback, InsightKind
from ..selectors import insight_batch_serving, insight_list_for_user


def feed_rules() -> list[str]:
    conf = insights_settings()
    return [
        "Most severe first, then by how far the data is from what was expected.",
        f"An insight you dismiss stays off your feed, and so does its subject's insight of the same kind for "
        f"{conf.dismiss_quiet_days} days.",
        f"A kind you dismissed {conf.dismiss_mute_count} times in {conf.dismiss_window_days} days, and never marked "
        "useful or acted on, leaves your feed until you show everything.",
    ]


@dataclass
class Feed:
    items: list[Insight]
    as_of: dt.date | None
    total: int  # insights of the serving run this person may see
    acted_on: int  # of those, how many someone marked "acted on"
    useful: int
    muted_kinds: list[str] = field(default_factory=list)  # labels of kinds rule 3 took off the feed
    hidden: int = 0  # insights rules 2 and 3 took off the feed
    stored: bool = True


def serving_insights(*, user: User) -> tuple[QuerySet[Insight], dt.date | None, bool]:
    """The insights of the serving run that ``user`` may see."""
    batch = insight_batch_serving()
    rows = insight_list_for_user(user=user)
    if not batch.stored:
        return rows.none(), batch.as_of, False
    return rows.filter(model_version=batch.version, as_of=batch.as_of), batch.as_of, True


def insights_filtered(
    rows: QuerySet[Insight], *, kind: str | None = None, retailer_id: int | None = None, product_id: int | None = None
) -> QuerySet[Insight]:
    if kind:
        if kind not in InsightKind.values:
            raise InvalidInput(f"kind: choose one of {', '.join(InsightKind.values)}.", field="kind")
        rows = rows.filter(kind=kind)
    if retailer_id is not None:
        rows = rows.filter(retailer_id=retailer_id)
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    return rows


def with_counts(rows: QuerySet[Insight]) -> QuerySet[Insight]:
    """Each insight with how many people marked it useful, acted on it or dismissed it."""
    return rows.annotate(
        useful_count=Count("feedback", filter=Q(feedback__action=FeedbackAction.USEFUL), distinct=True),
        acted_count=Count("feedback", filter=Q(feedback__action=FeedbackAction.ACTED_ON), distinct=True),
        dismissed_count=Count("feedback", filter=Q(feedback__action=FeedbackAction.DISMISSED), distinct=True),
    ).select_related("retailer", "product", "vendor")


def insight_feed(
    *, user: User, limit: int | None = None, show_all: bool = False, retailer_id: int | None = None
) -> Feed:
    """The feed a person's home (or a shop's pattern page, with ``retailer_id``) shows, with its rules applied
    unless ``show_all``."""
    conf = insights_settings()
    rows, as_of, stored = serving_insights(user=user)
    rows = insights_filtered(rows, retailer_id=retailer_id)
    total = rows.count()
    acted = rows.filter(feedback__action=FeedbackAction.ACTED_ON).distinct().count()
    useful = rows.filter(feedback__action=FeedbackAction.USEFUL).distinct().count()
    muted: set[str] = set()
    visible = rows
    if not show_all:
        now = timezone.now()
        mine = InsightFeedback.objects.filter(user=user)
        quiet = mine.filter(
            action=FeedbackAction.DISMISSED, created_at__gte=now - dt.timedelta(days=conf.dismiss_quiet_days)
        ).values_list("key", flat=True)
        window = mine.filter(created_at__gte=now - dt.timedelta(days=conf.dismiss_window_days))
        dismissed = Counter(window.filter(action=FeedbackAction.DISMISSED).values_list("kind", flat=True))
        kept = set(window.exclude(action=FeedbackAction.DISMISSED).values_list("kind", flat=True))
        muted = {kind for kind, n in dismissed.items() if n >= conf.dismiss_mute_count and kind not in kept}
        visible = rows.exclude(key__in=list(quiet)).exclude(kind__in=list(muted))
    shown = list(with_counts(visible).order_by("-severity", "-score", "pk")[: limit or None])
    _mark_mine(shown, user=user)
    labels = dict(InsightKind.choices)
    return Feed(
        items=shown,
        as_of=as_of,
        total=total,
        acted_on=acted,
        useful=useful,
        muted_kinds=sorted(labels.get(kind, kind) for kind in muted),
        hidden=total - visible.count(),
        stored=stored,
    )


def _mark_mine(items: list[Insight], *, user: User) -> None:
    """What the person already did with each insight shown (the buttons show it)."""
    done: dict[int, set[str]] = {}
    for insight_id, action in InsightFeedback.objects.filter(
        user=user, insight_id__in=[i.pk for i in items]
    ).values_list("insight_id", "action"):
        done.setdefault(insight_id, set()).add(action)
    for item in items:
        item.my_actions = done.get(item.pk, set())


def insight_for_user(*, user: User, insight_id) -> Insight:
    try:
        pk = int(insight_id)
    except (TypeError, ValueError):
        raise InvalidInput("insight must be an insight's id.", field="insight") from None
    insight = insight_list_for_user(user=user).filter(pk=pk).first()
    if insight is None:
        raise NotFound(f"No insight {pk}.", fields={"insight": f"No insight {pk}."})
    return insight


def insight_feedback_record(*, user: User, insight_id, action: str | None) -> tuple[InsightFeedback, bool]:
    """Record that ``user`` found an insight useful, acted on it or dismissed it; once per person, insight and
    action (a second click answers the first record). Returns the record and whether it is new."""
    if action not in FeedbackAction.values:
        raise InvalidInput(f"action: choose one of {', '.join(FeedbackAction.values)}.", field="action")
    insight = insight_for_user(user=user, insight_id=insight_id)
    try:
        with transaction.atomic():
            record = InsightFeedback.objects.create(
                insight=insight, user=user, action=action, key=insight.key, kind=insight.kind
            )
            return record, True
    except IntegrityError:
        return InsightFeedback.objects.get(insight=insight, user=user, action=action), False


def insight_with_counts(*, user: User, insight_id: int) -> Insight:
    insight = with_counts(insight_list_for_user(user=user).filter(pk=insight_id)).get()
    _mark_mine([insight], user=user)
    return insight

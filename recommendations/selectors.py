"""Reads for recommendations: what training and scoring read (orders, catalogue, shops, feedback, the rules'
inputs), and the stored lists, each already narrowed to what a user may see."""

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from django.db.models import Max, QuerySet

from retailiq.accounts.models import User
from retailiq.accounts.scoping import NoScope, product_filter, retailer_filter
from retailiq.catalog.models import Product
from retailiq.inventory.models import StockLevel
from retailiq.registry.selectors import ServingBatch, as_of_after, serving_batch
from retailiq.retailers.models import Retailer

from .conf import recommendations_settings
from .models import FeedbackAction, Recommendation, RecommendationFeedback

CAPABILITY = "recommendations"
ORDER_COLUMNS = ["retailer_id", "product_id", "date", "quantity"]
PRODUCT_COLUMNS = ["product_id", "name", "category_id", "brand", "unit_price"]
RETAILER_COLUMNS = ["retailer_id", "segment", "city"]
FEEDBACK_COLUMNS = ["retailer_id", "product_id", "date", "action"]


# --- What training and scoring read ------------------------------------------------------


def latest_order_day() -> dt.date | None:
    from reorder.selectors import latest_order_day as last_purchase_day

    return last_purchase_day()


def order_frame(*, start: dt.date, end: dt.date, retailer_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Purchase lines between ``start`` and ``end`` in the engine's long format. The purchase history is the one
    reorder reads (sales on orders not cancelled), so buy again and reorder learn from the same lines."""
    from reorder.selectors import order_history_frame

    frame = order_history_frame(start=start, end=end, retailer_ids=retailer_ids)
    return frame[ORDER_COLUMNS].sort_values(ORDER_COLUMNS, kind="stable", ignore_index=True)


def history_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    end = as_of - dt.timedelta(days=1)
    return end - dt.timedelta(days=recommendations_settings().history_days - 1), end


def product_frame() -> pd.DataFrame:
    """Every product, sold or not yet (content cold start), with what the content generator reads."""
    rows = Product.objects.order_by("pk").values_list("pk", "name", "category_id", "brand__name", "unit_price")
    frame = pd.DataFrame.from_records(list(rows), columns=PRODUCT_COLUMNS)
    frame["unit_price"] = frame["unit_price"].astype(float)
    return frame


def retailer_frame() -> pd.DataFrame:
    rows = Retailer.objects.order_by("pk").values_list("pk", "segment", "city")
    return pd.DataFrame.from_records(list(rows), columns=RETAILER_COLUMNS)


def feedback_frame(*, end: dt.date | None = None) -> pd.DataFrame:
    """Every recorded feedback up to ``end``, in a fixed order (it is hashed with the training data)."""
    rows = RecommendationFeedback.objects.all()
    if end is not None:
        rows = rows.filter(created_at__date__lte=end)
    records = list(rows.order_by("created_at", "pk").values_list("retailer_id", "product_id", "created_at", "action"))
    frame = pd.DataFrame.from_records(records, columns=FEEDBACK_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], utc=True).dt.tz_localize(None).dt.floor("D")
    return frame


def scoring_retailer_ids(*, as_of: dt.date) -> list[int]:
    """Active shops that ordered within the active window before the day, and active shops with no order yet
    (they get lists from their peers and the catalogue)."""
    from reorder.selectors import active_retailer_ids

    since = as_of - dt.timedelta(days=recommendations_settings().active_days)
    ordered = set(active_retailer_ids(start=since, end=as_of - dt.timedelta(days=1)))
    shops = Retailer.objects.filter(is_active=True)
    never = set(shops.filter(order_lines__isnull=True).values_list("pk", flat=True))
    return sorted((ordered & set(shops.values_list("pk", flat=True))) | never)


def inactive_product_ids() -> list[int]:
    return list(Product.objects.filter(is_active=False).values_list("pk", flat=True))


def dismissed_pairs(*, retailer_ids: Sequence[int] | None = None) -> pd.DataFrame:
    rows = RecommendationFeedback.objects.filter(action=FeedbackAction.DISMISSED)
    if retailer_ids is not None:
        rows = rows.filter(retailer_id__in=list(retailer_ids))
    pairs = rows.order_by().values_list("retailer_id", "product_id").distinct()
    return pd.DataFrame.from_records(list(pairs), columns=["retailer_id", "product_id"])


def out_of_stock_pairs(*, retailer_ids: Sequence[int]) -> pd.DataFrame:
    """(shop, product) pairs where the product is out of stock in every active warehouse serving the shop's
    region. A product with no stock row in the region is not blocked: nothing says it cannot be shipped."""
    shops = pd.DataFrame.from_records(
        list(Retailer.objects.filter(pk__in=list(retailer_ids)).values_list("pk", "region")),
        columns=["retailer_id", "region"],
    )
    if shops.empty:
        return pd.DataFrame(columns=["retailer_id", "product_id"])
    # The database keeps only the products out of stock everywhere in a region (a few rows), rather than sending
    # every stock row of the regions (a row per product and warehouse) to be grouped here.
    empty = pd.DataFrame.from_records(
        list(
            StockLevel.objects.filter(
                warehouse__is_active=True, warehouse__region__in=shops["region"].unique().tolist()
            )
            .order_by()
            .values("warehouse__region", "product_id")
            .annotate(most=Max("on_hand"))
            .filter(most__lte=0)
            .values_list("warehouse__region", "product_id")
        ),
        columns=["region", "product_id"],
    )
    if empty.empty:
        return pd.DataFrame(columns=["retailer_id", "product_id"])
    return shops.merge(empty, on="region")[["retailer_id", "product_id"]]


def reorder_probability_frame(*, retailer_ids: Sequence[int]) -> pd.DataFrame:
    """Reorder's serving probabilities (at its default horizon) for the shops' pairs, so buy again agrees with
    the reorder capability; empty while reorder has stored none."""
    from reorder.selectors import serving_probability_frame

    return serving_probability_frame(retailer_ids=retailer_ids)


# --- Scope ----------------------------------------------------------------------------------


def recommendation_retailers_for_user(*, user: User) -> QuerySet[Retailer]:
    """Shops whose lists a user may read: a retailer its own, a rep its assigned ones, analysts all. Vendors read
    no shop's list, only where their own products are recommended (``recommendation_list_for_user``)."""
    try:
        return Retailer.objects.filter(retailer_filter(user))
    except NoScope:
        return Retailer.objects.none()


def recommendation_list_for_user(*, user: User) -> QuerySet[Recommendation]:
    """Stored recommendations a user may read: of its shops (retailers, reps, analysts), or of its own products
    to any shop (vendors); shops and reps only the active catalogue."""
    rows = Recommendation.objects.all()
    try:
        rows = rows.filter(product_filter(user, prefix="product__"))
    except NoScope:
        return Recommendation.objects.none()
    if user.is_vendor:
        return rows
    return rows.filter(retailer__in=recommendation_retailers_for_user(user=user))


def feedback_list_for_user(*, user: User) -> QuerySet[RecommendationFeedback]:
    try:
        return RecommendationFeedback.objects.filter(retailer_filter(user, prefix="retailer__"))
    except NoScope:
        return RecommendationFeedback.objects.none()


# --- Uptake ----------------------------------------------------------------------------------


def recommendation_uptake_rows(
    rows: QuerySet[Recommendation], *, since: dt.date, horizons: Sequence[int]
) -> pd.DataFrame:
    """One row per stored recommendation on a list from ``since`` on whose shortest window is over, with the Monday
    of its week and, per horizon H, ``closed_H`` (its H days are over) and ``taken_H`` (the shop ordered the
    product within H days of the list). The live metric and the analysts' uptake chart both count from here."""
    columns = ["model_version_id", "as_of", "retailer_id", "product_id", "kind"]
    last = latest_order_day()
    if last is None:
        return pd.DataFrame(columns=[*columns, "week"])
    rows = rows.filter(as_of__gte=since, as_of__lte=last - dt.timedelta(days=min(horizons) - 1))
    frame = pd.DataFrame.from_records(list(rows.order_by().values_list(*columns)), columns=columns)
    if frame.empty:
        return frame.assign(week=pd.Series(dtype=object))
    orders = order_frame(
        start=frame["as_of"].min(),
        end=min(last, frame["as_of"].max() + dt.timedelta(days=max(horizons) - 1)),
        retailer_ids=frame["retailer_id"].unique().tolist(),
    )
    pairs = frame[["retailer_id", "product_id", "as_of"]].drop_duplicates()
    first = pairs.merge(orders[["retailer_id", "product_id", "date"]], on=["retailer_id", "product_id"], how="left")
    first = first[first["date"] >= pd.to_datetime(first["as_of"])]
    first = first.groupby(["retailer_id", "product_id", "as_of"])["date"].min().rename("ordered_on")
    frame = frame.merge(first.reset_index(), on=["retailer_id", "product_id", "as_of"], how="left")
    as_of = pd.to_datetime(frame["as_of"])
    delay = (frame["ordered_on"] - as_of).dt.days
    frame["week"] = (as_of - pd.to_timedelta(as_of.dt.weekday, "D")).dt.date
    for horizon in horizons:
        frame[f"closed_{horizon}"] = (frame["as_of"] <= last - dt.timedelta(days=horizon - 1)).to_numpy()
        frame[f"taken_{horizon}"] = (delay < horizon).fillna(False).to_numpy()
    return frame.drop(columns=["ordered_on"])


def uptake_by_list_week(*, user: User, weeks: int) -> pd.DataFrame:
    """For the stored lists the user may read, per list and week of the lists of the last ``weeks`` weeks whose
    uptake window is over: the share of recommended products the shop ordered within that window
    (``uptake_days``, 30 by default). A product on one shop's list of one day counts once, whichever version
    stored it. Columns: kind, week, share, recommended, taken."""
    horizon = recommendations_settings().uptake_days
    last = latest_order_day()
    columns = ["kind", "week", "share", "recommended", "taken"]
    if last is None:
        return pd.DataFrame(columns=columns)
    since = last - dt.timedelta(days=horizon - 1 + 7 * weeks)
    rows = recommendation_uptake_rows(recommendation_list_for_user(user=user), since=since, horizons=(horizon,))
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows[rows[f"closed_{horizon}"]].drop_duplicates(["as_of", "retailer_id", "kind", "product_id"])
    grouped = rows.groupby(["kind", "week"])[f"taken_{horizon}"].agg(recommended="size", taken="sum").reset_index()
    grouped["taken"] = grouped["taken"].astype(int)
    grouped["share"] = grouped["taken"] / grouped["recommended"]
    return grouped[columns].sort_values(["kind", "week"], ignore_index=True)


# --- The serving batch ------------------------------------------------------------------------


def recommendation_batch_serving() -> ServingBatch:
    """The stored batch that serves now; while none is stored, ``as_of`` is the day after the last order and the
    lists are made on demand."""
    batch = serving_batch(capability=CAPABILITY)
    if batch.stored:
        return batch
    last = latest_order_day()
    return ServingBatch(
        version=batch.version, as_of=as_of_after(last) if last else None, stamp=batch.stamp, stored=False
    )

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Max, QuerySet

from retailiq.accounts.models import User

from .adapters import BatchScoring, PredictionTable, adapter_for
from .models import Job, ModelVersion
from .services.versions import active_model_version

BATCH_CACHE_SECONDS = 60 * 60  # the key moves with every batch written (see serving_batch)


def model_version_list_for_user(*, user: User) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.all() if user.sees_everything else ModelVersion.objects.none()


def job_list_for_user(*, user: User) -> QuerySet[Job]:
    """Analysts see every job; anyone else only the jobs they started."""
    return Job.objects.all() if user.sees_everything else Job.objects.filter(requested_by=user)


@dataclass(frozen=True)
class ServingBatch:
    """The batch of stored predictions that serves now (see :func:`serving_batch`)."""

    # Whose predictions: the version that wrote the batch (None: the untrained baseline's rows); while nothing
    # is stored, the active version (None while none is).
    version: ModelVersion | None
    as_of: dt.date | None  # None while nothing is stored
    stamp: int  # the newest prediction row's id when read: moves with every batch written
    stored: bool = True

    @property
    def last_data_day(self) -> dt.date | None:
        """The last day of data the predictions read: the day before ``as_of``."""
        return None if self.as_of is None else self.as_of - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        """Names this batch in cache keys of what is read from it."""
        version = self.version.pk if self.version is not None else "baseline"
        return f"{version}@{self.as_of}#{self.stamp}"


def as_of_after(last_data_day: dt.date) -> dt.date:
    """The ``as_of`` of predictions made from data up to and including ``last_data_day``."""
    return last_data_day + dt.timedelta(days=1)


def serving_batch(*, capability: str, segment: str = "") -> ServingBatch:
    """The batch of stored predictions that serves now for a capability with batch scoring.

    ``as_of`` is the first day the predictions are about: a batch as of day D read only the data before D (up to
    and including D - 1, its ``last_data_day``) and predicts D and the days after. Every capability means this
    by ``as_of``, whatever its table stores (a forecast keeps its origin, the last day of sales: ``as_of - 1``).

    Which batch: the active version's newest one; while it has none (just activated, or no version is active),
    the newest batch any version or the baseline wrote, so pages keep showing the predictions there are. While
    nothing is stored, ``stored`` is False and ``as_of`` None: a capability that can predicts from
    ``as_of_after(its latest data day)`` with its adapter's ``baseline()``.

    Remembered under the active version and the newest row's id, so finding the batch day (which reads every
    row of a version) happens once per batch written."""
    adapter = adapter_for(capability)
    if not isinstance(adapter, BatchScoring):
        raise TypeError(f"{capability} has no batch scoring.")
    table = adapter.prediction_table()
    active = active_model_version(capability=capability, segment=segment)
    stamp = table.model.objects.aggregate(newest=Max("id"))["newest"] or 0
    key = f"registry:serving-batch:{capability}:{segment}:{active.pk if active else ''}:{stamp}"
    found = cache.get(key)
    if found is None:
        found = _find_batch(table, active)
        cache.set(key, found, BATCH_CACHE_SECONDS)
    version_id, as_of = found
    if as_of is None:
        return ServingBatch(version=active, as_of=None, stamp=stamp, stored=False)
    if version_id is None:
        version = None
    elif active is not None and active.pk == version_id:
        version = active
    else:
        version = ModelVersion.objects.filter(pk=version_id).first()
    return ServingBatch(version=version, as_of=as_of, stamp=stamp)


def _find_batch(table: PredictionTable, active: ModelVersion | None) -> tuple[int | None, dt.date | None]:
    """(version id, as_of) as plain values to cache; as_of None when nothing is stored."""
    rows = table.model.objects.filter(**table.batch_rows)
    shift = dt.timedelta(days=1 if table.day_is_last_data_day else 0)
    if active is not None:
        day = rows.filter(model_version=active).aggregate(day=Max(table.day_field))["day"]
        if day is not None:
            return active.pk, day + shift
    newest = rows.order_by(f"-{table.day_field}", "-scored_at").values("model_version_id", table.day_field).first()
    if newest is not None:
        return newest["model_version_id"], newest[table.day_field] + shift
    return None, None

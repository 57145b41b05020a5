from django.db.models import QuerySet

from retailiq.accounts.models import User

from .models import Job, ModelVersion


def model_version_list_for_user(*, user: User) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.all() if user.sees_everything else ModelVersion.objects.none()


def job_list_for_user(*, user: User) -> QuerySet[Job]:
    """Analysts see every job; anyone else only the jobs they started."""
    return Job.objects.all() if user.sees_everything else Job.objects.filter(requested_by=user)

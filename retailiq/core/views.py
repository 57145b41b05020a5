from dataclasses import asdict

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .health import run_checks


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """`/healthz` checks the database and cache; `/healthz?worker=1` also waits for a
    Celery worker to answer. 503 when anything fails."""
    results = run_checks(include_worker=request.GET.get("worker") == "1")
    ok = all(r.ok for r in results)
    return JsonResponse({"ok": ok, "checks": [asdict(r) for r in results]}, status=200 if ok else 503)

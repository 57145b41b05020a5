from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .health import deep_checks, deep_checks_allowed, public_checks


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """`/healthz` says the process is alive, for anyone, from the process alone. With `deep=1`
    (database and cache) or `worker=1` (also the broker and a worker's answer) it checks the
    rest, for the operator's token or staff only, answering 503 when anything fails."""
    include_worker = request.GET.get("worker") == "1"
    if not (include_worker or request.GET.get("deep") == "1"):
        return JsonResponse({"ok": True, "checks": []})
    if not deep_checks_allowed(request):
        return JsonResponse(
            {"ok": False, "detail": "Deep health checks need the health token or a staff sign-in."}, status=403
        )
    results = deep_checks(include_worker=include_worker, include_broker=include_worker, worker_timeout=10.0)
    ok = all(r.ok for r in results)
    return JsonResponse({"ok": ok, "checks": public_checks(results)}, status=200 if ok else 503)

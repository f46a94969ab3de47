"""Operations endpoints: /healthz for load balancers, /metrics for Prometheus."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from moderation.health import oldest_pending_seconds, run_checks
from moderation.metrics import ParleyCollector
from moderation.services.stats import stats_latest


def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    ok = all(c.ok for c in checks)
    failing = [c.name for c in checks if not c.ok]
    return JsonResponse(
        {
            "status": "ok" if ok else "failing",
            "failing": failing,
            "oldest_pending_seconds": round(oldest_pending_seconds(), 1),
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
        },
        status=200 if ok else 503,
    )


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.PARLEY_METRICS_TOKEN
    if token and not hmac.compare_digest(
        request.headers.get("Authorization", ""), f"Bearer {token}"
    ):
        return HttpResponse("Send the metrics token as a Bearer token.", status=401)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ParleyCollector(stats_latest().figures))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

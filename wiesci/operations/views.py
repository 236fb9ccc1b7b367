from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from wiesci.operations import health, metrics
from wiesci.operations.access import operators_only


@operators_only
def health_view(request: HttpRequest) -> HttpResponse:
    """The server's and the portal's health, for load balancers and people.

    503 only when this server cannot serve (see wiesci.operations.health).
    """
    report = health.run_checks()
    return JsonResponse(
        report, status=503 if report["status"] == health.FAILING else 200
    )


@operators_only
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Counts and gauges in the Prometheus text format."""
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)

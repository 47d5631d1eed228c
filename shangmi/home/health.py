"""/health/: what a load balancer or a monitor asks, with no sign-in and nothing private.

200 when the database answers and at least one job worker has been seen within the stale
limit; 503 otherwise, so the proxy or the monitor can tell "up" from "up but jobs stall".
The answer holds only states and a count: no host names, no versions, no data.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from shangmi.jobs.workers import live_worker_count


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    checks: dict[str, object] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
        workers = live_worker_count()
        checks["workers"] = workers
    except DatabaseError:
        checks["database"] = "unavailable"
        workers = 0
    healthy = checks["database"] == "ok" and workers > 0
    checks["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(checks, status=200 if healthy else 503)

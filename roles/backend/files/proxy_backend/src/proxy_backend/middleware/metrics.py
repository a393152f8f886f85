# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Request metrics and the one `request_completed` log line per request, as a pure ASGI middleware.

Corrects the seed's MetricsMiddleware (monitoring-observability-guide.md, "Backend Metrics Instrumentation"):
- `endpoint` is the matched route's template (`/tasks/{task_id}`), never the raw path, whose IDs would make a new
  series per value; every unmatched path shares the one value `<unmatched>`;
- the active-requests gauge is decremented in `finally`, so it comes back down when the handler raises;
- a request whose handler raised counts (and is logged) with status 500, the status the client gets;
- requests for the metrics endpoint itself are not counted, nor seen by the active gauge (Prometheus' scrapes
  would dilute the error ratio and the latency quantiles of the alert rules), but they are logged like every
  other request.
"""
from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from proxy_backend.metrics import Metrics

logger = structlog.get_logger("proxy_backend.access")

UNMATCHED_ENDPOINT = "<unmatched>"


def route_template(scope: Scope) -> str:
    """The path template of the route the router matched for this request (Starlette and FastAPI store the route
    in scope["route"] when they match it, fully or only by path as for a 405), else UNMATCHED_ENDPOINT."""
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED_ENDPOINT


class MetricsMiddleware:
    """Counts, times and logs each HTTP request; other scope types pass through.

    Place it inside RequestIDMiddleware (so its log line carries request_id); with tracing, FastAPIInstrumentor
    wraps all user middleware in the server span, so the line also carries trace_id and span_id.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, excluded_paths: Collection[str] = ("/metrics",)) -> None:
        self.app = app
        self.metrics = metrics
        # Exact request paths left out of the metrics (not of the log): known before routing, so the active
        # gauge leaves them out too (a scrape does not see itself as an active request).
        self.excluded_paths = frozenset(excluded_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: int | None = None
        error: BaseException | None = None

        async def send_capturing_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        counted = scope["path"] not in self.excluded_paths
        if counted:
            self.metrics.requests_active.inc()
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_capturing_status)
        except BaseException as exc:
            error = exc
            raise
        finally:
            duration = time.perf_counter() - start
            if counted:
                self.metrics.requests_active.dec()
            self._record(scope, 500 if error is not None or status is None else status, duration, error, counted)

    def _record(self, scope: Scope, status: int, duration: float, error: BaseException | None, counted: bool) -> None:
        method = scope["method"]
        endpoint = route_template(scope)
        if counted:
            self.metrics.requests_total.labels(method=method, endpoint=endpoint, status=str(status)).inc()
            self.metrics.request_duration.labels(method=method, endpoint=endpoint).observe(duration)
        log = logger.error if status >= 500 else logger.info
        fields: dict[str, Any] = {
            "method": method,
            "path": scope["path"],
            "endpoint": endpoint,
            "status": status,
            "duration_ms": round(duration * 1000, 3),
        }
        if isinstance(error, Exception):
            fields["exc_info"] = error
        log("request_completed", **fields)

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from proxy_backend.metrics import DURATION_BUCKETS, Metrics
from proxy_backend.middleware.metrics import UNMATCHED_ENDPOINT, MetricsMiddleware


def requests_total(registry: CollectorRegistry, method: str, endpoint: str, status: str) -> float | None:
    return registry.get_sample_value("http_requests_total", {"method": method, "endpoint": endpoint, "status": status})


def endpoints_seen(registry: CollectorRegistry) -> set[str]:
    return {
        sample.labels["endpoint"]
        for family in registry.collect() if family.name == "http_requests"
        for sample in family.samples if sample.name == "http_requests_total"
    }


def test_endpoint_label_is_the_route_template(client, registry):
    task_id = client.post("/tasks", json={"task_type": "email"}).json()["task_id"]
    assert client.get(f"/tasks/{task_id}").status_code == 200
    assert client.get("/tasks/999999").status_code == 404
    assert client.post(f"/tasks/{task_id}/complete").status_code == 200
    assert requests_total(registry, "GET", "/tasks/{task_id}", "200") == 1
    assert requests_total(registry, "GET", "/tasks/{task_id}", "404") == 1
    assert requests_total(registry, "POST", "/tasks/{task_id}/complete", "200") == 1
    assert requests_total(registry, "POST", "/tasks", "201") == 1
    assert endpoints_seen(registry) == {"/tasks", "/tasks/{task_id}", "/tasks/{task_id}/complete"}
    count = registry.get_sample_value("http_request_duration_seconds_count", {"method": "GET", "endpoint": "/tasks/{task_id}"})
    assert count == 2


def test_unmatched_paths_share_one_endpoint_value(client, registry, logs):
    for path in ("/nope", "/nope/1", "/tasks/1/unknown", "/queue"):
        assert client.get(path).status_code == 404
    assert requests_total(registry, "GET", UNMATCHED_ENDPOINT, "404") == 4
    assert endpoints_seen(registry) == {UNMATCHED_ENDPOINT}
    assert {line["endpoint"] for line in logs.events("request_completed")} == {UNMATCHED_ENDPOINT}
    assert [line["path"] for line in logs.events("request_completed")] == ["/nope", "/nope/1", "/tasks/1/unknown", "/queue"]


def test_method_not_allowed_keeps_the_template(client, registry):
    assert client.put("/health").status_code == 405
    assert requests_total(registry, "PUT", "/health", "405") == 1


def test_exception_counts_as_500_and_active_gauge_returns_to_zero(client, registry):
    assert client.get("/fail", params={"raise": "true"}).status_code == 500
    assert client.get("/fail", params={"raise": "true"}).status_code == 500
    assert requests_total(registry, "GET", "/fail", "500") == 2
    assert registry.get_sample_value("http_requests_active") == 0


def test_requested_5xx_status_is_counted_with_its_code(client, registry):
    assert client.get("/fail", params={"status": 503}).status_code == 503
    assert requests_total(registry, "GET", "/fail", "503") == 1


def test_metrics_endpoint_is_not_counted_but_logged(client, registry, logs):
    body = client.get("/metrics").text
    client.get("/metrics")
    families = {family.name: family for family in text_string_to_metric_families(body)}
    assert "http_requests" in families and not families["http_requests"].samples
    assert families["http_requests_active"].samples[0].value == 0  # the scrape does not count itself
    assert endpoints_seen(registry) == set()
    assert [line["endpoint"] for line in logs.events("request_completed")] == ["/metrics", "/metrics"]


def test_exposition_has_the_alert_rules_series(client):
    client.get("/health")
    body = client.get("/metrics").text
    families = {family.name: family for family in text_string_to_metric_families(body)}
    assert {"http_requests", "http_request_duration_seconds", "http_requests_active", "tasks_completed"} <= set(families)
    buckets = [float(sample.labels["le"]) for sample in families["http_request_duration_seconds"].samples
               if sample.name == "http_request_duration_seconds_bucket"]
    assert buckets[:-1] == list(DURATION_BUCKETS)
    assert {0.005, 0.5, 1.0, 2.5, 5.0, 10.0} <= set(buckets) and buckets[-1] == float("inf")


def test_request_completed_line_has_the_fields(client, logs):
    client.get("/slow", params={"seconds": 0})
    (line,) = logs.events("request_completed")
    assert line["method"] == "GET" and line["path"] == "/slow" and line["endpoint"] == "/slow"
    assert line["status"] == 200 and line["level"] == "info" and line["logger"] == "proxy_backend.access"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def _scope(path: str = "/x") -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}


def test_gauge_is_up_during_the_request_and_down_after_it_raised():
    metrics = Metrics()
    during: list[float] = []

    async def failing_app(scope, receive, send):
        during.append(metrics.registry.get_sample_value("http_requests_active"))
        raise ValueError("boom")

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        raise AssertionError("nothing is sent")

    with pytest.raises(ValueError):
        asyncio.run(MetricsMiddleware(failing_app, metrics)(_scope(), receive, send))
    assert during == [1.0]
    assert metrics.registry.get_sample_value("http_requests_active") == 0
    assert requests_total(metrics.registry, "GET", UNMATCHED_ENDPOINT, "500") == 1


def test_a_response_never_started_counts_as_500():
    metrics = Metrics()

    async def silent_app(scope, receive, send):
        return None

    asyncio.run(MetricsMiddleware(silent_app, metrics)(_scope(), None, None))
    assert requests_total(metrics.registry, "GET", UNMATCHED_ENDPOINT, "500") == 1


def test_lifespan_passes_through():
    metrics = Metrics()
    seen: list[str] = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(MetricsMiddleware(app, metrics)({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]
    assert metrics.registry.get_sample_value("http_requests_active") == 0
    assert endpoints_seen(metrics.registry) == set()

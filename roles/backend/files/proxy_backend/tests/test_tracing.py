# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import CollectorRegistry

from conftest import make_settings, sqlite_engine
from proxy_backend.app import create_app
from proxy_backend.tracing import configure_tracing

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"


def server_spans(exporter):
    return [span for span in exporter.get_finished_spans() if span.kind == SpanKind.SERVER]


def test_spans_are_exported_with_the_service_name_and_the_log_line_carries_their_ids(make_client, span_exporter, logs):
    client = make_client(span_exporter=span_exporter, service_name="backend-under-test")
    task_id = client.post("/tasks", json={"task_type": "report"}).json()["task_id"]
    span_exporter.clear()
    logs.read()
    logs.lines.clear()

    response = client.get(f"/tasks/{task_id}")
    assert response.status_code == 200
    (server,) = server_spans(span_exporter)
    assert server.resource.attributes["service.name"] == "backend-under-test"
    assert server.name == "GET /tasks/{task_id}"
    assert server.attributes["http.route"] == "/tasks/{task_id}"
    trace_id = trace.format_trace_id(server.context.trace_id)
    # The SQLAlchemy instrumentation traced the SELECT inside the request's trace.
    db_spans = [span for span in span_exporter.get_finished_spans() if span.kind == SpanKind.CLIENT]
    assert db_spans and all(span.context.trace_id == server.context.trace_id for span in db_spans)
    assert any("SELECT" in span.name or "SELECT" in str(span.attributes.get("db.statement", "")) for span in db_spans)

    (line,) = logs.events("request_completed")
    assert line["trace_id"] == trace_id
    assert line["span_id"] == trace.format_span_id(server.context.span_id)
    assert len(line["trace_id"]) == 32 and len(line["span_id"]) == 16
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_the_callers_trace_is_continued(make_client, span_exporter, logs):
    client = make_client(span_exporter=span_exporter, trace_sample_ratio=0.0)
    response = client.post("/tasks", json={"task_type": "email", "priority": 3},
                           headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"})
    assert response.status_code == 201
    (server,) = server_spans(span_exporter)  # sampled although the ratio is 0: the parent was sampled
    assert trace.format_trace_id(server.context.trace_id) == TRACE_ID
    assert trace.format_span_id(server.parent.span_id) == PARENT_SPAN_ID
    (created,) = logs.events("task_created")
    (completed,) = logs.events("request_completed")
    assert created["trace_id"] == completed["trace_id"] == TRACE_ID
    assert created["task_type"] == "email" and created["priority"] == 3


def test_ratio_zero_samples_nothing_but_logs_keep_a_trace_id(make_client, span_exporter, logs):
    client = make_client(span_exporter=span_exporter, trace_sample_ratio=0.0)
    client.get("/health")
    assert span_exporter.get_finished_spans() == ()
    (line,) = logs.events("request_completed")
    assert len(line["trace_id"]) == 32 and int(line["trace_id"], 16) != 0


def test_redis_commands_are_traced(make_client, span_exporter):
    client = make_client(span_exporter=span_exporter)
    client.post("/queue/celery/push", params={"count": 2})
    (server,) = server_spans(span_exporter)
    redis_spans = [span for span in span_exporter.get_finished_spans()
                   if span.attributes.get("db.system") == "redis" or span.attributes.get("db.system.name") == "redis"]
    assert {span.name for span in redis_spans} >= {"LPUSH"}
    assert all(span.context.trace_id == server.context.trace_id for span in redis_spans)


def test_unhandled_exception_is_recorded_on_the_server_span(make_client, span_exporter):
    client = make_client(span_exporter=span_exporter)
    assert client.get("/fail", params={"raise": "true"}).status_code == 500
    (server,) = server_spans(span_exporter)
    assert server.status.status_code == trace.StatusCode.ERROR
    assert any(event.name == "exception" for event in server.events)


def test_tracing_is_off_with_an_empty_endpoint(make_client, logs):
    client = make_client()
    assert client.app.state.tracing is None
    client.get("/health")
    (line,) = logs.events("request_completed")
    assert "trace_id" not in line and "span_id" not in line


def test_shutdown_undoes_the_instrumentation_so_a_second_app_is_traced_again(make_client, span_exporter, redis_client):
    first = make_client(span_exporter=span_exporter)
    first.post("/tasks", json={"task_type": "a"})
    first.__exit__(None, None, None)
    assert not hasattr(redis_client.execute_command, "__wrapped__")
    assert span_exporter.export([]) == SpanExportResult.FAILURE  # shut down along with the provider

    exporter = InMemorySpanExporter()
    second = make_client(span_exporter=exporter, own_registry=CollectorRegistry())
    second.post("/tasks", json={"task_type": "b"})
    second.post("/queue/celery/push")
    names = [span.name for span in exporter.get_finished_spans()]
    assert "POST /tasks" in names and "LPUSH" in names
    assert any(name.startswith("INSERT") for name in names), names


def test_otlp_exporter_with_batch_processor_from_the_settings():
    settings = make_settings(otlp_traces_endpoint="http://127.0.0.1:4318/v1/traces", service_name="svc")
    app = create_app(settings, engine=sqlite_engine())
    tracing = app.state.tracing
    try:
        processors = tracing.provider._active_span_processor._span_processors  # pylint: disable=protected-access
        assert [type(processor) for processor in processors] == [BatchSpanProcessor]
        assert tracing.provider.resource.attributes["service.name"] == "svc"
        assert tracing.provider.sampler.get_description().startswith("ParentBased")
    finally:
        tracing.shutdown()  # nothing buffered: returns without contacting the endpoint


def test_configure_tracing_returns_none_when_disabled():
    app = create_app(make_settings(), engine=sqlite_engine())
    assert configure_tracing(app, make_settings(otlp_traces_endpoint="")) is None

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sample backend drives every pipeline end to end on the converged test host.

The backend (roles/backend, built on the host from the local Python image and a wheelhouse) runs on the fixture
PostgreSQL (max_connections 20) and Redis. Real behaviour fires each of the seed's six alerts, which reach the webhook
sink through the route their severity selects (the scenario shortens every `for:` to 10s):
  HighErrorRate (a burst of 5xx, critical), HighResponseTime (slow requests, warning), DatabaseConnectionPoolExhausted
  (connections held open, warning), CeleryQueueBacklog (messages on the broker's queue, warning), HighMemoryUsage
  (the backend's container driven near its memory limit, read by cAdvisor from the real cgroup, warning), and
  ServiceDown (the backend stopped, critical).
Traces go to Jaeger (a stand-in here that records OTLP posts and answers Jaeger's query API), logs through Promtail to
Loki (stand-ins here). The checks that need the real Loki, Jaeger or Grafana are marked `real_images`.
"""
from __future__ import annotations

import json
import math
import os
import re
import time
import urllib.parse
import uuid

import pytest

from conftest import require_real, wait_for

SINK_LOG = "/var/log/webhook-sink.jsonl"
BACKEND = "http://127.0.0.1:8000"
PROMETHEUS = "http://127.0.0.1:9090"
ALERTMANAGER = "http://127.0.0.1:9093"
JAEGER = "http://127.0.0.1:16686"
LOKI = "http://127.0.0.1:3100"
GRAFANA = "http://127.0.0.1:3001"
SERVICE = "proxy-agent-backend"
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir, "README.md")

_HTTP = """
import json, sys, urllib.error, urllib.request
method, url, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
request = urllib.request.Request(url, method=method, headers=headers)
try:
    response = urllib.request.urlopen(request, timeout=60)
except urllib.error.HTTPError as error:
    response = error
print(json.dumps({"status": response.status, "headers": dict(response.headers), "body": response.read().decode()}))
"""

# Many requests at once from the test host: METHOD URL COUNT CONCURRENCY; prints the status codes seen.
_LOAD = """
import collections, concurrent.futures, sys, urllib.error, urllib.request
method, url, count, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def one(_index):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code
with concurrent.futures.ThreadPoolExecutor(workers) as pool:
    print(dict(collections.Counter(pool.map(one, range(count)))))
"""


def _call(host, method, url, headers=None):
    out = host.check_output("python3 -c %s %s %s %s", _HTTP, method, url, json.dumps(headers or {}))
    return json.loads(out)


def _json(host, url, method="GET"):
    result = _call(host, method, url)
    assert result["status"] < 400, result
    return json.loads(result["body"])


def _load(host, method, url, count, workers):
    return host.check_output("python3 -c %s %s %s %s %s", _LOAD, method, url, str(count), str(workers))


def _query(host, expr):
    return _json(host, "%s/api/v1/query?query=%s" % (PROMETHEUS, urllib.parse.quote(expr)))["data"]["result"]


def _value(host, expr):
    result = _query(host, expr)
    assert result, "no sample for %s" % expr
    return float(result[0]["value"][1])


def _notifications(host):
    if not host.file(SINK_LOG).exists:
        return []
    return [json.loads(line) for line in host.file(SINK_LOG).content_string.splitlines() if line.strip()]


def _firing(host, path, alertname, since):
    return [a for n in _notifications(host) if n["path"] == path for a in n["body"].get("alerts", [])
            if a["status"] == "firing" and a["labels"].get("alertname") == alertname
            and a["startsAt"] >= since]


def _now(host):
    return host.check_output("date -u +%Y-%m-%dT%H:%M:%S")


def _backend_logs(host, since="10m"):
    lines = []
    for line in host.check_output("docker logs --since %s proxy-backend 2>&1", since).splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


# --- The backend runs, built on the host, hardened, and is scraped ---------------------------------------------


def test_the_backend_image_was_built_on_the_host_from_the_base_image(host):
    inspect = json.loads(host.check_output("docker inspect proxy-backend"))[0]
    image = inspect["Config"]["Image"]
    assert image.startswith("proxy-agent/sample-backend:1."), image
    assert inspect["Config"]["User"] == "10000:10000"
    assert inspect["HostConfig"]["ReadonlyRootfs"] is True
    assert inspect["HostConfig"]["CapDrop"] == ["ALL"]
    assert inspect["HostConfig"]["Memory"] == 384 * 1024 * 1024
    healthy = wait_for(lambda: json.loads(host.check_output("docker inspect proxy-backend"))[0]["State"]
                       ["Health"]["Status"] == "healthy", 90, 3)
    assert healthy, "the backend's healthcheck does not pass"
    assert host.file("/etc/proxy-observability/backend-build/wheels.tar").exists
    env = dict(item.split("=", 1) for item in inspect["Config"]["Env"])
    # Traces go to the stack's Jaeger over the stack network.
    assert env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] == "http://proxy-jaeger:4318/v1/traces"
    assert env["OTEL_SERVICE_NAME"] == SERVICE


def test_the_backend_answers_health_with_its_database_and_broker(host):
    health = _json(host, BACKEND + "/health")
    assert health["status"] == "ok", health


def test_prometheus_scrapes_the_backend_in_the_job_backend(host):
    def up():
        return _query(host, 'up{job="backend"}')
    result = wait_for(up, 60)
    assert result and result[0]["value"][1] == "1", result
    assert result[0]["metric"]["instance"].endswith(":8000")


def test_the_endpoint_label_is_the_route_template(host):
    created = _call_json(host, BACKEND + "/tasks", {"task_type": "probe"})
    assert created["status"] == 201, created
    task = json.loads(created["body"])
    assert _call(host, "GET", "%s/tasks/%s" % (BACKEND, task["task_id"]))["status"] == 200
    assert _call(host, "GET", BACKEND + "/no/such/path")["status"] == 404

    def series():
        return _query(host, 'http_requests_total{job="backend",method="GET",status="200",endpoint="/tasks/{task_id}"}')
    assert wait_for(series, 30), "no series with the route template as endpoint"
    raw = _query(host, 'http_requests_total{job="backend",endpoint=~"/tasks/[0-9]+"}')
    assert raw == [], "the raw path leaked into the endpoint label: %s" % raw


def _call_json(host, url, body):
    script = ("import json, sys, urllib.error, urllib.request\n"
              "r = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST', "
              "headers={'Content-Type': 'application/json'})\n"
              "try:\n    x = urllib.request.urlopen(r, timeout=30)\n"
              "except urllib.error.HTTPError as e:\n    x = e\n"
              "print(json.dumps({'status': x.status, 'body': x.read().decode()}))\n")
    return json.loads(host.check_output("python3 -c %s %s %s", script, url, json.dumps(body)))


# --- Logs and traces ---------------------------------------------------------------------------------------------


def test_a_request_id_is_returned_and_logged_with_the_trace_id_of_a_span_jaeger_received(host):
    request_id = "e2e-%s" % uuid.uuid4().hex
    response = _call(host, "GET", BACKEND + "/health", {"X-Request-ID": request_id})
    assert response["status"] == 200
    assert {k.lower(): v for k, v in response["headers"].items()}["x-request-id"] == request_id

    def logged():
        return [line for line in _backend_logs(host) if line.get("request_id") == request_id
                and line.get("event") == "request_completed"]
    lines = wait_for(logged, 30, 2)
    assert lines, "no request_completed line with request_id %s" % request_id
    line = lines[0]
    assert line["level"] == "info", line
    assert line["timestamp"].startswith(_now(host)[:10]), line  # ISO 8601, UTC
    trace_id = line.get("trace_id")
    assert trace_id and len(trace_id) == 32, line

    # The spans arrive (batched) with the backend's service name, and one of them carries the logged trace ID.
    def trace():
        result = _call(host, "GET", "%s/api/traces/%s" % (JAEGER, trace_id))
        return json.loads(result["body"]) if result["status"] == 200 else None
    found = wait_for(trace, 60, 3)
    assert found and found.get("data"), "Jaeger has no trace %s" % trace_id
    spans = found["data"][0]["spans"]
    assert all(span["traceID"] == trace_id for span in spans)
    processes = found["data"][0]["processes"]
    assert {p["serviceName"] for p in processes.values()} == {SERVICE}
    services = _json(host, JAEGER + "/api/services")["data"]
    assert SERVICE in services


def test_promtail_ships_the_backend_lines_with_container_name_and_level_and_no_request_id_label(host):
    request_id = "ship-%s" % uuid.uuid4().hex
    assert _call(host, "GET", BACKEND + "/health", {"X-Request-ID": request_id})["status"] == 200
    start = int((time.time() - 300) * 1e9)
    selector = '{container_name="proxy-backend"} |= "%s"' % request_id

    def shipped():
        result = _json(host, "%s/loki/api/v1/query_range?%s" % (LOKI, urllib.parse.urlencode(
            {"query": selector, "start": str(start), "limit": "100"})))
        return result["data"]["result"]
    streams = wait_for(shipped, 60, 3)
    assert streams, "the backend's line with %s never reached Loki" % request_id
    labels = streams[0]["stream"]
    assert labels["container_name"] == "proxy-backend"
    assert labels["level"] == "info"
    assert "request_id" not in labels and "trace_id" not in labels
    names = _json(host, "%s/loki/api/v1/labels?start=%d" % (LOKI, start))["data"]
    assert "container_name" in names and "level" in names
    assert "request_id" not in names


@pytest.mark.real_images
def test_logql_by_request_id_finds_the_requests_lines(host):
    require_real(host, "proxy-loki")
    request_id = "logql-%s" % uuid.uuid4().hex
    assert _call(host, "GET", BACKEND + "/fail?status=503", {"X-Request-ID": request_id})["status"] == 503
    start = int((time.time() - 300) * 1e9)
    query = '{container_name="proxy-backend"} | json | request_id="%s"' % request_id

    def found():
        result = _json(host, "%s/loki/api/v1/query_range?%s" % (LOKI, urllib.parse.urlencode(
            {"query": query, "start": str(start), "limit": "100"})))
        return [value for stream in result["data"]["result"] for value in stream["values"]]
    lines = wait_for(found, 60, 3)
    events = {json.loads(line)["event"] for dummy, line in lines}
    assert {"failure_requested", "request_completed"} <= events, events


@pytest.mark.real_images
def test_jaeger_finds_the_backends_traces_by_service_name(host):
    require_real(host, "proxy-jaeger")
    assert _call(host, "GET", BACKEND + "/tasks/1")["status"] in (200, 404)

    def traces():
        result = _json(host, "%s/api/traces?%s" % (JAEGER, urllib.parse.urlencode(
            {"service": SERVICE, "limit": "20", "lookback": "1h"})))
        return result["data"]
    found = wait_for(traces, 60, 3)
    assert found, "Jaeger's query API has no trace of %s" % SERVICE
    operations = {span["operationName"] for trace in found for span in trace["spans"]}
    assert any(name.startswith("GET /tasks/{task_id}") for name in operations), operations


@pytest.mark.real_images
def test_grafanas_log_to_trace_link_resolves(host):
    require_real(host, "proxy-grafana")
    require_real(host, "proxy-jaeger")
    password = host.file("/etc/proxy-observability/grafana/admin_password").content_string.strip()
    request_id = "link-%s" % uuid.uuid4().hex
    assert _call(host, "GET", BACKEND + "/health", {"X-Request-ID": request_id})["status"] == 200
    line = wait_for(lambda: [entry for entry in _backend_logs(host) if entry.get("request_id") == request_id
                             and entry.get("trace_id")], 30, 2)[0]
    auth = {"Authorization": "Basic " + __import__("base64").b64encode(("admin:" + password).encode()).decode()}
    loki = json.loads(_call(host, "GET", GRAFANA + "/api/datasources/uid/loki", auth)["body"])
    field = loki["jsonData"]["derivedFields"][0]
    assert field["datasourceUid"] == "jaeger"
    import re  # pylint: disable=import-outside-toplevel
    assert re.search(field["matcherRegex"], json.dumps(line)).group(1) == line["trace_id"]

    def resolved():
        result = _call(host, "GET", "%s/api/datasources/proxy/uid/jaeger/api/traces/%s" % (GRAFANA, line["trace_id"]),
                       auth)
        return json.loads(result["body"]) if result["status"] == 200 else None
    trace = wait_for(resolved, 60, 3)
    assert trace and trace["data"][0]["traceID"] == line["trace_id"]


# --- The six alerts, driven by real behaviour --------------------------------------------------------------------


@pytest.fixture(scope="module")
def driven(host):
    """Drive five alert conditions (one wait for all): 5xx, slow requests, held connections, a queue backlog and
    memory near the limit. ServiceDown (the backend stopped) runs on its own, after them."""
    host.run("truncate -s 0 %s", SINK_LOG)
    since = _now(host)
    # Slow requests and a burst of 5xx first: p95 above 1s and more than 5% of the requests failing. rate() counts
    # what a counter gained between samples, so the series are made to exist first (one request each, then two
    # scrapes). The rates stay up for the 5 minutes of the rules' window.
    _load(host, "GET", BACKEND + "/slow?seconds=1.5", 1, 1)
    _load(host, "GET", BACKEND + "/fail?status=500", 1, 1)
    time.sleep(12)
    slow = _load(host, "GET", BACKEND + "/slow?seconds=1.5", 40, 20)
    failed = _load(host, "GET", BACKEND + "/fail?status=500", 60, 10)
    # Both rate rules are pending or firing before the memory pressure below can slow the backend's scrapes.
    pending = wait_for(lambda: {a["metric"]["alertname"] for a in _query(
        host, 'ALERTS{alertname=~"HighErrorRate|HighResponseTime"}')} == {"HighErrorRate", "HighResponseTime"}, 120, 5)
    assert pending, "Prometheus does not see the 5xx or the slow requests: %s" % _query(host, "ALERTS")
    # The broker: 1500 messages on the default Celery queue (threshold 1000).
    assert _call(host, "POST", BACKEND + "/queue/celery/push?count=1500")["status"] == 200
    # Connections: beyond 80% of max_connections, counting the backends already there.
    max_connections = _value(host, "pg_settings_max_connections")
    present = _value(host, "sum(pg_stat_database_numbackends)")
    hold = int(math.ceil(0.9 * max_connections - present))
    assert hold > 0, (max_connections, present)
    assert _call(host, "POST", "%s/db/hold?connections=%d&seconds=480" % (BACKEND, hold))["status"] == 202
    # Memory: the working set to about 94% of the container's limit (threshold 90%), from cAdvisor's real figures.
    limit = wait_for(lambda: _query(host, 'container_spec_memory_limit_bytes{name="proxy-backend"}'), 60)
    assert limit, "cAdvisor reports no memory limit of proxy-backend"
    limit = float(limit[0]["value"][1])
    used = _value(host, 'container_memory_working_set_bytes{name="proxy-backend"}')
    hold_mb = int((0.94 * limit - used) / 2 ** 20)
    assert hold_mb > 16, (limit, used)
    assert _call(host, "POST", "%s/memory/hold?mb=%d&seconds=480" % (BACKEND, hold_mb))["status"] == 202
    yield {"since": since, "slow": slow, "failed": failed}
    host.run("python3 -c %s DELETE %s {}", _HTTP, BACKEND + "/memory")
    host.run("python3 -c %s DELETE %s {}", _HTTP, BACKEND + "/db/hold")
    host.run("python3 -c %s DELETE %s {}", _HTTP, BACKEND + "/queue/celery")


@pytest.mark.parametrize("alertname, route", [
    ("HighErrorRate", "/critical"),
    ("HighResponseTime", "/warning"),
    ("DatabaseConnectionPoolExhausted", "/warning"),
    ("CeleryQueueBacklog", "/warning"),
    ("HighMemoryUsage", "/warning"),
])
def test_real_behaviour_fires_the_alert_through_its_severity_route(host, driven, alertname, route):
    alerts = wait_for(lambda: _firing(host, route, alertname, driven["since"]), 300, 5)
    assert alerts, "%s never reached %s (driven: %s); the sink got: %s" % (
        alertname, route, driven, [(n["path"], [a["labels"].get("alertname") for a in n["body"].get("alerts", [])])
                                   for n in _notifications(host)])
    other = "/warning" if route == "/critical" else "/critical"
    assert not _firing(host, other, alertname, driven["since"]), "%s also went to %s" % (alertname, other)
    labels = alerts[0]["labels"]
    if alertname == "HighMemoryUsage":
        assert labels["name"] == "proxy-backend", labels
    elif alertname == "CeleryQueueBacklog":
        assert labels["queue"] == "celery", labels
    elif alertname == "DatabaseConnectionPoolExhausted":
        assert labels["job"] == "postgres", labels
    else:
        assert labels["job"] == "backend", labels


def _readme_examples(marker):
    """The queries of the README's code block after the comment `<!-- MARKER: ... -->` (comments left out)."""
    with open(README, encoding="utf-8") as handle:
        text = handle.read()
    match = re.search(r"<!-- %s:[^>]*-->\s*```\w*\n(.*?)```" % re.escape(marker), text, re.S)
    assert match, "the README has no %s block" % marker
    return [line.strip() for line in match.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_readmes_promql_examples_answer_with_the_backends_data(host, driven):
    examples = _readme_examples("promql-examples")
    assert len(examples) == 8
    empty = [expr for expr in examples if not wait_for(lambda expr=expr: _query(host, expr), 60, 5)]
    assert not empty, "these README examples return nothing: %s" % empty


def _logql(host, query, start):
    kind = "query" if query.startswith(("sum(", "rate(", "count_over_time(")) else "query_range"
    params = {"query": query, "limit": "100"}
    if kind == "query_range":
        params["start"] = str(start)
    return _json(host, "%s/loki/api/v1/%s?%s" % (LOKI, kind, urllib.parse.urlencode(params)))["data"]["result"]


def _logql_examples(host, driven, real):
    request_id = "readme-%s" % uuid.uuid4().hex
    assert _call(host, "GET", BACKEND + "/fail?status=500", {"X-Request-ID": request_id})["status"] == 500
    start = int((time.time() - 600) * 1e9)
    examples = [query.replace("REQUEST_ID", request_id) for query in _readme_examples("logql-examples")]
    assert len(examples) == 5
    # Without a LogQL parser (the Loki stand-in): the selectors and line filters only.
    runnable = examples if real else [query for query in examples if "| json" not in query and "(" not in query]
    assert runnable
    empty = [query for query in runnable if not wait_for(lambda query=query: _logql(host, query, start), 60, 3)]
    assert not empty, "these README examples return nothing: %s" % empty


def test_the_readmes_logql_selectors_find_the_backends_lines(host, driven):
    _logql_examples(host, driven, real=False)


@pytest.mark.real_images
def test_the_readmes_logql_examples_all_find_the_backends_lines(host, driven):
    require_real(host, "proxy-loki")
    _logql_examples(host, driven, real=True)


def test_the_stopped_backend_fires_service_down_to_the_critical_route(host, driven):
    since = _now(host)
    assert host.run("docker stop proxy-backend").rc == 0
    try:
        alerts = wait_for(lambda: [a for a in _firing(host, "/critical", "ServiceDown", since)
                                   if a["labels"].get("job") == "backend"], 180)
        assert alerts, "ServiceDown of the backend never reached the critical route"
        assert alerts[0]["labels"]["severity"] == "critical"
    finally:
        assert host.run("docker start proxy-backend").rc == 0
    healthy = wait_for(lambda: json.loads(host.check_output("docker inspect proxy-backend"))[0]["State"]
                       .get("Health", {}).get("Status") == "healthy", 120, 3)
    assert healthy, "the backend did not come back healthy"

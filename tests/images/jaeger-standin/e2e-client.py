# Client side of e2e-selftest.sh and ../jaeger-v1-standin/e2e-selftest.sh (tests only): talks to a running Jaeger
# (the stand-ins, or the real jaegertracing/jaeger:2.20.0 / jaegertracing/all-in-one:1.76.0 images) over HTTP.
# Standard library only, so that it runs with the stand-in image's own python3 on the test's network.  The OTLP
# protobuf request is encoded here by hand (opentelemetry-proto field numbers), the JSON one follows the OTLP/JSON
# encoding (hex ids, lowerCamelCase).
#
#   python3 e2e-client.py send  HOST TAG   wait for /status, post a protobuf trace (gzip) and a JSON trace,
#                                          check the answers, query them back; prints the trace ids
#   python3 e2e-client.py send-v1 HOST TAG the same against Jaeger 1.x: waits for the admin server's / on 14269,
#                                          checks jaeger_collector_spans_received_total on :14269/metrics
#   python3 e2e-client.py check HOST TAG PROTO_TRACE_ID JSON_TRACE_ID   query only (after a restart)
#   python3 e2e-client.py ports HOST PORT|!PORT ...   PORT must accept a TCP connection, !PORT must refuse it
# HOST: the Jaeger container's name; ports as in selftest.yaml / the collection's 1.x environment (4318 OTLP/HTTP,
# 16686 query, 13133 health (v2 only), 14269 metrics (v2) or admin (1.x)).  TAG makes the service names unique.
import gzip
import json
import os
import socket
import struct
import sys
import time
import urllib.error
import urllib.request


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# ---- protobuf encoding (wire format) of an ExportTraceServiceRequest

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def field_varint(num, n):
    return varint(num << 3) + varint(n)


def field_fixed64(num, n):
    return varint(num << 3 | 1) + struct.pack("<Q", n)


def anyvalue(v):
    if isinstance(v, bool):
        return field_varint(2, int(v))
    if isinstance(v, int):
        return field_varint(3, v & 0xFFFFFFFFFFFFFFFF)
    if isinstance(v, float):
        return varint(4 << 3 | 1) + struct.pack("<d", v)
    return field_bytes(1, str(v).encode())


def keyvalue(k, v):
    return field_bytes(1, k.encode()) + field_bytes(2, anyvalue(v))


def pb_span(trace_id, span_id, parent, name, kind, start, end, attrs, status_code=0):
    out = field_bytes(1, bytes.fromhex(trace_id)) + field_bytes(2, bytes.fromhex(span_id))
    if parent:
        out += field_bytes(4, bytes.fromhex(parent))
    out += field_bytes(5, name.encode()) + field_varint(6, kind)
    out += field_fixed64(7, start) + field_fixed64(8, end)
    for k, v in attrs.items():
        out += field_bytes(9, keyvalue(k, v))
    out += field_bytes(11, field_fixed64(1, start + 1000) + field_bytes(2, b"cache miss"))
    if status_code:
        out += field_bytes(15, field_bytes(2, b"boom") + field_varint(3, status_code))
    return out


def pb_request(service, spans):
    resource = field_bytes(1, keyvalue("service.name", service)) + field_bytes(1, keyvalue("host.name", "e2e"))
    scope = field_bytes(1, b"e2e-client") + field_bytes(2, b"1.0")
    scope_spans = field_bytes(1, scope) + b"".join(field_bytes(2, s) for s in spans)
    resource_spans = field_bytes(1, resource) + field_bytes(2, scope_spans)
    return field_bytes(1, resource_spans)


# ---- the checks

def api(host, path):
    status, dummy, body = http("GET", "http://%s:16686%s" % (host, path))
    return status, json.loads(body) if body[:1] in (b"{", b"[") else body


def wait_healthy(host):
    last = None
    for dummy in range(60):
        try:
            status, headers, body = http("GET", "http://%s:13133/status" % host)
            last = (status, body)
            if status == 200:
                doc = json.loads(body)
                if not (doc.get("healthy") is True and doc.get("status") == "StatusOK"):
                    fail("/status: %s" % body)
                print("ok: /status 200 %s" % body.decode())
                return
        except OSError as e:
            last = e
        time.sleep(0.5)
    fail("/status never answered 200: %s" % (last,))


def wait_admin(host):
    """Jaeger 1.x: the admin server's health check on / (503 "Server not available" until everything started)."""
    last = None
    for dummy in range(60):
        try:
            status, headers, body = http("GET", "http://%s:14269/" % host)
            last = (status, body)
            if status == 200:
                doc = json.loads(body)
                if doc.get("status") != "Server available" or not doc.get("upSince") or not doc.get("uptime"):
                    fail(":14269/: %s" % body)
                if headers.get("Content-Type") != "application/json":
                    fail(":14269/: Content-Type %s" % headers.get("Content-Type"))
                print("ok: :14269/ 200 %s" % body.decode())
                return
        except OSError as e:
            last = e
        time.sleep(0.5)
    fail(":14269/ never answered 200: %s" % (last,))


def ports(host, specs):
    for spec in specs:
        port = int(spec.lstrip("!"))
        try:
            with socket.create_connection((host, port), timeout=5):
                accepted = True
        except OSError:
            accepted = False
        if accepted == spec.startswith("!"):
            fail("port %d: connection %s" % (port, "accepted" if accepted else "refused"))
    print("ok: TCP %s" % ", ".join("%s %s" % (s.lstrip("!"), "refused" if s.startswith("!") else "accepted")
                                   for s in specs))


def check_trace(host, service, trace_id, nspans, ops):
    status, doc = api(host, "/api/traces?service=%s&limit=20" % service)
    if status != 200:
        fail("/api/traces?service=%s: %s %s" % (service, status, doc))
    traces = [t for t in doc["data"] if t["traceID"] == trace_id]
    if len(traces) != 1:
        fail("/api/traces?service=%s: trace %s not found in %s" % (service, trace_id, doc))
    t = traces[0]
    if len(t["spans"]) != nspans or sorted(s["operationName"] for s in t["spans"]) != sorted(ops):
        fail("trace %s: spans %s" % (trace_id, t["spans"]))
    procs = {p["serviceName"] for p in t["processes"].values()}
    if procs != {service} or any(s["processID"] not in t["processes"] for s in t["spans"]):
        fail("trace %s: processes %s" % (trace_id, t["processes"]))
    status, one = api(host, "/api/traces/%s" % trace_id)
    if status != 200 or one["data"][0]["traceID"] != trace_id or len(one["data"][0]["spans"]) != nspans:
        fail("/api/traces/%s: %s %s" % (trace_id, status, one))
    return t


def send(host, tag, v1=False):
    if v1:
        wait_admin(host)
    else:
        wait_healthy(host)
    now = time.time_ns()
    proto_service, json_service = "e2e-proto-" + tag, "e2e-json-" + tag
    proto_tid, json_tid = os.urandom(16).hex(), os.urandom(16).hex()
    root, child = os.urandom(8).hex(), os.urandom(8).hex()
    body = pb_request(proto_service, [
        pb_span(proto_tid, root, None, "GET /items", 2, now - 5_000_000, now, {"http.method": "GET", "http.status_code": 200}),
        pb_span(proto_tid, child, root, "SELECT items", 3, now - 4_000_000, now - 1_000_000, {"db.system": "postgresql"}, 2),
    ])
    status, headers, answer = http("POST", "http://%s:4318/v1/traces" % host, gzip.compress(body),
                                   {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"})
    if status != 200 or answer != b"" or not headers.get("Content-Type", "").startswith("application/x-protobuf"):
        fail("protobuf POST /v1/traces: %s %s %r" % (status, headers, answer))
    print("ok: OTLP/HTTP protobuf (gzip) POST /v1/traces -> 200, empty ExportTraceServiceResponse")
    doc = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": json_service}}]},
                              "scopeSpans": [{"scope": {"name": "e2e-client"}, "spans": [
                                  {"traceId": json_tid, "spanId": os.urandom(8).hex(), "name": "POST /orders", "kind": 2,
                                   "startTimeUnixNano": str(now - 2_000_000), "endTimeUnixNano": str(now),
                                   "attributes": [{"key": "order.items", "value": {"intValue": "3"}}],
                                   "status": {"code": 1}}]}]}]}
    status, headers, answer = http("POST", "http://%s:4318/v1/traces" % host, json.dumps(doc).encode(),
                                   {"Content-Type": "application/json"})
    if status != 200 or json.loads(answer) != {}:
        fail("JSON POST /v1/traces: %s %r" % (status, answer))
    print("ok: OTLP/HTTP JSON POST /v1/traces -> 200 {}")
    # refused requests
    status, dummy, answer = http("POST", "http://%s:4318/v1/traces" % host, b"x", {"Content-Type": "text/plain"})
    if status != 415:
        fail("text/plain POST: %s %r" % (status, answer))
    status, dummy, answer = http("POST", "http://%s:4318/v1/traces" % host, b"\x0a\x05\x0a",
                                 {"Content-Type": "application/x-protobuf"})
    if status != 400:
        fail("truncated protobuf POST: %s %r" % (status, answer))
    print("ok: text/plain -> 415, truncated protobuf -> 400")
    check(host, tag, proto_tid, json_tid)
    # the telemetry endpoint (v2) or the admin server (1.x) counted them
    status, dummy, metrics = http("GET", "http://%s:14269/metrics" % host)
    if v1:
        lines = [ln for ln in metrics.decode().splitlines() if ln.startswith("jaeger_collector_spans_received_total{")
                 and ('svc="%s"' % proto_service in ln or 'svc="%s"' % json_service in ln)]
        count = sum(float(ln.rsplit(" ", 1)[1]) for ln in lines)
    else:
        lines = [ln for ln in metrics.decode().splitlines()
                 if ln.startswith("otelcol_receiver_accepted_spans_total{")]
        count = float(lines[0].rsplit(" ", 1)[1]) if lines else 0
    if status != 200 or count < 3:
        fail("/metrics on 14269: %s %s" % (status, lines))
    print("ok: :14269/metrics %s" % "; ".join(lines))
    print("TRACES %s %s" % (proto_tid, json_tid))


def check(host, tag, proto_tid, json_tid):
    proto_service, json_service = "e2e-proto-" + tag, "e2e-json-" + tag
    status, doc = api(host, "/api/services")
    if status != 200 or not {proto_service, json_service} <= set(doc["data"]):
        fail("/api/services: %s %s" % (status, doc))
    print("ok: /api/services lists %s and %s" % (proto_service, json_service))
    t = check_trace(host, proto_service, proto_tid, 2, ["GET /items", "SELECT items"])
    child = [s for s in t["spans"] if s["operationName"] == "SELECT items"][0]
    tags = {x["key"]: x["value"] for x in child["tags"]}
    if child["references"][0]["refType"] != "CHILD_OF" or tags.get("error") is not True \
            or tags.get("span.kind") != "client" or tags.get("db.system") != "postgresql":
        fail("child span: %s" % child)
    print("ok: /api/traces?service=%s and /api/traces/%s: 2 spans, CHILD_OF, error/span.kind tags" % (
        proto_service, proto_tid))
    check_trace(host, json_service, json_tid, 1, ["POST /orders"])
    print("ok: /api/traces?service=%s and /api/traces/%s: 1 span" % (json_service, json_tid))
    status, doc = api(host, "/api/services/%s/operations" % proto_service)
    if status != 200 or doc["data"] != ["GET /items", "SELECT items"]:
        fail("operations: %s %s" % (status, doc))
    status, doc = api(host, "/api/traces")
    if status != 400 or doc["errors"][0]["msg"] != "parameter 'service' is required":
        fail("/api/traces without service: %s %s" % (status, doc))
    status, doc = api(host, "/api/traces/" + "0" * 31 + "1")
    if status != 404:
        fail("unknown trace: %s %s" % (status, doc))
    print("ok: operations listed; /api/traces without service -> 400; unknown trace id -> 404")


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "send-v1":
        send(sys.argv[2], sys.argv[3], v1=True)
    elif sys.argv[1] == "ports":
        ports(sys.argv[2], sys.argv[3:])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])

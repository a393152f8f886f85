# Test stand-in for Jaeger 2.20.0 (jaegertracing/jaeger:2.20.0), tests only; see tests/images/README.md,
# "jaeger-standin".  It reads the configuration the way Jaeger v2 (an OpenTelemetry Collector build) resolves
# and checks it, refuses to start when it is missing or does not parse, and then runs the part of Jaeger a
# deployment test needs: the OTLP/HTTP receiver (protobuf and JSON, gzip), the batch processor (pass-through),
# the jaeger_storage_exporter into a badger (spans kept as JSON lines under directories.values) or memory
# backend, the jaeger_query HTTP API (/api/services, /api/traces, ...), the healthcheckv2 extension (/status)
# and the Prometheus telemetry endpoint.  gRPC endpoints are only listened on (TCP accepted, then closed).
# Run under the name all-in-one-linux (the jaeger-v1-standin image's /go/bin/all-in-one-linux) it imitates Jaeger 1.x
# all-in-one (jaegertracing/all-in-one:1.76.0) instead, configured by environment variables, with the same OTLP
# receiver, span store and query API (see "Jaeger 1.x all-in-one" below and README.md, "jaeger-v1-standin").
#
# Sources of the behaviour imitated (jaegertracing/jaeger v2.20.0, open-telemetry/opentelemetry-collector
# v0.155.0, opentelemetry-collector-contrib healthcheckv2extension; an independent Python rewrite, no upstream
# code is copied):
#   jaeger cmd/jaeger/main.go, internal/command.go      cobra command, "validate", "version", log.Fatal
#   jaeger cmd/jaeger/Dockerfile                        /cmd/jaeger/jaeger-linux, UID 10001, ports
#   otelcol command.go, command_validate.go, flags.go   --config (repeatable), --set, DryRun
#   otelcol config.go, collector.go                     Config.Validate texts, "failed to get config: ..."
#   confmap resolver.go, provider.go, fileprovider     "cannot resolve the configuration: ...", ${env:X:-d}
#   service/pipelines/config.go                         pipeline texts
#   receiver/otlpreceiver (config.go, factory.go, otlphttp.go)  endpoints, paths, status codes, bodies
#   jaeger cmd/jaeger/internal/extension/jaegerstorage, jaegerquery, exporters/storageexporter   keys, texts
#   jaeger internal/storage/v1/badger/config.go         badger keys; docs/storage-file-non-root-permission.md
#   jaeger cmd/jaeger/internal/extension/jaegerquery/internal/{http_handler,query_parser}.go   the HTTP API
#   contrib extension/healthcheckv2extension (config.go, factory.go, internal/http)   /status and its JSON
#   opentelemetry-proto trace/v1/trace.proto, common/v1/common.proto, collector/trace/v1/trace_service.proto
# The Go behaviour shared with the other stand-ins (HTTP server, listener, durations, JSON) is in
# lib/standin_go.py, installed beside PyYAML in the image.
import base64
import collections
import datetime
import fcntl
import gzip
import hashlib
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

import yaml

from standin_go import GoHandler, go_duration_ns, go_json, listen, metric, parse_bool

VERSION = "v2.20.0"
OTELCOL_VERSION = "v0.155.0"
PROG = "jaeger"
UID = 10001
NO_SERVICE_NAME = "OTLPResourceNoServiceName"
SPANS_FILE = "standin-spans.jsonl"

# Component types of Jaeger 2.20's build (cmd/jaeger/internal/components.go); the stand-in runs only some.
KNOWN = {
    "extensions": ["basicauth", "expvar", "healthcheckv2", "jaeger_query", "jaeger_storage", "pprof",
                   "remote_sampling", "remote_storage", "sigv4auth", "storage_cleaner", "zpages"],
    "receivers": ["jaeger", "kafka", "nop", "otlp", "zipkin"],
    "processors": ["adaptive_sampling", "attributes", "batch", "filter", "memory_limiter", "tail_sampling"],
    "exporters": ["debug", "jaeger_storage_exporter", "kafka", "nop", "otlp", "otlp_grpc", "otlphttp",
                  "otlp_http", "prometheus"],
    "connectors": ["forward", "spanmetrics"],
}
RUNS = {
    "extensions": {"healthcheckv2", "jaeger_query", "jaeger_storage"},
    "receivers": {"otlp"},
    "processors": {"batch", "memory_limiter"},
    "exporters": {"jaeger_storage_exporter", "nop"},
    "connectors": set(),
}
KIND_SINGULAR = {"extensions": "extension", "receivers": "receiver", "processors": "processor",
                 "exporters": "exporter", "connectors": "connector"}

# confighttp.ServerConfig and configgrpc.ServerConfig keys (collector v0.155.0).
HTTP_SERVER_KEYS = {"endpoint", "transport", "dialer", "tls", "cors", "auth", "max_request_body_size",
                    "include_metadata", "response_headers", "compression_algorithms", "read_timeout",
                    "read_header_timeout", "write_timeout", "idle_timeout", "middlewares", "keep_alives_enabled"}
GRPC_SERVER_KEYS = {"endpoint", "transport", "dialer", "tls", "max_recv_msg_size_mib", "max_concurrent_streams",
                    "read_buffer_size", "write_buffer_size", "keepalive", "auth", "include_metadata", "middlewares"}
BADGER_KEYS = {"directories", "ephemeral", "consistency", "maintenance_interval", "metrics_update_interval",
               "read_only", "ttl"}
BACKEND_TYPES = ["badger", "cassandra", "clickhouse", "elasticsearch", "grpc", "memory", "opensearch"]
QUERY_KEYS = {"storage", "http", "grpc", "ui", "base_path", "bearer_token_propagation", "header_forwarding",
              "multi_tenancy", "max_clock_skew_adjust", "max_trace_size", "enable_tracing", "ai", "otlp_proxy"}
HEALTH_KEYS = HTTP_SERVER_KEYS | {"use_v2", "http", "grpc", "component_health", "path", "response_body",
                                  "check_collector_pipeline"}
ZAP_LEVELS = ["debug", "info", "warn", "error", "dpanic", "panic", "fatal"]
METRICS_LEVELS = ["none", "basic", "normal", "detailed"]
DEFAULT_BADGER_TTL_NS = 72 * 3600 * 10**9


class ConfigError(Exception):
    pass


class StartError(Exception):
    pass


class PBError(Exception):
    pass


# ---------------------------------------------------------------- logging (zap console encoder, Go's log)

LOG_LEVEL = {"v": 1}
# "console": the collector's console lines (v2); "json": zap's production encoder (the 1.x default, LOG_ENCODING).
LOG_ENCODING = {"v": "console"}
RESOURCE = {"service.instance.id": "", "service.name": PROG, "service.version": VERSION}


def go_log(msg):
    """Go's log package: date, time, message (stderr)."""
    sys.stderr.write(time.strftime("%Y/%m/%d %H:%M:%S ") + msg + "\n")
    sys.stderr.flush()


def log(level, caller, msg, **fields):
    """The collector's zap console line: ISO8601 time, level, caller, message, JSON fields (v2, with the resource);
    in 1.x mode zap's production JSON line (level, ts in Unix seconds, caller, msg, fields) or its console line."""
    if ZAP_LEVELS.index(level) < LOG_LEVEL["v"]:
        return
    if LOG_ENCODING["v"] == "json":
        line = {"level": level, "ts": time.time(), "caller": caller, "msg": msg}
        line.update(fields)
        sys.stderr.write(json.dumps(line, separators=(",", ":")) + "\n")
        sys.stderr.flush()
        return
    now = datetime.datetime.now(datetime.timezone.utc)
    ts = now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)
    extra = {"resource": RESOURCE} if RESOURCE else {}
    extra.update(fields)
    sys.stderr.write("%s\t%s\t%s\t%s\t%s\n" % (ts, level, caller, msg, json.dumps(extra)))
    sys.stderr.flush()


def fatal(err, hint=None):
    """cobra prints "Error: ..." and main's log.Fatal the error again; exit 1."""
    sys.stderr.write("Error: %s\n" % err)
    if hint:
        sys.stderr.write("jaeger-standin: %s\n" % hint)
    go_log(str(err))
    sys.exit(1)


# ---------------------------------------------------------------- command line (cobra + pflag)

USAGE = """Jaeger backend v2 (test stand-in for jaegertracing/jaeger:%s; tests/images/jaeger-standin)

Usage:
  jaeger [flags]
  jaeger [command]

Available Commands:
  help        Help about any command
  validate    Validates the config without running the collector
  version     Print the version.

Flags:
      --config URI          Locations to the config file(s), one per flag: --config=file:/path/to/first
                            --config=file:path/to/second (file:, env: and yaml: in the stand-in)
      --feature-gates list  Comma-delimited list of feature gate identifiers (ignored by the stand-in)
  -h, --help                help for jaeger
      --set key=value       Set arbitrary component config property, e.g. --set=processors.batch.timeout=2s
  -v, --version             version for jaeger
""" % VERSION.lstrip("v")

NOT_IMITATED_COMMANDS = {"completion", "components", "docs", "es-index-cleaner", "es-mappings", "es-rollover",
                         "featuregate", "print-config", "print-initial-config", "anonymizer", "tracegen",
                         "remote-storage"}


def parse_args(args, root):
    """pflag for the collector's flag set: --config, --set, --feature-gates (value inline or next), -h, and on
    the root command -v/--version.  Returns (config URIs, set values, positional arguments).

    As cobra 1.10 (command.go execute): every flag is parsed first, so an unknown or malformed one fails (exit 1)
    wherever -h/--help stands; then help (usage, exit 0) wins over version."""
    configs, sets, positional = [], [], []
    wants = set()
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            positional += args[i:]
            break
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if name in ("config", "set", "feature-gates"):
                if not eq:
                    if i >= len(args):
                        fatal("flag needs an argument: --%s" % name)
                    value = args[i]
                    i += 1
                if name == "config":
                    configs.append(value)
                elif name == "set":
                    if "=" not in value:
                        fatal('invalid argument "%s" for "--set" flag: missing equal sign' % value)
                    sets.append(value)
            elif name == "help" or (name == "version" and root):
                wants.add(name)
            else:
                fatal("unknown flag: --%s" % name)
        elif a.startswith("-") and len(a) > 1:
            if a == "-h":
                wants.add("help")
            elif a == "-v" and root:
                wants.add("version")
            else:
                fatal("unknown shorthand flag: '%s' in %s" % (a[1], a))
        else:
            positional.append(a)
    if "help" in wants:
        sys.stdout.write(USAGE)
        sys.exit(0)
    if "version" in wants:
        print("jaeger version %s" % VERSION)
        sys.exit(0)
    return configs, sets, positional


# ---------------------------------------------------------------- configuration: resolve (confmap)

SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):(.*)$", re.S)
EXPAND = re.compile(r"\$\$|\$\{([^{}]*)\}")


def yaml_error(e):
    if not hasattr(e, "problem_mark"):
        return str(e)
    mark = e.problem_mark or e.context_mark
    return "%s%s" % ("line %d: " % (mark.line + 1) if mark else "", e.problem or e.context)


def retrieve(uri):
    """One --config location: (its text as a Conf mapping, the file read or None)."""
    m = SCHEME.match(uri)
    scheme, rest = (m.group(1), m.group(2)) if m else ("file", uri)
    if scheme == "file":
        path = rest
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise ConfigError("cannot resolve the configuration: cannot retrieve the configuration: unable to read "
                              "the file file:%s: open %s: %s" % (path, path, (e.strerror or str(e)).lower()))
        source = path
    elif scheme == "env":
        data = os.environ.get(rest, "").encode()
        source = None
    elif scheme == "yaml":
        data, source = yaml_provider_text(rest).encode(), None
    else:
        hint = " (the test stand-in reads file:, env: and yaml: only)" if scheme in ("http", "https") else ""
        raise ConfigError('cannot resolve the configuration: cannot retrieve the configuration: scheme "%s" is not '
                          'supported for uri "%s"%s' % (scheme, uri, hint))
    try:
        conf = yaml.safe_load(data) if data.strip() else None
    except yaml.YAMLError as e:
        raise ConfigError("cannot resolve the configuration: retrieved value (type=string) cannot be used as a Conf: "
                          "assuming string type since contents are not valid YAML: yaml: %s" % yaml_error(e))
    if conf is None:
        conf = {}
    if not isinstance(conf, dict):
        raise ConfigError("cannot resolve the configuration: retrieved value (type=%s) cannot be used as a Conf"
                          % go_type(conf))
    return conf, source


def yaml_provider_text(rest):
    """yaml:a::b::c: value  ->  nested YAML (the yaml provider and --set)."""
    key, value = rest, ""
    # a::b::c: v -> the first ":" that is not part of a "::" separates the key path from the value
    m = re.match(r"^(.*?)(?<!:):(?!:)\s*(.*)$", rest, re.S)
    if m:
        key, value = m.group(1), m.group(2)
    parts = key.split("::")
    text = ""
    for depth, part in enumerate(parts):
        text += "  " * depth + json.dumps(part.strip()) + ":" + ("\n" if depth < len(parts) - 1 else " ")
    return text + value


def go_type(v):
    if isinstance(v, list):
        return "[]interface {}"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    return "string"


def merge(dst, src):
    """confmap.Merge: mappings merged key by key, anything else replaced."""
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            merge(dst[k], v)
        else:
            dst[k] = v
    return dst


def expand(value, warnings):
    """${env:NAME}, ${env:NAME:-default} and ${NAME} (the default scheme is env) in strings; $$ is a $."""
    if isinstance(value, dict):
        return {k: expand(v, warnings) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, warnings) for v in value]
    if not isinstance(value, str) or "$" not in value:
        return value

    def one(ref):
        if ":" in ref and not ref.startswith("env:") and re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", ref):
            raise ConfigError('cannot resolve the configuration: scheme "%s" is not supported for uri "%s" (the test '
                              'stand-in expands ${env:...} only)' % (ref.split(":", 1)[0], ref))
        ref = ref[4:] if ref.startswith("env:") else ref
        name, dflt = (ref.split(":-", 1) + [None])[:2]
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise ConfigError('cannot resolve the configuration: environment variable "%s" has invalid name: must '
                              'match regex ^[a-zA-Z_][a-zA-Z0-9_]*$' % name)
        if name in os.environ:
            return os.environ[name]
        if dflt is None:
            warnings.append(name)
            return ""
        return dflt

    whole = EXPAND.fullmatch(value)
    if whole and whole.group(0) != "$$":
        text = one(whole.group(1))
        try:
            parsed = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            return text
        return text if parsed is None or isinstance(parsed, (dict, list)) else parsed
    return EXPAND.sub(lambda m: "$" if m.group(0) == "$$" else one(m.group(1)), value)


def resolve(configs, sets):
    merged, files, warnings = {}, [], []
    for uri in configs:
        conf, source = retrieve(uri)
        if source:
            files.append(source)
        merge(merged, conf)
    for s in sets:
        key, dummy, value = s.partition("=")
        conf, dummy = retrieve("yaml:" + key.strip().replace(".", "::") + ": " + value.strip())
        merge(merged, conf)
    return expand(merged, warnings), files, warnings


# ---------------------------------------------------------------- configuration: decode and validate

COMPONENT_ID = re.compile(r"^[A-Za-z][0-9A-Za-z_]{0,62}(/[^/\s]{1,1024})?$")


def ctype(cid):
    return str(cid).split("/", 1)[0]


class Decoder:
    """mapstructure-like checks: unknown keys and wrong kinds, collected as "'path' has invalid keys: ..." lines."""

    def __init__(self):
        self.errors = []

    def add(self, path, text):
        self.errors.append("'%s' %s" % (path.lstrip("."), text))

    def keys(self, node, allowed, path):
        if not isinstance(node, dict):
            return
        bad = sorted(str(k) for k in node if k not in allowed)
        if bad:
            self.add(path, "has invalid keys: %s" % ", ".join(bad))

    def mapping(self, node, path):
        if node is None or isinstance(node, dict):
            return node or {}
        self.add(path, "expected a map, got '%s'" % kind_name(node))
        return {}

    def sequence(self, node, path):
        if node is None or isinstance(node, list):
            return node or []
        self.add(path, "source data must be an array or slice, got %s" % kind_name(node))
        return []

    def boolean(self, node, path):
        if node is None or isinstance(node, bool):
            return node
        self.add(path, "expected type 'bool', got unconvertible type '%s', value: '%s'" % (go_type(node), node))
        return None

    def integer(self, node, path):
        if node is None or (isinstance(node, int) and not isinstance(node, bool)):
            return node
        self.add(path, "expected type 'int', got unconvertible type '%s', value: '%s'" % (go_type(node), node))
        return None

    def string(self, node, path):
        if node is None or isinstance(node, str):
            return node
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            return str(node)
        self.add(path, "expected type 'string', got unconvertible type '%s', value: '%s'"
                 % (go_type(node), node))
        return None

    def duration(self, node, path):
        if node is None:
            return None
        ns = go_duration_ns(node)
        if ns is None:
            self.add(path, "time: invalid duration %s" % json.dumps(str(node)))
        return ns


def kind_name(v):
    return {dict: "map", list: "slice", str: "string", bool: "bool", int: "int", float: "float64"}.get(type(v), "nil")


def decode(cfg):
    """Returns the decoded model or raises ConfigError("cannot unmarshal the configuration: ...")."""
    d = Decoder()
    d.keys(cfg, {"receivers", "processors", "exporters", "connectors", "extensions", "service"}, "")
    model = {}
    for kind in ("receivers", "processors", "exporters", "connectors", "extensions"):
        comps = d.mapping(cfg.get(kind), kind)
        model[kind] = collections.OrderedDict()
        for cid, ccfg in comps.items():
            cid = str(cid)
            if not COMPONENT_ID.match(cid):
                d.errors.append("'%s' invalid component ID %s" % (kind, json.dumps(cid)))
                continue
            if ctype(cid) not in KNOWN[kind]:
                d.errors.append("'%s' unknown type: %s for id: %s (valid values: [%s])" % (
                    kind, json.dumps(ctype(cid)), json.dumps(cid), " ".join(KNOWN[kind])))
                continue
            sub = Decoder()
            ccfg = sub.mapping(ccfg, "")
            model[kind][cid] = ccfg
            decode_component(sub, kind, ctype(cid), ccfg, "")
            d.errors += ["'%s' error reading configuration for %s: %s" % (kind, json.dumps(cid), e) for e in sub.errors]
    service = d.mapping(cfg.get("service"), "service")
    d.keys(service, {"extensions", "pipelines", "telemetry"}, "service")
    model["service_extensions"] = [str(e) for e in d.sequence(service.get("extensions"), "service.extensions")]
    pipelines = collections.OrderedDict()
    for pid, p in d.mapping(service.get("pipelines"), "service.pipelines").items():
        pid = str(pid)
        signal = pid.split("/", 1)[0]
        if signal not in ("traces", "metrics", "logs", "profiles"):
            d.errors.append("'service.pipelines' unknown signal %s" % json.dumps(signal))
            continue
        p = d.mapping(p, "service.pipelines::" + pid)
        d.keys(p, {"receivers", "processors", "exporters"}, "service.pipelines::" + pid)
        pipelines[pid] = {k: [str(x) for x in d.sequence(p.get(k), "service.pipelines::%s.%s" % (pid, k))]
                          for k in ("receivers", "processors", "exporters")}
    model["pipelines"] = pipelines
    model["telemetry"] = decode_telemetry(d, d.mapping(service.get("telemetry"), "service.telemetry"))
    if d.errors:
        raise ConfigError("cannot unmarshal the configuration: decoding failed due to the following error(s):\n\n"
                          + "\n".join(d.errors))
    return model


def decode_component(d, kind, typ, c, path):
    if kind == "receivers" and typ == "otlp":
        d.keys(c, {"protocols"}, path)
        protocols = d.mapping(c.get("protocols"), path + ".protocols")
        d.keys(protocols, {"grpc", "http"}, path + ".protocols")
        if "grpc" in protocols:
            g = d.mapping(protocols["grpc"], path + ".protocols.grpc")
            d.keys(g, GRPC_SERVER_KEYS, path + ".protocols.grpc")
            d.string(g.get("endpoint"), path + ".protocols.grpc.endpoint")
        if "http" in protocols:
            h = d.mapping(protocols["http"], path + ".protocols.http")
            d.keys(h, HTTP_SERVER_KEYS | {"traces_url_path", "metrics_url_path", "logs_url_path"},
                   path + ".protocols.http")
            for k in ("endpoint", "traces_url_path", "metrics_url_path", "logs_url_path"):
                d.string(h.get(k), "%s.protocols.http.%s" % (path, k))
    elif kind == "processors" and typ == "batch":
        d.keys(c, {"timeout", "send_batch_size", "send_batch_max_size", "metadata_keys", "metadata_cardinality_limit"},
               path)
        d.duration(c.get("timeout"), path + ".timeout")
        d.integer(c.get("send_batch_size"), path + ".send_batch_size")
        d.integer(c.get("send_batch_max_size"), path + ".send_batch_max_size")
    elif kind == "exporters" and typ == "jaeger_storage_exporter":
        d.keys(c, {"trace_storage", "queue", "retry_on_failure", "timeout"}, path)
        d.string(c.get("trace_storage"), path + ".trace_storage")
    elif kind == "extensions" and typ == "jaeger_storage":
        d.keys(c, {"backends", "metric_backends"}, path)
        for name, b in d.mapping(c.get("backends"), path + ".backends").items():
            bpath = "%s.backends[%s]" % (path, name)
            b = d.mapping(b, bpath)
            d.keys(b, set(BACKEND_TYPES), bpath)
            if isinstance(b.get("badger"), dict):
                bd = b["badger"]
                d.keys(bd, BADGER_KEYS, bpath + ".badger")
                dirs = d.mapping(bd.get("directories"), bpath + ".badger.directories")
                d.keys(dirs, {"keys", "values"}, bpath + ".badger.directories")
                d.string(dirs.get("keys"), bpath + ".badger.directories.keys")
                d.string(dirs.get("values"), bpath + ".badger.directories.values")
                for k in ("ephemeral", "consistency", "read_only"):
                    d.boolean(bd.get(k), "%s.badger.%s" % (bpath, k))
                for k in ("maintenance_interval", "metrics_update_interval"):
                    d.duration(bd.get(k), "%s.badger.%s" % (bpath, k))
                ttl = d.mapping(bd.get("ttl"), bpath + ".badger.ttl")
                d.keys(ttl, {"spans"}, bpath + ".badger.ttl")
                d.duration(ttl.get("spans"), bpath + ".badger.ttl.spans")
            if isinstance(b.get("memory"), dict):
                d.keys(b["memory"], {"max_traces"}, bpath + ".memory")
                d.integer(b["memory"].get("max_traces"), bpath + ".memory.max_traces")
        d.mapping(c.get("metric_backends"), path + ".metric_backends")
    elif kind == "extensions" and typ == "jaeger_query":
        d.keys(c, QUERY_KEYS, path)
        st = d.mapping(c.get("storage"), path + ".storage")
        d.keys(st, {"traces", "traces_archive", "metrics"}, path + ".storage")
        for k in ("traces", "traces_archive", "metrics"):
            d.string(st.get(k), "%s.storage.%s" % (path, k))
        h = d.mapping(c.get("http"), path + ".http")
        d.keys(h, HTTP_SERVER_KEYS, path + ".http")
        d.string(h.get("endpoint"), path + ".http.endpoint")
        g = d.mapping(c.get("grpc"), path + ".grpc")
        d.keys(g, GRPC_SERVER_KEYS, path + ".grpc")
        d.string(g.get("endpoint"), path + ".grpc.endpoint")
        ui = d.mapping(c.get("ui"), path + ".ui")
        d.keys(ui, {"config_file", "assets_path", "log_access"}, path + ".ui")
        d.string(c.get("base_path"), path + ".base_path")
        d.duration(c.get("max_clock_skew_adjust"), path + ".max_clock_skew_adjust")
    elif kind == "extensions" and typ == "healthcheckv2":
        d.keys(c, HEALTH_KEYS, path)
        d.boolean(c.get("use_v2"), path + ".use_v2")
        if "http" in c:
            h = d.mapping(c["http"], path + ".http")
            d.keys(h, HTTP_SERVER_KEYS | {"status", "config"}, path + ".http")
            d.string(h.get("endpoint"), path + ".http.endpoint")
            for k in ("status", "config"):
                pc = d.mapping(h.get(k), "%s.http.%s" % (path, k))
                d.keys(pc, {"enabled", "path"}, "%s.http.%s" % (path, k))
                d.boolean(pc.get("enabled"), "%s.http.%s.enabled" % (path, k))
                d.string(pc.get("path"), "%s.http.%s.path" % (path, k))
        if "grpc" in c:
            g = d.mapping(c["grpc"], path + ".grpc")
            d.keys(g, GRPC_SERVER_KEYS, path + ".grpc")
        d.mapping(c.get("component_health"), path + ".component_health")


def decode_telemetry(d, t):
    d.keys(t, {"logs", "metrics", "traces", "resource"}, "service.telemetry")
    out = {"resource": d.mapping(t.get("resource"), "service.telemetry.resource"), "readers": []}
    logs = d.mapping(t.get("logs"), "service.telemetry.logs")
    level = str(logs.get("level", "info")).lower()
    if level not in ZAP_LEVELS:
        d.errors.append("'service.telemetry.logs.level' unrecognized level: %s" % json.dumps(str(logs.get("level"))))
        level = "info"
    out["log_level"] = level
    metrics = d.mapping(t.get("metrics"), "service.telemetry.metrics")
    mlevel = str(metrics.get("level", "normal")).lower()
    if mlevel not in METRICS_LEVELS:
        d.errors.append("'service.telemetry.metrics.level' unknown metrics level %s"
                        % json.dumps(str(metrics.get("level"))))
    out["metrics_level"] = mlevel
    if "readers" in metrics:
        readers = d.sequence(metrics.get("readers"), "service.telemetry.metrics.readers")
    else:
        readers = [{"pull": {"exporter": {"prometheus": {"host": "localhost", "port": 8888}}}}]
    for i, r in enumerate(readers):
        path = "service.telemetry.metrics.readers[%d]" % i
        r = d.mapping(r, path)
        d.keys(r, {"pull", "periodic"}, path)
        pull = r.get("pull") if isinstance(r.get("pull"), dict) else {}
        prom = ((pull.get("exporter") or {}) if isinstance(pull.get("exporter"), dict) else {}).get("prometheus")
        if isinstance(prom, dict):
            port = d.integer(prom.get("port"), path + ".pull.exporter.prometheus.port")
            host = d.string(prom.get("host"), path + ".pull.exporter.prometheus.host")
            out["readers"].append((host if host is not None else "localhost", port))
    return out


def validate(model, standin_rules=True):
    """otelcol Config.Validate, then the components' Validate (in the collector's order), then the cross references
    Jaeger only finds when it starts (stricter than upstream's validate; see README).  Raises ConfigError."""
    comps = {k: model[k] for k in ("receivers", "processors", "exporters", "connectors", "extensions")}
    if not any(comps.values()):
        raise ConfigError("empty configuration file")
    if not model["receivers"]:
        raise ConfigError("no receiver configuration specified in config")
    if not model["exporters"]:
        raise ConfigError("no exporter configuration specified in config")
    for ref in model["service_extensions"]:
        if ref not in model["extensions"]:
            raise ConfigError('service::extensions: references extension "%s" which is not configured' % ref)
    for pid, p in model["pipelines"].items():
        for ref in p["receivers"]:
            if ref not in model["receivers"] and ref not in model["connectors"]:
                raise ConfigError('service::pipelines::%s: references receiver "%s" which is not configured'
                                  % (pid, ref))
        for ref in p["processors"]:
            if ref not in model["processors"]:
                raise ConfigError('service::pipelines::%s: references processor "%s" which is not configured'
                                  % (pid, ref))
        for ref in p["exporters"]:
            if ref not in model["exporters"] and ref not in model["connectors"]:
                raise ConfigError('service::pipelines::%s: references exporter "%s" which is not configured'
                                  % (pid, ref))
    # components
    for kind in ("receivers", "processors", "exporters", "connectors", "extensions"):
        for cid, c in model[kind].items():
            err = validate_component(kind, ctype(cid), c)
            if err:
                raise ConfigError("%s::%s: %s" % (kind, cid, err))
    if not model["pipelines"]:
        raise ConfigError("service::pipelines: service must have at least one pipeline")
    for pid, p in model["pipelines"].items():
        if not p["receivers"]:
            raise ConfigError("service::pipelines::%s: must have at least one receiver" % pid)
        if not p["exporters"]:
            raise ConfigError("service::pipelines::%s: must have at least one exporter" % pid)
        seen = set()
        for ref in p["processors"]:
            if ref in seen:
                raise ConfigError('service::pipelines::%s: references processor "%s" multiple times' % (pid, ref))
            seen.add(ref)
    if standin_rules:
        validate_references(model)


def validate_component(kind, typ, c):
    if kind == "receivers" and typ == "otlp":
        protocols = c.get("protocols") or {}
        if "grpc" not in protocols and "http" not in protocols:
            return "must specify at least one protocol when using the OTLP receiver"
        http = protocols.get("http") or {}
        for k in ("traces_url_path", "metrics_url_path", "logs_url_path"):
            v = http.get(k)
            if v is not None and not str(v).startswith("/") and "://" in str(v):
                return "invalid HTTP URL path set for signal: %s" % v
    if kind == "processors" and typ == "batch":
        size, mx = c.get("send_batch_size"), c.get("send_batch_max_size")
        if mx and size is not None and mx < size:
            return "send_batch_max_size must be greater or equal to send_batch_size"
        if (c.get("send_batch_size") or 0) < 0:
            return "send_batch_size must be greater than or equal to zero"
    if kind == "exporters" and typ == "jaeger_storage_exporter":
        if not c.get("trace_storage"):
            return "TraceStorage: non zero value required"
    if kind == "extensions" and typ == "jaeger_storage":
        backends = c.get("backends") or {}
        if not backends and not c.get("metric_backends"):
            return "at least one storage backend is required"
        for name, b in backends.items():
            types = sorted(t for t in BACKEND_TYPES if (b or {}).get(t) is not None)
            if not types:
                return "trace storage '%s': empty configuration" % name
            if len(types) > 1:
                return "trace storage '%s': multiple backend types found for trace storage: [%s]" % (
                    name, " ".join(types))
    if kind == "extensions" and typ == "jaeger_query":
        if not (c.get("storage") or {}).get("traces"):
            return "Storage.TracesPrimary: non zero value required"
        bp = c.get("base_path")
        if bp and bp != "/" and not str(bp).startswith("/"):
            return "invalid base_path %s: must start with '/'" % json.dumps(bp)
    if kind == "extensions" and typ == "healthcheckv2":
        if not c.get("use_v2"):
            if "endpoint" in c and not c.get("endpoint"):
                return "http endpoint required"
            if "path" in c and not str(c.get("path") or "").startswith("/"):
                return "path must start with /"
            return None
        if "http" not in c and "grpc" not in c:
            return "must specify at least one protocol"
        if "http" in c:
            h = c.get("http") or {}
            if "endpoint" in h and not h.get("endpoint"):
                return "http endpoint required"
            for k in ("status", "config"):
                pc = h.get(k) or {}
                enabled = pc.get("enabled", k == "status")
                if enabled and "path" in pc and not str(pc.get("path") or "").startswith("/"):
                    return "path must start with /"
        if "grpc" in c and "endpoint" in (c.get("grpc") or {}) and not (c.get("grpc") or {}).get("endpoint"):
            return "grpc endpoint required"
    return None


def validate_references(model):
    """What Jaeger 2 reports only when it starts (jaegerstorage.GetTraceStoreFactory, findExtension), and the
    stand-in's own requirement of a traces pipeline.  Texts as upstream's, with the component they come from."""
    if not any(pid.split("/", 1)[0] == "traces" for pid in model["pipelines"]):
        raise ConfigError("service::pipelines: no traces pipeline (jaeger-standin: a Jaeger configuration needs "
                          "service.pipelines.traces)")
    storages = [e for e in model["service_extensions"] if ctype(e) == "jaeger_storage"]
    backends = {}
    for e in storages:
        backends.update((model["extensions"][e] or {}).get("backends") or {})
    users = [("extension", e, (model["extensions"][e].get("storage") or {}).get("traces"))
             for e in model["service_extensions"] if ctype(e) == "jaeger_query"]
    used_exporters = {x for p in model["pipelines"].values() for x in p["exporters"]}
    users += [("exporter", x, model["exporters"][x].get("trace_storage")) for x in model["exporters"]
              if ctype(x) == "jaeger_storage_exporter" and x in used_exporters]
    for kind, cid, name in users:
        if not storages:
            raise ConfigError("%s %s: cannot find extension 'jaeger_storage' (make sure it's defined earlier in the "
                              "config)" % (kind, cid))
        if name not in backends:
            raise ConfigError("%s %s: storage '%s' not declared in 'jaeger_storage' extension configuration "
                              "(backends: %s)" % (kind, cid, name, ", ".join(sorted(backends)) or "none"))


# ---------------------------------------------------------------- OTLP: protobuf wire format and JSON

def varint(buf, i):
    result = shift = 0
    while True:
        if i >= len(buf):
            raise PBError("unexpected EOF")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7
        if shift >= 70:
            raise PBError("integer overflow")


def pb_fields(buf):
    """Yields (field number, wire type, value): an int for varint and fixed, bytes for length-delimited."""
    i, n = 0, len(buf)
    while i < n:
        key, i = varint(buf, i)
        field, wt = key >> 3, key & 7
        if field == 0:
            raise PBError("illegal tag 0 (wire type %d)" % wt)
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            if i + 8 > n:
                raise PBError("unexpected EOF")
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            ln, i = varint(buf, i)
            if i + ln > n:
                raise PBError("unexpected EOF")
            v, i = buf[i:i + ln], i + ln
        elif wt == 5:
            if i + 4 > n:
                raise PBError("unexpected EOF")
            v, i = buf[i:i + 4], i + 4
        else:
            raise PBError("illegal wireType %d for field %d" % (wt, field))
        yield field, wt, v


def want(wt, expected, what):
    if wt != expected:
        raise PBError("wrong wireType = %d for field %s" % (wt, what))


def pb_string(v, what):
    try:
        return v.decode("utf-8")
    except UnicodeDecodeError:
        raise PBError("invalid UTF-8 in field %s" % what)


def pb_int64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def pb_anyvalue(buf):
    value = ("string", "")
    for f, wt, v in pb_fields(buf):
        if f == 1:
            want(wt, 2, "AnyValue.string_value")
            value = ("string", pb_string(v, "AnyValue.string_value"))
        elif f == 2:
            want(wt, 0, "AnyValue.bool_value")
            value = ("bool", bool(v))
        elif f == 3:
            want(wt, 0, "AnyValue.int_value")
            value = ("int", pb_int64(v))
        elif f == 4:
            want(wt, 1, "AnyValue.double_value")
            value = ("double", struct.unpack("<d", v)[0])
        elif f == 5:
            want(wt, 2, "AnyValue.array_value")
            value = ("array", [pb_anyvalue(x) for ff, wwt, x in pb_fields(v) if ff == 1])
        elif f == 6:
            want(wt, 2, "AnyValue.kvlist_value")
            value = ("kvlist", [pb_keyvalue(x) for ff, wwt, x in pb_fields(v) if ff == 1])
        elif f == 7:
            want(wt, 2, "AnyValue.bytes_value")
            value = ("bytes", bytes(v))
    return value


def pb_keyvalue(buf):
    key, value = "", ("string", "")
    for f, wt, v in pb_fields(buf):
        if f == 1:
            want(wt, 2, "KeyValue.key")
            key = pb_string(v, "KeyValue.key")
        elif f == 2:
            want(wt, 2, "KeyValue.value")
            value = pb_anyvalue(v)
    return key, value


def pb_id(v, size, what):
    if len(v) not in (0, size):
        raise PBError("invalid length for %s: %d (want %d bytes)" % (what, len(v), size))
    return bytes(v)


def pb_span(buf):
    s = {"trace_id": b"", "span_id": b"", "parent_span_id": b"", "trace_state": "", "name": "", "kind": 0,
         "start": 0, "end": 0, "attributes": [], "events": [], "links": [], "status": {"code": 0, "message": ""}}
    for f, wt, v in pb_fields(buf):
        if f == 1:
            want(wt, 2, "Span.trace_id")
            s["trace_id"] = pb_id(v, 16, "trace_id")
        elif f == 2:
            want(wt, 2, "Span.span_id")
            s["span_id"] = pb_id(v, 8, "span_id")
        elif f == 3:
            want(wt, 2, "Span.trace_state")
            s["trace_state"] = pb_string(v, "Span.trace_state")
        elif f == 4:
            want(wt, 2, "Span.parent_span_id")
            s["parent_span_id"] = pb_id(v, 8, "parent_span_id")
        elif f == 5:
            want(wt, 2, "Span.name")
            s["name"] = pb_string(v, "Span.name")
        elif f == 6:
            want(wt, 0, "Span.kind")
            s["kind"] = v
        elif f == 7:
            want(wt, 1, "Span.start_time_unix_nano")
            s["start"] = int.from_bytes(v, "little")
        elif f == 8:
            want(wt, 1, "Span.end_time_unix_nano")
            s["end"] = int.from_bytes(v, "little")
        elif f == 9:
            want(wt, 2, "Span.attributes")
            s["attributes"].append(pb_keyvalue(v))
        elif f == 11:
            want(wt, 2, "Span.events")
            ev = {"time": 0, "name": "", "attributes": []}
            for ff, wwt, x in pb_fields(v):
                if ff == 1:
                    want(wwt, 1, "Event.time_unix_nano")
                    ev["time"] = int.from_bytes(x, "little")
                elif ff == 2:
                    want(wwt, 2, "Event.name")
                    ev["name"] = pb_string(x, "Event.name")
                elif ff == 3:
                    want(wwt, 2, "Event.attributes")
                    ev["attributes"].append(pb_keyvalue(x))
            s["events"].append(ev)
        elif f == 13:
            want(wt, 2, "Span.links")
            ln = {"trace_id": b"", "span_id": b"", "attributes": []}
            for ff, wwt, x in pb_fields(v):
                if ff == 1:
                    want(wwt, 2, "Link.trace_id")
                    ln["trace_id"] = pb_id(x, 16, "trace_id")
                elif ff == 2:
                    want(wwt, 2, "Link.span_id")
                    ln["span_id"] = pb_id(x, 8, "span_id")
                elif ff == 4:
                    want(wwt, 2, "Link.attributes")
                    ln["attributes"].append(pb_keyvalue(x))
            s["links"].append(ln)
        elif f == 15:
            want(wt, 2, "Span.status")
            for ff, wwt, x in pb_fields(v):
                if ff == 2:
                    want(wwt, 2, "Status.message")
                    s["status"]["message"] = pb_string(x, "Status.message")
                elif ff == 3:
                    want(wwt, 0, "Status.code")
                    s["status"]["code"] = x
    return s


def pb_request(buf):
    """ExportTraceServiceRequest -> [(resource attributes, [(scope name, scope version, [span])])]."""
    out = []
    for f, wt, rs in pb_fields(buf):
        if f != 1:
            continue
        want(wt, 2, "ExportTraceServiceRequest.resource_spans")
        attrs, scopes = [], []
        for ff, wwt, v in pb_fields(rs):
            if ff == 1:
                want(wwt, 2, "ResourceSpans.resource")
                attrs += [pb_keyvalue(x) for fff, w3, x in pb_fields(v) if fff == 1]
            elif ff == 2:
                want(wwt, 2, "ResourceSpans.scope_spans")
                name = version = ""
                spans = []
                for fff, w3, x in pb_fields(v):
                    if fff == 1:
                        want(w3, 2, "ScopeSpans.scope")
                        for f4, w4, y in pb_fields(x):
                            if f4 == 1:
                                name = pb_string(y, "InstrumentationScope.name")
                            elif f4 == 2:
                                version = pb_string(y, "InstrumentationScope.version")
                    elif fff == 2:
                        want(w3, 2, "ScopeSpans.spans")
                        spans.append(pb_span(x))
                scopes.append((name, version, spans))
        out.append((attrs, scopes))
    return out


def pb_status(code, message):
    """google.rpc.Status{code=1, message=2} for an error answer in protobuf."""
    msg = message.encode()
    out = b"\x08" + pb_varint(code) if code else b""
    return out + b"\x12" + pb_varint(len(msg)) + msg


def pb_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def jfield(obj, camel, snake, default=None):
    if not isinstance(obj, dict):
        raise PBError("expected an object, got %s" % kind_name(obj))
    if camel in obj:
        return obj[camel]
    return obj.get(snake, default)


def j_id(v, size, what):
    if v in (None, ""):
        return b""
    if not isinstance(v, str) or len(v) != 2 * size:
        raise PBError("invalid length for %s: %s (want %d hex characters)" % (what, json.dumps(v), 2 * size))
    try:
        return bytes.fromhex(v)
    except ValueError:
        raise PBError("invalid %s: %s is not hex" % (what, json.dumps(v)))


def j_uint(v, what):
    if v is None:
        return 0
    try:
        if isinstance(v, bool):
            raise ValueError
        return int(v)
    except (TypeError, ValueError):
        raise PBError("invalid %s: %s" % (what, json.dumps(v)))


def j_enum(v, names, what):
    if isinstance(v, str) and not v.isdigit():
        if v not in names:
            raise PBError("invalid %s: unknown value %s" % (what, json.dumps(v)))
        return names.index(v)
    return j_uint(v, what)


SPAN_KIND_NAMES = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                   "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
STATUS_CODE_NAMES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]


def j_anyvalue(v):
    if v is None:
        return ("string", "")
    for camel, snake in (("stringValue", "string_value"), ("boolValue", "bool_value"), ("intValue", "int_value"),
                         ("doubleValue", "double_value"), ("arrayValue", "array_value"),
                         ("kvlistValue", "kvlist_value"), ("bytesValue", "bytes_value")):
        x = jfield(v, camel, snake, None)
        if x is None:
            continue
        if camel == "stringValue":
            return ("string", str(x))
        if camel == "boolValue":
            return ("bool", bool(x))
        if camel == "intValue":
            return ("int", j_uint(x, "intValue"))
        if camel == "doubleValue":
            return ("double", float(x))
        if camel == "arrayValue":
            return ("array", [j_anyvalue(y) for y in jfield(x, "values", "values", []) or []])
        if camel == "kvlistValue":
            return ("kvlist", [j_keyvalue(y) for y in jfield(x, "values", "values", []) or []])
        try:
            return ("bytes", base64.b64decode(x))
        except (ValueError, TypeError):
            raise PBError("invalid bytesValue: not base64")
    return ("string", "")


def j_keyvalue(kv):
    return str(jfield(kv, "key", "key", "")), j_anyvalue(jfield(kv, "value", "value", None))


def j_attrs(obj):
    return [j_keyvalue(kv) for kv in jfield(obj, "attributes", "attributes", []) or []]


def json_request(data):
    """OTLP/JSON ExportTraceServiceRequest (lowerCamelCase or the proto field names, hex ids)."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise PBError("failed to unmarshal request body: %s" % e)
    out = []
    for rs in jfield(doc, "resourceSpans", "resource_spans", []) or []:
        resource = jfield(rs, "resource", "resource", None) or {}
        scopes = []
        for ss in jfield(rs, "scopeSpans", "scope_spans", []) or []:
            scope = jfield(ss, "scope", "scope", None) or {}
            spans = []
            for sp in jfield(ss, "spans", "spans", []) or []:
                st = jfield(sp, "status", "status", None) or {}
                spans.append({
                    "trace_id": j_id(jfield(sp, "traceId", "trace_id"), 16, "traceId"),
                    "span_id": j_id(jfield(sp, "spanId", "span_id"), 8, "spanId"),
                    "parent_span_id": j_id(jfield(sp, "parentSpanId", "parent_span_id"), 8, "parentSpanId"),
                    "trace_state": str(jfield(sp, "traceState", "trace_state", "") or ""),
                    "name": str(jfield(sp, "name", "name", "") or ""),
                    "kind": j_enum(jfield(sp, "kind", "kind", 0), SPAN_KIND_NAMES, "kind"),
                    "start": j_uint(jfield(sp, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano"),
                    "end": j_uint(jfield(sp, "endTimeUnixNano", "end_time_unix_nano"), "endTimeUnixNano"),
                    "attributes": j_attrs(sp),
                    "events": [{"time": j_uint(jfield(e, "timeUnixNano", "time_unix_nano"), "timeUnixNano"),
                                "name": str(jfield(e, "name", "name", "") or ""), "attributes": j_attrs(e)}
                               for e in jfield(sp, "events", "events", []) or []],
                    "links": [{"trace_id": j_id(jfield(ln, "traceId", "trace_id"), 16, "traceId"),
                               "span_id": j_id(jfield(ln, "spanId", "span_id"), 8, "spanId"),
                               "attributes": j_attrs(ln)}
                              for ln in jfield(sp, "links", "links", []) or []],
                    "status": {"code": j_enum(jfield(st, "code", "code", 0), STATUS_CODE_NAMES, "status.code"),
                               "message": str(jfield(st, "message", "message", "") or "")},
                })
            scope_name = str(jfield(scope, "name", "name", "") or "")
            scopes.append((scope_name, str(jfield(scope, "version", "version", "") or ""), spans))
        out.append((j_attrs(resource), scopes))
    return out


# ---------------------------------------------------------------- OTLP -> Jaeger's span model (JSON API form)

KIND_TAG = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def raw_value(val):
    t, v = val
    if t == "array":
        return [raw_value(x) for x in v]
    if t == "kvlist":
        return {k: raw_value(x) for k, x in v}
    if t == "bytes":
        return base64.b64encode(v).decode()
    return v


def tag(key, val):
    t, v = val
    if t == "string":
        return {"key": key, "type": "string", "value": v}
    if t == "bool":
        return {"key": key, "type": "bool", "value": v}
    if t == "int":
        return {"key": key, "type": "int64", "value": v}
    if t == "double":
        return {"key": key, "type": "float64", "value": v}
    if t == "bytes":
        return {"key": key, "type": "binary", "value": base64.b64encode(v).decode()}
    return {"key": key, "type": "string", "value": json.dumps(raw_value(val), separators=(",", ":"))}


def to_records(request):
    """The spans of a request as stored records: Jaeger's JSON span (ids in full hex) plus its process."""
    now = time.time_ns()
    records = []
    for attrs, scopes in request:
        service = NO_SERVICE_NAME
        ptags = []
        for k, v in attrs:
            if k == "service.name" and v[0] == "string":
                service = v[1]
            else:
                ptags.append(tag(k, v))
        for scope_name, scope_version, spans in scopes:
            for s in spans:
                tid = s["trace_id"].hex().rjust(32, "0")
                refs = []
                if s["parent_span_id"] and s["parent_span_id"] != b"\0" * 8:
                    refs.append({"refType": "CHILD_OF", "traceID": tid, "spanID": s["parent_span_id"].hex()})
                for ln in s["links"]:
                    refs.append({"refType": "FOLLOWS_FROM", "traceID": ln["trace_id"].hex().rjust(32, "0"),
                                 "spanID": ln["span_id"].hex().rjust(16, "0")})
                tags = [tag(k, v) for k, v in s["attributes"]]
                if scope_name:
                    tags.append(tag("otel.scope.name", ("string", scope_name)))
                if scope_version:
                    tags.append(tag("otel.scope.version", ("string", scope_version)))
                if s["kind"] in KIND_TAG:
                    tags.append(tag("span.kind", ("string", KIND_TAG[s["kind"]])))
                code, message = s["status"]["code"], s["status"]["message"]
                if code == 2:
                    tags.append(tag("error", ("bool", True)))
                    tags.append(tag("otel.status_code", ("string", "ERROR")))
                    if message:
                        tags.append(tag("otel.status_description", ("string", message)))
                elif code == 1:
                    tags.append(tag("otel.status_code", ("string", "OK")))
                if s["trace_state"]:
                    tags.append(tag("w3c.tracestate", ("string", s["trace_state"])))
                logs = [{"timestamp": e["time"] // 1000,
                         "fields": ([tag("event", ("string", e["name"]))] if e["name"] else [])
                         + [tag(k, v) for k, v in e["attributes"]]} for e in s["events"]]
                records.append({
                    "traceID": tid, "spanID": s["span_id"].hex().rjust(16, "0"), "flags": 1,
                    "operationName": s["name"], "references": refs,
                    "startTime": s["start"] // 1000, "duration": max(0, s["end"] - s["start"]) // 1000,
                    "tags": tags, "logs": logs, "kind": KIND_TAG.get(s["kind"], ""),
                    "process": {"serviceName": service, "tags": ptags},
                    "received": now,
                })
    return records


def ui_trace_id(tid):
    """model.TraceID.String(): 16 hex digits when the high half is zero, else 32."""
    return tid[16:] if tid[:16] == "0" * 16 else tid


def parse_trace_id(s):
    """model.TraceIDFromString -> the full 32-digit form, or a ValueError with upstream's text."""
    if len(s) > 32:
        raise ValueError("TraceID cannot be longer than 32 hex characters: %s" % s)
    if not s or not re.fullmatch(r"[0-9a-fA-F]+", s):
        raise ValueError('strconv.ParseUint: parsing %s: invalid syntax' % json.dumps(s))
    return s.lower().rjust(32, "0")


def assemble(tid, spans):
    """A trace in the /api/traces form: spans with processIDs p1, p2, ... and the processes map."""
    processes, keys, out = {}, {}, []
    for s in spans:
        pkey = json.dumps(s["process"], sort_keys=True)
        if pkey not in keys:
            keys[pkey] = "p%d" % (len(keys) + 1)
            processes[keys[pkey]] = s["process"]
        span = {k: s[k] for k in ("spanID", "flags", "operationName", "startTime", "duration", "tags", "logs")}
        span["traceID"] = ui_trace_id(tid)
        span["references"] = [dict(r, traceID=ui_trace_id(r["traceID"])) for r in s["references"]]
        span["processID"] = keys[pkey]
        span["warnings"] = None
        out.append({k: span[k] for k in ("traceID", "spanID", "flags", "operationName", "references", "startTime",
                                         "duration", "tags", "logs", "processID", "warnings")})
    return {"traceID": ui_trace_id(tid), "spans": out, "processes": processes, "warnings": None}


# ---------------------------------------------------------------- span storage (badger / memory backends)

class Store:
    """One jaeger_storage backend.  badger (not ephemeral): the spans are appended as JSON lines to
    <directories.values>/standin-spans.jsonl and read back at start; both directories are locked (LOCK) as badger
    does.  memory and ephemeral badger: in memory only (memory: max_traces, oldest trace dropped first)."""

    def __init__(self, name, cfg):
        self.name = name
        self.lock = threading.Lock()
        self.traces = collections.OrderedDict()      # full trace id -> [records]
        self.file = None
        self.locks = []
        self.max_traces = None
        self.ttl_ns = None
        kinds = [t for t in BACKEND_TYPES if cfg.get(t) is not None]
        self.kind = kinds[0] if kinds else "none"
        if self.kind not in ("memory", "badger"):
            raise StartError("jaeger-standin: the %s backend is not imitated by the test stand-in (badger and "
                             "memory are)" % self.kind)
        if self.kind == "memory":
            self.max_traces = (cfg["memory"] or {}).get("max_traces")
            return
        b = cfg.get("badger") or {}
        self.ttl_ns = go_duration_ns((b.get("ttl") or {}).get("spans")) or DEFAULT_BADGER_TTL_NS
        if b.get("ephemeral", True):
            return
        dirs = b.get("directories") or {}
        exe_dir = os.path.dirname(os.path.abspath(sys.argv[0]))
        keys = dirs.get("keys") or exe_dir + "/data/keys"
        values = dirs.get("values") or exe_dir + "/data/values"
        for d in (keys, values):
            self.open_dir(d, b.get("read_only"))
        self.path = os.path.join(values, SPANS_FILE)
        self.load()
        try:
            self.file = open(self.path, "a", encoding="utf-8")
        except OSError as e:
            raise StartError("open %s: %s" % (self.path, (e.strerror or str(e)).lower()))

    def open_dir(self, d, read_only):
        try:
            os.makedirs(d, 0o700, exist_ok=True)
        except OSError as e:
            raise StartError('Error Creating Dir: "%s" error: mkdir %s: %s'
                             % (d, e.filename or d, (e.strerror or str(e)).lower()))
        if d in (x[0] for x in self.locks):
            return
        lock = os.path.join(d, "LOCK")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as e:
            raise StartError('Cannot write pid file "%s": open %s: %s' % (lock, lock, (e.strerror or str(e)).lower()))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StartError('Cannot acquire directory lock on "%s".  Another process is using this Badger database. '
                             'error: resource temporarily unavailable' % d)
        os.ftruncate(fd, 0)
        os.write(fd, b"%d\n" % os.getpid())
        self.locks.append((d, fd))

    def load(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                lines = f.readlines()
        except FileNotFoundError:
            return
        except OSError as e:
            raise StartError("read %s: %s" % (self.path, (e.strerror or str(e)).lower()))
        n = 0
        for ln in lines:
            try:
                r = json.loads(ln)
                self.traces.setdefault(r["traceID"], []).append(r)
                n += 1
            except (ValueError, KeyError, TypeError):
                continue          # a torn last line
        log("info", "badger/factory.go:128", "Badger store loaded (test stand-in: JSON lines)",
            **{"storage": self.name, "file": self.path, "spans": n})

    def write(self, records):
        with self.lock:
            if self.file:
                self.file.write("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records))
                self.file.flush()
            for r in records:
                self.traces.setdefault(r["traceID"], []).append(r)
            if self.max_traces:
                while len(self.traces) > self.max_traces:
                    self.traces.popitem(last=False)

    def snapshot(self):
        cutoff = time.time_ns() - self.ttl_ns if self.ttl_ns else None
        with self.lock:
            out = []
            for tid, spans in self.traces.items():
                if cutoff is not None:
                    spans = [s for s in spans if s.get("received", 0) >= cutoff]
                if spans:
                    out.append((tid, list(spans)))
            return out

    def count(self):
        with self.lock:
            return sum(len(v) for v in self.traces.values())

    def close(self):
        if self.file:
            self.file.close()
        for dummy, fd in self.locks:
            os.close(fd)


# ---------------------------------------------------------------- listening

def split_endpoint(endpoint, what):
    """host:port as net.Listen takes it; "localhost" listens on 127.0.0.1 only, as Go does."""
    endpoint = str(endpoint)
    m = re.match(r"^(\[[^\]]*\]|[^:]*):([^:]*)$", endpoint)
    if not m:
        raise StartError("%s: listen tcp: address %s: %s" % (
            what, endpoint, "too many colons in address" if endpoint.count(":") > 1 else "missing port in address"))
    host, port = m.group(1).strip("[]"), m.group(2)
    if not port.isdigit() or int(port) > 65535:
        raise StartError("%s: listen tcp: lookup tcp/%s: unknown port" % (what, port))
    if host == "localhost":
        host = "127.0.0.1"
    elif host and not re.match(r"^[0-9.]+$|:", host):
        try:
            host = socket.gethostbyname(host)
        except OSError as e:
            raise StartError("%s: listen tcp: lookup %s: %s" % (what, host, e))
    return host, int(port)


def bind_error(what, endpoint, e):
    return StartError("%s: listen tcp %s: bind: %s" % (what, endpoint, (e.strerror or str(e)).lower()))


class TCPOnly:
    """A gRPC endpoint: the port is listened on and connections are accepted, then closed (no gRPC)."""

    def __init__(self, host, port, what, endpoint):
        family = socket.AF_INET6 if ":" in host or not host else socket.AF_INET
        try:
            self.sock = socket.socket(family, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            self.sock.bind((host or "::", port))
            self.sock.listen(16)
        except OSError as e:
            if not host and family == socket.AF_INET6:
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    self.sock.bind(("0.0.0.0", port))
                    self.sock.listen(16)
                except OSError as e2:
                    raise bind_error(what, endpoint, e2)
            else:
                raise bind_error(what, endpoint, e)
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                conn, dummy = self.sock.accept()
            except OSError:
                return
            conn.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def serve_http(endpoint, handler, what):
    host, port = split_endpoint(endpoint, what)
    try:
        server = listen(host, port, handler)
    except OSError as e:
        raise bind_error(what, endpoint, e)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rfc3339(ns):
    dt = datetime.datetime.fromtimestamp(ns / 1e9, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------- the running collector

class App:
    def __init__(self, model, cfg, files, sha256):
        self.model = model
        self.cfg = cfg
        self.files = files
        self.sha256 = sha256
        self.start_ns = time.time_ns()
        self.state = "StatusStarting"
        self.state_ns = self.start_ns
        self.stores = {}
        self.servers = []
        self.listeners = []
        self.counters = collections.Counter()
        self.counters_lock = threading.Lock()
        self.pipelines = dict(model["pipelines"])
        backends = {}
        for e in model["service_extensions"]:
            if ctype(e) == "jaeger_storage":
                backends.update((model["extensions"][e] or {}).get("backends") or {})
        self.backends = backends

    def count(self, key, n=1):
        with self.counters_lock:
            self.counters[key] += n

    def set_state(self, state):
        self.state = state
        self.state_ns = time.time_ns()

    def store(self, name):
        if name not in self.stores:
            if name not in self.backends:
                raise StartError("storage '%s' not declared in 'jaeger_storage' extension configuration" % name)
            try:
                self.stores[name] = Store(name, self.backends[name])
            except StartError as e:
                raise StartError("failed to initialize storage '%s': %s" % (name, e))
        return self.stores[name]

    # -- start, in the collector's order: telemetry, extensions, pipelines (exporters, processors, receivers)
    def start(self):
        m = self.model
        unsupported = []
        for kind in ("receivers", "processors", "exporters"):
            used = {x for p in m["pipelines"].values() for x in p.get(kind, [])}
            for cid in sorted(used):
                if cid in m["connectors"]:
                    unsupported.append("connector %s" % cid)
                elif ctype(cid) not in RUNS[kind]:
                    unsupported.append("%s %s" % (KIND_SINGULAR[kind], cid))
        for e in m["service_extensions"]:
            if ctype(e) not in RUNS["extensions"]:
                unsupported.append("extension %s" % e)
        for pid in m["pipelines"]:
            if pid.split("/", 1)[0] != "traces":
                unsupported.append("pipeline %s" % pid)
        if unsupported:
            raise StartError("jaeger-standin: not imitated by the test stand-in: %s (it runs the otlp receiver, the "
                             "batch and memory_limiter processors, jaeger_storage_exporter, nop, and the "
                             "jaeger_storage, jaeger_query and healthcheckv2 extensions, for traces pipelines)"
                             % ", ".join(unsupported))
        tel = m["telemetry"]
        log("info", "service@%s/service.go:193" % OTELCOL_VERSION, "Setting up own telemetry...")
        if tel["metrics_level"] != "none":
            for host, port in tel["readers"]:
                endpoint = "%s:%s" % (host, port)
                self.servers.append(serve_http(endpoint, self.handler(MetricsHandler), "telemetry"))
                log("info", "otelconftelemetry/metrics.go:91", "Serving metrics",
                    **{"address": endpoint, "metrics level": tel["metrics_level"].capitalize()})
        log("info", "service@%s/service.go:248" % OTELCOL_VERSION, "Starting jaeger...",
            Version=VERSION, NumCPU=os.cpu_count() or 1)
        log("info", "extensions/extensions.go:41", "Starting extensions...")
        for e in m["service_extensions"]:
            log("info", "extensions/extensions.go:45", "Extension is starting...",
                **{"otelcol.component.id": e, "otelcol.component.kind": "extension"})
            try:
                self.start_extension(e, m["extensions"][e] or {})
            except StartError as err:
                raise StartError('failed to start extensions: failed to start "%s" extension: %s' % (e, err))
            log("info", "extensions/extensions.go:62", "Extension started.",
                **{"otelcol.component.id": e, "otelcol.component.kind": "extension"})
        for pid, p in m["pipelines"].items():
            for x in p["exporters"]:
                if ctype(x) == "jaeger_storage_exporter":
                    name = m["exporters"][x].get("trace_storage")
                    try:
                        self.store(name)
                    except StartError as err:
                        raise StartError('cannot start pipelines: failed to start "%s" exporter: cannot find storage '
                                         'factory: %s' % (x, err))
        started = set()
        for pid, p in m["pipelines"].items():
            for r in p["receivers"]:
                if r in started:
                    continue
                started.add(r)
                try:
                    self.start_receiver(r, m["receivers"][r] or {})
                except StartError as err:
                    raise StartError('cannot start pipelines: failed to start "%s" receiver: %s' % (r, err))
        self.set_state("StatusOK")
        log("info", "service@%s/service.go:271" % OTELCOL_VERSION,
            "Everything is ready. Begin running and processing data.")

    def handler(self, cls, **attrs):
        return type(cls.__name__, (cls,), dict(attrs, app=self))

    def start_extension(self, eid, c):
        typ = ctype(eid)
        if typ == "jaeger_query":
            name = (c.get("storage") or {}).get("traces")
            try:
                self.store(name)
            except StartError as err:
                raise StartError("cannot find factory for trace storage %s: %s" % (name, err))
            endpoint = (c.get("http") or {}).get("endpoint") or ":16686"
            base = (c.get("base_path") or "").rstrip("/")
            self.servers.append(serve_http(endpoint, self.handler(QueryHandler, storage=name, base=base),
                                           "jaeger_query http"))
            gendpoint = (c.get("grpc") or {}).get("endpoint") or ":16685"
            host, port = split_endpoint(gendpoint, "jaeger_query grpc")
            self.listeners.append(TCPOnly(host, port, "jaeger_query grpc", gendpoint))
            log("info", "jaegerquery/server.go:265", "Query server started",
                **{"http_addr": endpoint, "grpc_addr": gendpoint})
        elif typ == "healthcheckv2":
            if not c.get("use_v2"):
                endpoint = c.get("endpoint") or "localhost:13133"
                self.servers.append(serve_http(endpoint, self.handler(HealthHandler, v2=False,
                                                                      status_path=c.get("path") or "/",
                                                                      config_path=None), "healthcheckv2"))
                return
            if "http" in c:
                h = c.get("http") or {}
                st, cf = h.get("status") or {}, h.get("config") or {}
                status_path = (st.get("path") or "/status") if st.get("enabled", True) else None
                config_path = (cf.get("path") or "/config") if cf.get("enabled", False) else None
                endpoint = h.get("endpoint") or "localhost:13133"
                self.servers.append(serve_http(endpoint, self.handler(HealthHandler, v2=True, status_path=status_path,
                                                                      config_path=config_path), "healthcheckv2 http"))
                log("info", "healthcheckv2extension@v0.155.0/extension.go:70", "Starting health check extension V2",
                    **{"otelcol.component.id": eid, "http endpoint": endpoint, "status path": status_path})
            if "grpc" in c:
                endpoint = (c.get("grpc") or {}).get("endpoint") or "localhost:13132"
                host, port = split_endpoint(endpoint, "healthcheckv2 grpc")
                self.listeners.append(TCPOnly(host, port, "healthcheckv2 grpc", endpoint))

    def start_receiver(self, rid, c):
        protocols = c.get("protocols") or {}
        if "grpc" in protocols:
            endpoint = (protocols.get("grpc") or {}).get("endpoint") or "localhost:4317"
            host, port = split_endpoint(endpoint, "otlp grpc")
            self.listeners.append(TCPOnly(host, port, "otlp grpc", endpoint))
            log("info", "otlpreceiver@%s/otlp.go:121" % OTELCOL_VERSION, "Starting GRPC server (test stand-in: "
                "TCP only, no gRPC)", **{"otelcol.component.id": rid, "endpoint": endpoint})
        if "http" in protocols:
            h = protocols.get("http") or {}
            endpoint = h.get("endpoint") or "localhost:4318"
            pipelines = [pid for pid, p in self.pipelines.items() if rid in p["receivers"]]
            self.servers.append(serve_http(endpoint, self.handler(
                OTLPHandler, receiver=rid, pipelines=pipelines,
                traces_path=h.get("traces_url_path") or "/v1/traces",
                max_body=h.get("max_request_body_size") or 20 * 1024 * 1024), "otlp http"))
            log("info", "otlpreceiver@%s/otlp.go:179" % OTELCOL_VERSION, "Starting HTTP server",
                **{"otelcol.component.id": rid, "endpoint": endpoint})

    def consume(self, receiver, pipelines, records):
        """Receiver -> each pipeline's processors (pass-through) -> its exporters."""
        for pid in pipelines:
            for x in self.pipelines[pid]["exporters"]:
                if ctype(x) == "jaeger_storage_exporter":
                    name = self.model["exporters"][x].get("trace_storage")
                    self.store(name).write(records)
                self.count(("exporter_sent", x), len(records))
        self.count(("receiver_accepted", receiver), len(records))

    def stop(self):
        self.set_state("StatusStopping")
        log("info", "otelcol@%s/collector.go:373" % OTELCOL_VERSION, "Starting shutdown...")
        # serve_forever notices a shutdown within its 0.5 s poll: stop them all at once.
        stoppers = [threading.Thread(target=s.shutdown) for s in self.servers]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()
        for s in self.servers:
            s.server_close()
        for ln in self.listeners:
            ln.close()
        log("info", "extensions/extensions.go:76", "Stopping extensions...")
        for st in self.stores.values():
            st.close()
        log("info", "service@%s/service.go:335" % OTELCOL_VERSION, "Shutdown complete.")


# ---------------------------------------------------------------- HTTP handlers

def read_body(h, limit):
    """The request body: Content-Length or chunked."""
    if "chunked" in (h.headers.get("Transfer-Encoding") or "").lower():
        out = bytearray()
        while True:
            size = int(h.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(out)
            out += h.rfile.read(size)
            h.rfile.readline()
            if len(out) > limit:
                raise PBError("http: request body too large")
    n = int(h.headers.get("Content-Length") or 0)
    if n > limit:
        h.rfile.read(n)
        raise PBError("http: request body too large")
    return h.rfile.read(n) if n > 0 else b""


class OTLPHandler(GoHandler):
    app = receiver = pipelines = traces_path = max_body = None

    def route(self):
        return urllib.parse.urlsplit(self.path).path

    def not_post(self):
        if self.route() == self.traces_path:
            self.reply(405, "405 method not allowed, supported: [POST]")
        else:
            self.reply(404, "404 page not found\n")

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = not_post

    def error(self, code, status_code, message, json_mode):
        if json_mode:
            self.reply(code, json.dumps({"code": status_code, "message": message}), "application/json")
        else:
            self.reply(code, pb_status(status_code, message), "application/x-protobuf")

    def do_POST(self):
        if self.route() != self.traces_path:
            read_body(self, self.max_body)
            self.reply(404, "404 page not found\n")
            return
        ctype_ = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype_ not in ("application/json", "application/x-protobuf"):
            read_body(self, self.max_body)
            self.reply(415, "415 unsupported media type, supported: [application/json, application/x-protobuf]")
            return
        json_mode = ctype_ == "application/json"
        try:
            body = read_body(self, self.max_body)
            enc = (self.headers.get("Content-Encoding") or "").strip().lower()
            if enc == "gzip":
                try:
                    body = gzip.decompress(body)
                except (OSError, EOFError, zlib.error) as e:
                    raise PBError("gzip: %s" % e)
            elif enc in ("deflate", "zlib"):
                try:
                    body = zlib.decompress(body)
                except zlib.error as e:
                    raise PBError("zlib: %s" % e)
            elif enc not in ("", "identity"):
                self.reply(400, 'unsupported Content-Encoding: "%s" (the test stand-in decodes gzip, deflate '
                                'and zlib)' % enc)
                return
            request = json_request(body) if json_mode else pb_request(body)
            records = to_records(request)
        except PBError as e:
            self.app.count(("receiver_refused", self.receiver))
            self.error(400, 3, "proto: " + str(e) if not json_mode else str(e), json_mode)
            return
        try:
            self.app.consume(self.receiver, self.pipelines, records)
        except (OSError, StartError) as e:
            self.app.count(("receiver_refused", self.receiver), len(records))
            self.error(503, 14, str(e), json_mode)
            return
        if json_mode:
            self.reply(200, "{}", "application/json")
        else:
            self.reply(200, b"", "application/x-protobuf")


class QueryHandler(GoHandler):
    app = storage = None
    base = ""
    version = VERSION

    def send_json(self, obj, status=200):
        self.reply(status, go_json(obj), "application/json")

    def api_error(self, status, msg):
        self.send_json({"data": None, "total": 0, "limit": 0, "offset": 0,
                        "errors": [{"code": status, "msg": msg}]}, status)

    def do_POST(self):
        read_body(self, 1 << 24)
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith(self.base + "/api/"):
            self.api_error(501, "test stand-in: %s is not imitated" % path)
        else:
            self.reply(405, "Method Not Allowed\n")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if self.base:
            if not path.startswith(self.base + "/") and path != self.base:
                self.reply(404, "404 page not found\n")
                return
            path = path[len(self.base):] or "/"
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        store = self.app.stores[self.storage]
        if path == "/api/services":
            services = sorted({s["process"]["serviceName"] for dummy, spans in store.snapshot() for s in spans})
            self.send_json({"data": services, "total": len(services), "limit": 0, "offset": 0, "errors": None})
        elif re.fullmatch(r"/api/services/[^/]+/operations", path):
            service = urllib.parse.unquote(path.split("/")[3])
            ops = sorted({s["operationName"] for dummy, spans in store.snapshot() for s in spans
                          if s["process"]["serviceName"] == service})
            self.send_json({"data": ops, "total": len(ops), "limit": 0, "offset": 0, "errors": None})
        elif path == "/api/operations":
            service = (q.get("service") or [""])[0]
            if not service:
                self.api_error(400, "parameter 'service' is required")
                return
            kind = (q.get("spanKind") or [""])[0]
            ops = sorted({(s["operationName"], s.get("kind", "")) for dummy, spans in store.snapshot()
                          for s in spans if s["process"]["serviceName"] == service
                          and (not kind or s.get("kind") == kind)})
            data = [{"name": n, "spanKind": k} for n, k in ops]
            self.send_json({"data": data, "total": len(data), "limit": 0, "offset": 0, "errors": None})
        elif path == "/api/traces":
            self.search(store, q)
        elif re.fullmatch(r"/api/traces/[^/]+", path):
            try:
                tid = parse_trace_id(path.rsplit("/", 1)[1])
            except ValueError as e:
                self.api_error(400, str(e))
                return
            for t, spans in store.snapshot():
                if t == tid:
                    trace = assemble(t, spans)
                    self.send_json({"data": [trace], "total": 0, "limit": 0, "offset": 0, "errors": None})
                    return
            self.api_error(404, "trace not found")
        elif path == "/api/dependencies":
            self.send_json({"data": [], "total": 0, "limit": 0, "offset": 0, "errors": None})
        elif path.startswith("/api/"):
            self.reply(404, "404 page not found\n")
        else:
            self.reply(200, "<!doctype html><html><head><title>Jaeger UI</title></head><body><p>Jaeger %s query "
                            "service (test stand-in: no UI; the JSON API is under %s/api/)</p></body></html>\n"
                       % (self.version, self.base), "text/html; charset=utf-8")

    def search(self, store, q):
        def one(name):
            return (q.get(name) or [""])[0]
        trace_ids = q.get("traceID") or []
        service, operation = one("service"), one("operation")
        try:
            ids = [parse_trace_id(t) for t in trace_ids]
        except ValueError as e:
            self.api_error(400, "cannot parse traceID param: %s" % e)
            return
        if ids:
            found = {t: spans for t, spans in store.snapshot() if t in ids}
            data = [assemble(t, found[t]) for t in ids if t in found]
            errors = [{"msg": "trace not found", "traceID": ui_trace_id(t)} for t in ids if t not in found] or None
            self.send_json({"data": data, "total": 0, "limit": 0, "offset": 0, "errors": errors})
            return
        if not service:
            self.api_error(400, "parameter 'service' is required")
            return
        # start/end: Unix microseconds of the spans' start; by default the last 48 h (the query service's
        # trace query lookback) up to now.
        now_us = time.time_ns() // 1000
        bounds = {}
        for name, dflt in (("start", now_us - 48 * 3600 * 10**6), ("end", now_us)):
            try:
                bounds[name] = int(one(name)) if one(name) else dflt
            except ValueError:
                self.api_error(400, "unable to parse param '%s': strconv.ParseInt: parsing %s: invalid syntax"
                               % (name, json.dumps(one(name))))
                return
        start, end = bounds["start"], bounds["end"]
        try:
            limit = int(one("limit")) if one("limit") else 100
        except ValueError:
            self.api_error(400, 'strconv.ParseInt: parsing %s: invalid syntax' % json.dumps(one("limit")))
            return
        durations = {}
        for name in ("minDuration", "maxDuration"):
            if one(name):
                ns = go_duration_ns(one(name))
                if ns is None:
                    self.api_error(400, 'unable to parse param \'%s\': time: invalid duration %s'
                                   % (name, json.dumps(one(name))))
                    return
                durations[name] = ns // 1000
        tags = {}
        for t in q.get("tag") or []:
            k, sep, v = t.partition(":")
            if not sep:
                self.api_error(400, "malformed 'tag' parameter, expecting key:value, received: %s" % t)
                return
            tags[k] = v
        for t in q.get("tags") or []:
            try:
                tags.update({str(k): str(v) for k, v in json.loads(t).items()})
            except (ValueError, AttributeError) as e:
                self.api_error(400, "malformed 'tags' parameter, cannot unmarshal JSON: %s" % e)
                return

        def tag_text(tg):
            v = tg["value"]
            return ("true" if v else "false") if isinstance(v, bool) else str(v)

        def matches(s):
            if s["process"]["serviceName"] != service or (operation and s["operationName"] != operation):
                return False
            if s["startTime"] < start or s["startTime"] > end:
                return False
            if "minDuration" in durations and s["duration"] < durations["minDuration"]:
                return False
            if "maxDuration" in durations and s["duration"] > durations["maxDuration"]:
                return False
            have = {tg["key"]: tag_text(tg) for tg in s["tags"] + s["process"]["tags"]}
            return all(have.get(k) == v for k, v in tags.items())

        hits = []
        for t, spans in store.snapshot():
            starts = [s["startTime"] for s in spans if matches(s)]
            if starts:
                hits.append((max(starts), t, spans))
        hits.sort(key=lambda h: -h[0])
        data = [assemble(t, spans) for dummy, t, spans in hits[:limit if limit > 0 else 100]]
        self.send_json({"data": data, "total": 0, "limit": 0, "offset": 0, "errors": None})


class HealthHandler(GoHandler):
    app = status_path = config_path = None
    v2 = True
    CODES = {"StatusStarting": 503, "StatusOK": 200, "StatusStopping": 503}

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        app = self.app
        code = self.CODES.get(app.state, 503)
        if not self.v2:
            if url.path != self.status_path:
                self.reply(404, "404 page not found\n")
                return
            body = {"status": "Server available" if code == 200 else "Server not available"}
            if code == 200:
                body["upSince"] = rfc3339(app.start_ns)
                body["uptime"] = "%.6fs" % ((time.time_ns() - app.start_ns) / 1e9)
            self.reply(code, json.dumps(body, separators=(",", ":")), "application/json")
            return
        if self.config_path and url.path == self.config_path:
            self.reply(200, go_json(app.cfg), "application/json")
            return
        if url.path != self.status_path:
            self.reply(404, "404 page not found\n")
            return
        ev = {"healthy": code == 200, "status": app.state, "status_time": rfc3339(app.state_ns)}
        body = {"start_time": rfc3339(app.start_ns)}
        body.update(ev)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if "verbose" in q:
            comps = {"extensions": dict(ev, components={"extension:%s" % e: dict(ev)
                                                        for e in app.model["service_extensions"]})}
            for pid, p in app.pipelines.items():
                members = {"receiver:%s" % r: dict(ev) for r in p["receivers"]}
                members.update({"processor:%s" % r: dict(ev) for r in p["processors"]})
                members.update({"exporter:%s" % r: dict(ev) for r in p["exporters"]})
                comps["pipeline:%s" % pid] = dict(ev, components=members)
            body["components"] = comps
        self.reply(code, json.dumps(body, separators=(",", ":")), "application/json")

    def do_HEAD(self):
        self.do_GET()


class MetricsHandler(GoHandler):
    app = None

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path != "/metrics":
            self.reply(404, "404 page not found\n")
            return
        app = self.app
        res = {"service_instance_id": RESOURCE["service.instance.id"], "service_name": RESOURCE["service.name"],
               "service_version": RESOURCE["service.version"]}
        with app.counters_lock:
            counters = dict(app.counters)
        out = []
        metric(out, "otelcol_receiver_accepted_spans_total", "counter",
               "Number of spans successfully pushed into the pipeline. [Alpha]",
               [(dict(res, receiver=r, transport="http"), counters.get(("receiver_accepted", r), 0))
                for r in sorted({x for p in app.pipelines.values() for x in p["receivers"]})])
        metric(out, "otelcol_receiver_refused_spans_total", "counter",
               "Number of spans that could not be pushed into the pipeline. [Alpha]",
               [(dict(res, receiver=r, transport="http"), counters.get(("receiver_refused", r), 0))
                for r in sorted({x for p in app.pipelines.values() for x in p["receivers"]})])
        metric(out, "otelcol_exporter_sent_spans_total", "counter",
               "Number of spans successfully sent to destination. [Alpha]",
               [(dict(res, exporter=x), counters.get(("exporter_sent", x), 0))
                for x in sorted({x for p in app.pipelines.values() for x in p["exporters"]})])
        metric(out, "otelcol_process_uptime_seconds_total", "counter",
               "Uptime of the process [Alpha]", [(res, "%.3f" % ((time.time_ns() - app.start_ns) / 1e9))])
        metric(out, "target_info", "gauge", "Target metadata", [(res, 1)])
        metric(out, "standin_config_loaded", "gauge",
               "1: the test stand-in read and checked its configuration file.", [({}, 1)])
        metric(out, "standin_config_info", "gauge", "The configuration files the test stand-in read, with the "
               "SHA-256 of their contents.", [({"file": ",".join(app.files), "sha256": app.sha256}, 1)])
        metric(out, "standin_stored_spans", "gauge", "Spans held by each jaeger_storage backend.",
               [({"storage": n}, st.count()) for n, st in sorted(app.stores.items())])
        self.reply(200, "\n".join(out) + "\n", "text/plain; version=0.0.4; charset=utf-8")


# ---------------------------------------------------------------- Jaeger 1.x all-in-one (jaeger-v1-standin)
#
# Selected when the script runs as .../all-in-one-linux (the jaeger-v1-standin image's /go/bin/all-in-one-linux,
# as upstream's cmd/all-in-one/Dockerfile at v1.76.0).  Sources (jaegertracing/jaeger v1.76.0): cmd/all-in-one
# (main.go, Dockerfile), cmd/internal/flags (service.go, admin.go, flags.go), internal/config/config.go (every
# flag also read from the environment, '.' and '-' as '_'), internal/healthcheck/handler.go, internal/storage/v1/
# factory (config.go, factory.go), internal/storage/v1/badger (options.go, config.go, factory.go),
# cmd/collector/app (collector.go, flags/flags.go, metrics.go, processor/constants.go), cmd/query/app/flags.go,
# ports/ports.go, internal/version.

V1_VERSION = "v1.76.0"
V1_ENTRYPOINT = "all-in-one-linux"
V1_STORAGE_TYPES = ["cassandra", "opensearch", "elasticsearch", "memory", "kafka", "badger", "blackhole", "grpc"]
V1_RUNS_STORAGE = ("badger", "memory")
# The flags the stand-in reads (name -> default; None: computed), each also from the environment.  The storage
# flags exist only for the storage type in use, as upstream registers only that factory's flags.
V1_FLAGS = collections.OrderedDict([
    ("config-file", ""),
    ("log-level", "info"),
    ("log-encoding", "json"),
    ("span-storage.type", ""),
    ("admin.http.host-port", ":14269"),
    ("collector.http-server.host-port", ":14268"),
    ("collector.grpc-server.host-port", ":14250"),
    ("collector.otlp.enabled", "true"),
    ("collector.otlp.http.host-port", ":4318"),
    ("collector.otlp.grpc.host-port", ":4317"),
    ("collector.zipkin.host-port", ""),
    ("query.http-server.host-port", ":16686"),
    ("query.grpc-server.host-port", ":16685"),
    ("query.base-path", "/"),
])
V1_STORAGE_FLAGS = {
    "badger": collections.OrderedDict([
        ("badger.ephemeral", "true"),
        ("badger.directory-key", None),
        ("badger.directory-value", None),
        ("badger.span-store-ttl", "72h0m0s"),
    ]),
    "memory": collections.OrderedDict([("memory.max-traces", "0")]),
}
V1_BOOL_FLAGS = {"collector.otlp.enabled", "badger.ephemeral"}
# Environment variables of Jaeger 1.x settings the stand-in does not read: named in a warning at start.
V1_ENV_PREFIXES = ("ADMIN_", "BADGER_", "COLLECTOR_", "QUERY_", "MEMORY_", "LOG_", "METRICS_", "SAMPLING_",
                   "DEPENDENCY_", "DOWNSAMPLING_", "MULTI_TENANCY_")
V1_ENV_QUIET = {"SPAN_STORAGE_TYPE", "SAMPLING_STRATEGIES_FILE"}

V1_USAGE = """Jaeger all-in-one distribution with collector and query (test stand-in for jaegertracing/all-in-one:%s;
tests/images/jaeger-v1-standin).  Every flag is also read from the environment, '.' and '-' as '_'
(--badger.directory-key: BADGER_DIRECTORY_KEY); SPAN_STORAGE_TYPE selects the storage (default memory).

Usage:
  jaeger-all-in-one [flags]
  jaeger-all-in-one [command]

Available Commands:
  help        Help about any command
  version     Print the version.

Flags (the stand-in reads only these):
%s  -h, --help   help for jaeger-all-in-one
"""


def v1_env_name(flag):
    return flag.upper().replace(".", "_").replace("-", "_")


def go_duration_text(ns):
    """time.Duration.String: 1h0m0s, 2m3.5s, 1.25s, 1.5ms, 0s."""
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u == 0:
        return "0s"
    if u < 10**9:
        for unit, scale, digits in (("ns", 1, 0), ("\u00b5s", 10**3, 3), ("ms", 10**6, 6)):
            if u < scale * 1000:
                break
        whole, frac = divmod(u, scale)
        return sign + str(whole) + ("." + str(frac).rjust(digits, "0").rstrip("0") if frac else "") + unit
    secs, frac = divmod(u, 10**9)
    hours, rest = divmod(secs, 3600)
    minutes, secs = divmod(rest, 60)
    text = str(secs) + ("." + str(frac).rjust(9, "0").rstrip("0") if frac else "") + "s"
    if hours:
        return "%s%dh%dm%s" % (sign, hours, minutes, text)
    return sign + ("%dm" % minutes if minutes else "") + text


def rfc3339_nano(ns):
    """time.Time in JSON (RFC 3339 with up to nine fraction digits, trailing zeros dropped), UTC."""
    secs, frac = divmod(ns, 10**9)
    text = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return text + ("." + str(frac).rjust(9, "0").rstrip("0") if frac else "") + "Z"


def v1_parse_bool(text):
    """strconv.ParseBool, with its error text."""
    try:
        return parse_bool(text)
    except ValueError:
        raise ValueError('strconv.ParseBool: parsing %s: invalid syntax' % json.dumps(text))


class V1Settings:
    """The flags given on the command line (pflag: --name=value, --name value, a bare --bool) over the environment
    (viper's AutomaticEnv: an empty variable counts as unset) over the defaults."""

    def __init__(self, args, storage_type):
        self.known = collections.OrderedDict(V1_FLAGS)
        self.known.update(V1_STORAGE_FLAGS.get(storage_type, {}))
        exe_dir = os.path.dirname(os.path.abspath(sys.argv[0]))
        for key, dflt in self.known.items():
            if dflt is None:
                self.known[key] = exe_dir + ("/data/keys" if key.endswith("key") else "/data/values")
        self.given = {}
        # As cobra: every flag is parsed first (an unknown one fails wherever -h/--help stands), then the usage.
        wants_help = False
        i = 0
        while i < len(args):
            a = args[i]
            i += 1
            if a in ("-h", "--help"):
                wants_help = True
            elif a.startswith("--") and len(a) > 2:
                name, eq, value = a[2:].partition("=")
                if name not in self.known:
                    fatal("unknown flag: --%s" % name, "the test stand-in reads only these flags (each also from "
                          "the environment): %s" % ", ".join("--" + k for k in self.known))
                if not eq:
                    if name in V1_BOOL_FLAGS:
                        value = "true"
                    elif i < len(args):
                        value = args[i]
                        i += 1
                    else:
                        fatal("flag needs an argument: --%s" % name)
                if name in V1_BOOL_FLAGS:
                    try:
                        v1_parse_bool(value)
                    except ValueError as e:
                        fatal('invalid argument "%s" for "--%s" flag: %s' % (value, name, e))
                self.given[name] = value
            elif a.startswith("-") and len(a) > 1:
                fatal("unknown shorthand flag: '%s' in %s" % (a[1], a))
            else:
                fatal('unknown command "%s" for "jaeger-all-in-one"' % a)
        if wants_help:
            self.usage()

    def usage(self):
        lines = "".join("      --%-40s env %-32s default %s\n" % (k, v1_env_name(k), json.dumps(v))
                        for k, v in self.known.items())
        sys.stdout.write(V1_USAGE % (V1_VERSION.lstrip("v"), lines))
        sys.exit(0)

    def source(self, key):
        return "--" + key if key in self.given else v1_env_name(key)

    def get(self, key):
        if key in self.given:
            return self.given[key]
        return os.environ.get(v1_env_name(key)) or self.known[key]

    def is_set(self, key):
        return key in self.given or bool(os.environ.get(v1_env_name(key)))

    def boolean(self, key):
        """strconv.ParseBool; upstream's viper reads anything else as false, the stand-in refuses it."""
        value = self.get(key)
        try:
            return v1_parse_bool(value)
        except ValueError as e:
            raise StartError("jaeger-standin: %s=%s is not a boolean (%s); upstream's viper would read it as false"
                             % (self.source(key), json.dumps(value), e))

    def ignored_env(self):
        names = {v1_env_name(k) for k in self.known} | V1_ENV_QUIET
        return sorted(k for k, v in os.environ.items() if v and k.startswith(V1_ENV_PREFIXES) and k not in names)


class V1App:
    """The all-in-one process: admin server (health, metrics), one span store, collector and query servers."""

    def __init__(self, settings, storage_type):
        self.settings = settings
        self.storage = storage_type
        self.stores = {}
        self.servers = []
        self.listeners = []
        self.health = "unavailable"
        self.up_since_ns = 0
        self.counters = collections.Counter()
        self.counters_lock = threading.Lock()

    def handler(self, cls, **attrs):
        return type(cls.__name__, (cls,), dict(attrs, app=self))

    def count(self, key, n=1):
        with self.counters_lock:
            self.counters[key] += n

    def consume(self, receiver, dummy_pipelines, records):
        """The OTLP receiver's spans -> the span processor -> the span writer (the storage's)."""
        self.stores[self.storage].write(records)
        with self.counters_lock:
            for r in records:
                svc = r["process"]["serviceName"] or "__unknown"
                self.counters[("received", svc)] += 1
                self.counters[("saved", svc)] += 1

    def set_health(self, status):
        if status == "ready" and self.health != "ready":
            self.up_since_ns = time.time_ns()
        self.health = status
        log("info", "healthcheck/handler.go:129", "Health Check state change", status=status)

    def listen_http(self, endpoint, cls, what, **attrs):
        server = serve_http(endpoint, self.handler(cls, **attrs), what)
        self.servers.append(server)
        return server

    def listen_tcp(self, endpoint, what):
        host, port = split_endpoint(endpoint, what)
        self.listeners.append(TCPOnly(host, port, what, endpoint))

    def stop(self):
        stoppers = [threading.Thread(target=s.shutdown) for s in self.servers]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()
        for s in self.servers:
            s.server_close()
        for ln in self.listeners:
            ln.close()
        for st in self.stores.values():
            st.close()


def v1_format_host_port(hp):
    """ports.FormatHostPort: the collector's endpoints take a bare port as :port."""
    return hp if not hp or ":" in hp else ":" + hp


def v1_fatal(caller, msg, err, hint=None):
    """zap's logger.Fatal: one fatal line with the error, exit 1 (and the stand-in's hint after it)."""
    log("fatal", caller, msg, error=str(err))
    if hint:
        sys.stderr.write("jaeger-standin: %s\n" % hint)
    sys.exit(1)


def v1_storage(app, settings, storage_type):
    """storageFactory.InitFromViper + Initialize, with the stand-in's checks of what upstream reads silently."""
    if storage_type == "memory":
        try:
            max_traces = int(settings.get("memory.max-traces"))
        except ValueError:
            raise StartError("jaeger-standin: %s=%s is not an integer; upstream's viper would read it as 0"
                             % (settings.source("memory.max-traces"), json.dumps(settings.get("memory.max-traces"))))
        app.stores["memory"] = Store("memory", {"memory": {"max_traces": max_traces}})
        return
    key = "badger.span-store-ttl"
    ttl = settings.get(key)
    ttl_ns = go_duration_ns(ttl)
    if ttl_ns is None:
        raise StartError("jaeger-standin: %s=%s is not a Go duration (time: invalid duration %s); upstream's viper "
                         "would read it as %s, so every span would expire at once; write hours and minutes as Go "
                         "does, e.g. 168h or 72h30m (Go has no d unit)"
                         % (settings.source(key), json.dumps(ttl), json.dumps(ttl),
                            "that many nanoseconds" if ttl.isdigit() else "0"))
    if ttl_ns <= 0:
        raise StartError("jaeger-standin: %s=%s: the span TTL must be above zero (upstream would keep no span)"
                         % (settings.source(key), json.dumps(ttl)))
    ephemeral = settings.boolean("badger.ephemeral")
    cfg = {"ttl": {"spans": ttl_ns}, "ephemeral": ephemeral}
    if not ephemeral:
        missing = [k for k in ("badger.directory-key", "badger.directory-value") if not settings.is_set(k)]
        if missing:
            raise StartError("jaeger-standin: %s=false needs %s: without %s upstream uses %s, inside the container's "
                             "own filesystem (not on a volume, and not writable by UID %d)"
                             % (settings.source("badger.ephemeral"), " and ".join(v1_env_name(k) for k in missing),
                                "them" if len(missing) > 1 else "it",
                                " and ".join(settings.get(k) for k in missing), UID))
        cfg["directories"] = {"keys": settings.get("badger.directory-key"),
                              "values": settings.get("badger.directory-value")}
    app.stores["badger"] = Store("badger", {"badger": cfg})
    log("info", "badger/factory.go:159", "Badger storage configuration", configuration={
        "Dir": cfg.get("directories", {}).get("keys", "(ephemeral: in memory, test stand-in)"),
        "ValueDir": cfg.get("directories", {}).get("values", "(ephemeral: in memory, test stand-in)"),
        "SpanStoreTTL": go_duration_text(ttl_ns)})


def v1_eol_notice():
    sys.stderr.write("\n" + "*" * 79 + "\n\nWARNING: End-of-life notice for Jaeger v1 (test stand-in for "
                     "jaegertracing/all-in-one:%s)\n\nJaeger v1 reached its end of life on December 31st, 2025: no "
                     "further fixes or security patches.\nMigrate to Jaeger v2: "
                     "https://www.jaegertracing.io/docs/latest/migration/\n\n" % V1_VERSION.lstrip("v")
                     + "*" * 79 + "\n")
    sys.stderr.flush()


def main_v1(argv):
    RESOURCE.clear()
    LOG_ENCODING["v"] = "json"
    v1_eol_notice()
    # main(): SPAN_STORAGE_TYPE (default memory for all-in-one) selects the storage factory before any flag is read.
    storage_types = (os.environ.get("SPAN_STORAGE_TYPE") or "memory").split(",")
    for t in storage_types:
        if t not in V1_STORAGE_TYPES:
            go_log("Cannot initialize storage factory: unknown storage type %s. Valid types are [%s]"
                   % (t, " ".join(V1_STORAGE_TYPES)))
            sys.exit(1)
    if len(storage_types) > 1 or storage_types[0] not in V1_RUNS_STORAGE:
        go_log("Cannot initialize storage factory: jaeger-standin: SPAN_STORAGE_TYPE=%s is not imitated by the test "
               "stand-in (it runs badger or memory, one at a time)" % ",".join(storage_types))
        sys.exit(1)
    storage_type = storage_types[0]
    go_log("application version: git-commit=standin, git-version=%s, build-date=" % V1_VERSION)
    args = list(argv[1:])
    if args and not args[0].startswith("-"):
        sub = args.pop(0)
        if sub == "version":
            sys.stdout.write(json.dumps({"gitCommit": "standin", "gitVersion": V1_VERSION, "buildDate": ""},
                                        separators=(",", ":")))
            return 0
        if sub == "help":
            V1Settings(["--help"], storage_type)
        if sub in ("completion", "docs", "env", "print-config", "status"):
            fatal('test stand-in: "all-in-one-linux %s" is not imitated' % sub)
        fatal('unknown command "%s" for "jaeger-all-in-one"' % sub)
    settings = V1Settings(args, storage_type)
    if settings.get("config-file"):
        fatal("cannot load config file: test stand-in: --config-file is not imitated (set environment variables)")
    # Service.Start: the logger, then the admin server (health check at /, /metrics).
    level = settings.get("log-level")
    if level.lower() not in ZAP_LEVELS or level not in (level.lower(), level.upper()):
        fatal("cannot create logger: unrecognized level: %s" % json.dumps(level))
    encoding = settings.get("log-encoding")
    if encoding not in ("json", "console"):
        fatal("cannot create logger: no encoder registered for name %s" % json.dumps(encoding))
    LOG_LEVEL["v"] = ZAP_LEVELS.index(level.lower())
    LOG_ENCODING["v"] = encoding
    log("warn", "jaeger-standin", "test stand-in for jaegertracing/all-in-one:%s (tests only; see "
        "tests/images/README.md, jaeger-v1-standin)" % V1_VERSION.lstrip("v"), uid=os.getuid(),
        span_storage_type=storage_type)
    ignored = settings.ignored_env()
    if ignored:
        log("warn", "jaeger-standin", "environment variables the test stand-in does not read (ignored)",
            variables=ignored)
    app = V1App(settings, storage_type)
    admin = settings.get("admin.http.host-port")
    log("info", "flags/service.go:120", "Mounting metrics handler on admin server", route="/metrics")
    log("info", "flags/service.go:126", "Mounting expvar handler on admin server", route="/debug/vars")
    try:
        server = app.listen_http(admin, V1AdminHandler, "cannot start the admin server")
    except StartError as e:
        fatal(e)
    log("info", "flags/admin.go:108", "Mounting health check on admin server", route="/")
    log("info", "flags/admin.go:122", "Starting admin HTTP server")
    log("info", "flags/admin.go:135", "Admin server started",
        **{"http.host-port": admin_address(server), "health-status": app.health})
    stop = threading.Event()
    received = []

    def on_signal(signum, dummy_frame):
        received.append(signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # The storage.
    try:
        v1_storage(app, settings, storage_type)
    except StartError as e:
        hint = None
        if any(x in str(e) for x in ("Cannot write pid file", "Error Creating Dir", "permission denied")):
            hint = ("the badger directories (BADGER_DIRECTORY_KEY and BADGER_DIRECTORY_VALUE) must be writable by "
                    "UID %d, the image's user: mount a volume or directory owned by %d:%d (see jaegertracing/jaeger "
                    "internal/storage/v1/badger/docs/storage-file-non-root-permission.md); running as UID %d"
                    % (UID, UID, UID, os.getuid()))
        app.stop()
        v1_fatal("all-in-one/main.go:112", "Failed to init storage factory", e, hint)
    # The collector: gRPC, HTTP, Zipkin (only when its port is set), OTLP.
    try:
        otlp = settings.boolean("collector.otlp.enabled")
    except StartError as e:
        app.stop()
        v1_fatal("all-in-one/main.go:148", "Failed to initialize collector", e)
    step = "could not start gRPC server"
    try:
        endpoint = v1_format_host_port(settings.get("collector.grpc-server.host-port"))
        app.listen_tcp(endpoint, "listen")
        log("info", "server/grpc.go:104", "Starting jaeger-collector gRPC server (test stand-in: TCP only, no "
            "gRPC)", **{"grpc.host-port": endpoint})
        step = "could not start HTTP server"
        endpoint = v1_format_host_port(settings.get("collector.http-server.host-port"))
        app.listen_http(endpoint, V1NotImitatedHandler, "listen", service="the collector's HTTP API (/api/traces in "
                        "Jaeger Thrift, /api/sampling)")
        log("info", "server/http.go:48", "Starting jaeger-collector HTTP server", **{"http host-port": endpoint})
        zipkin = v1_format_host_port(settings.get("collector.zipkin.host-port"))
        if not zipkin:
            log("info", "app/collector.go:128", "Not listening for Zipkin HTTP traffic, port not configured")
        else:
            step = "could not start Zipkin receiver"
            app.listen_http(zipkin, V1NotImitatedHandler, "listen", service="the Zipkin receiver")
            log("info", "handler/zipkin_receiver.go:84", "Starting Zipkin receiver (test stand-in: answers 501)",
                endpoint=zipkin)
        if otlp:
            step = "could not start OTLP receiver"
            endpoint = v1_format_host_port(settings.get("collector.otlp.grpc.host-port"))
            app.listen_tcp(endpoint, "listen")
            log("info", "otlpreceiver/otlp.go:121", "Starting GRPC server (test stand-in: TCP only, no gRPC)",
                endpoint=endpoint)
            endpoint = v1_format_host_port(settings.get("collector.otlp.http.host-port"))
            app.listen_http(endpoint, OTLPHandler, "listen", receiver="otlp", pipelines=[], traces_path="/v1/traces",
                            max_body=20 * 1024 * 1024)
            log("info", "otlpreceiver/otlp.go:179", "Starting HTTP server", endpoint=endpoint)
    except StartError as e:
        app.stop()
        go_log("%s: %s" % (step, v1_net_error(e)))
        sys.exit(1)
    # The query service.
    try:
        http_endpoint = settings.get("query.http-server.host-port")
        grpc_endpoint = settings.get("query.grpc-server.host-port")
        app.listen_tcp(grpc_endpoint, "listen")
        app.listen_http(http_endpoint, QueryHandler, "listen", storage=storage_type,
                        base=settings.get("query.base-path").rstrip("/"), version=V1_VERSION)
    except StartError as e:
        app.stop()
        v1_fatal("all-in-one/main.go:253", "Could not start jaeger-query", v1_net_error(e))
    log("info", "app/server.go:290", "Query server started", http_addr=http_endpoint, grpc_addr=grpc_endpoint)
    app.set_health("ready")
    while not stop.wait(3600):
        pass
    log("info", "flags/service.go:164", "Shutting down")
    app.set_health("unavailable")
    app.stop()
    log("info", "flags/service.go:173", "Shutdown complete")
    return 0


def v1_net_error(e):
    """A listen error without the "listen: " the stand-in's listeners put first."""
    text = str(e)
    return text[len("listen: "):] if text.startswith("listen: ") else text


def admin_address(server):
    host, port = server.server_address[:2]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


class V1AdminHandler(GoHandler):
    """The admin server's mux: /metrics, /version, /debug/vars, /debug/pprof/..., and the health check on / (Go's
    "/" pattern: every other path)."""
    app = None

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        app = self.app
        if path == "/metrics":
            self.reply(200, v1_metrics(app), "text/plain; version=0.0.4; charset=utf-8")
        elif path == "/version":
            self.reply(200, json.dumps({"gitCommit": "standin", "gitVersion": V1_VERSION, "buildDate": ""},
                                       separators=(",", ":")))
        elif path == "/debug/vars":
            self.reply(200, json.dumps({"cmdline": sys.argv, "standin": True}), "application/json; charset=utf-8")
        elif path.startswith("/debug/pprof/"):
            self.reply(501, "test stand-in: pprof is not imitated\n")
        elif app.health == "ready":
            self.reply(200, json.dumps({"status": "Server available", "upSince": rfc3339_nano(app.up_since_ns),
                                        "uptime": go_duration_text(time.time_ns() - app.up_since_ns)},
                                       separators=(",", ":")), "application/json")
        else:
            self.reply(503, json.dumps({"status": "Server not available", "upSince": "0001-01-01T00:00:00Z",
                                        "uptime": ""}, separators=(",", ":")), "application/json")

    def do_HEAD(self):
        self.do_GET()


class V1NotImitatedHandler(GoHandler):
    """The collector's HTTP API and the Zipkin receiver: the port listens, every request gets 501."""
    app = service = None

    def answer(self):
        try:
            read_body(self, 1 << 24)
        except PBError:
            pass
        self.reply(501, "test stand-in: %s is not imitated (nothing is stored); send OTLP/HTTP to the OTLP port\n"
                   % self.service)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer


def v1_metrics(app):
    with app.counters_lock:
        counters = dict(app.counters)
    out = []
    metric(out, "jaeger_build_info", "gauge", "build_info",
           [({"build_date": "", "revision": "standin", "version": V1_VERSION}, 1)])
    svcs = sorted({k[1] for k in counters if k[0] in ("received", "saved")})
    metric(out, "jaeger_collector_spans_received_total", "counter", "received",
           [({"debug": "false", "format": "otlp", "svc": s, "transport": "unknown"}, counters.get(("received", s), 0))
            for s in svcs])
    metric(out, "jaeger_collector_spans_saved_by_svc_total", "counter", "saved-by-svc",
           [({"debug": "false", "result": "ok", "svc": s}, counters.get(("saved", s), 0)) for s in svcs])
    metric(out, "standin_stored_spans", "gauge", "Spans held by the test stand-in's span store.",
           [({"storage": n}, st.count()) for n, st in sorted(app.stores.items())])
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- main

def load(configs, sets):
    if not configs:
        fatal("at least one config flag must be provided",
              "no --config given: upstream would start its built-in all-in-one configuration with memory storage; "
              "the test stand-in has no built-in configuration: mount one and pass --config=/path/config.yaml")
    try:
        cfg, files, warnings = resolve(configs, sets)
    except ConfigError as e:
        fatal("failed to get config: %s" % e)
    for name in warnings:
        log("warn", "envprovider@v1.61.0/provider.go:61", "Configuration references unset environment variable",
            name=name)
    try:
        model = decode(cfg)
    except ConfigError as e:
        fatal("failed to get config: %s" % e)
    digest = hashlib.sha256()
    for path in files:
        with open(path, "rb") as f:
            digest.update(f.read())
    return cfg, model, files, digest.hexdigest()


def main(argv):
    go_log("application version: git-commit=standin, git-version=%s, build-date=" % VERSION)
    args = list(argv[1:])
    sub = None
    if args and not args[0].startswith("-"):
        sub = args.pop(0)
    if sub == "version":
        parse_args(args, False)
        sys.stdout.write(json.dumps({"gitCommit": "standin", "gitVersion": VERSION, "buildDate": ""},
                                    separators=(",", ":")))
        return 0
    if sub == "help":
        sys.stdout.write(USAGE)
        return 0
    if sub in NOT_IMITATED_COMMANDS:
        fatal('test stand-in: "jaeger %s" is not imitated' % sub)
    if sub not in (None, "validate"):
        fatal('unknown command "%s" for "jaeger"' % sub)
    configs, sets, positional = parse_args(args, sub is None)
    if positional:
        if sub == "validate":
            fatal("accepts 0 arg(s), received %d" % len(positional))
        fatal('unknown command "%s" for "jaeger"' % positional[0])
    cfg, model, files, sha256 = load(configs, sets)
    if sub == "validate":
        try:
            validate(model)
        except ConfigError as e:
            fatal(str(e))
        return 0
    try:
        validate(model)
    except ConfigError as e:
        fatal("invalid configuration: %s" % e)
    tel = model["telemetry"]
    LOG_LEVEL["v"] = ZAP_LEVELS.index(tel["log_level"])
    RESOURCE["service.instance.id"] = str(tel["resource"].get("service.instance.id") or hashlib.sha1(
        b"%d-%d" % (os.getpid(), time.time_ns())).hexdigest()[:8] + "-standin")
    RESOURCE["service.name"] = str(tel["resource"].get("service.name") or PROG)
    log("warn", "jaeger-standin", "test stand-in for jaegertracing/jaeger:%s (tests only; see "
        "tests/images/README.md, jaeger-standin)" % VERSION.lstrip("v"),
        uid=os.getuid(), config=",".join(files), sha256=sha256)
    app = App(model, cfg, files, sha256)
    stop = threading.Event()
    received = []

    def on_signal(signum, dummy_frame):
        received.append(signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        app.start()
    except StartError as e:
        hint = None
        if any(x in str(e) for x in ("Cannot write pid file", "Error Creating Dir", "permission denied")):
            hint = ("the badger directories (directories.keys and directories.values) must be writable by UID %d, "
                    "the image's user: mount a volume or directory owned by %d:%d (see jaegertracing/jaeger "
                    "internal/storage/v1/badger/docs/storage-file-non-root-permission.md); running as UID %d"
                    % (UID, UID, UID, os.getuid()))
        try:
            app.stop()
        except Exception:   # noqa: BLE001 - the start error is what matters
            pass
        fatal(e, hint)
    while not stop.wait(3600):
        pass
    names = {signal.SIGTERM: "terminated", signal.SIGINT: "interrupt"}
    log("info", "otelcol@%s/collector.go:339" % OTELCOL_VERSION, "Received signal from OS",
        signal=names.get(received[0], str(received[0])))
    app.stop()
    return 0


if __name__ == "__main__":
    # The entrypoint's name selects the mode: /go/bin/all-in-one-linux (jaeger-v1-standin) runs Jaeger 1.x.
    if os.path.basename(sys.argv[0]).startswith(V1_ENTRYPOINT):
        sys.exit(main_v1(sys.argv))
    sys.exit(main(sys.argv))

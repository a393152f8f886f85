# Helpers shared by the Loki, Promtail, Grafana and Jaeger test stand-ins (loki-standin/loki.py,
# promtail-standin/promtail.py, grafana-standin/grafana.py, jaeger-standin/jaeger.py; see tests/images/README.md):
# the Go behaviour they imitate (the flag package, strconv.Quote, time and Prometheus durations, RFC 3339 times,
# yaml.v2's strict decoding, RE2 patterns, go-kit logfmt, encoding/json's HTML escaping, net/http and net.Listen),
# written once.
# The standard library only (PyYAML's nodes are read through their attributes, never imported here);
# Python 3.11 up to the images' Debian sid python3.
#
# The images install this file beside PyYAML as /usr/lib/python3/dist-packages/standin_go.py, on the path of
# the scripts' `python3 -IB`; from a checkout, put tests/images/lib on PYTHONPATH.  tests/images/build.sh
# counts it in the stand-ins' build hashes.
#
# Sources of the behaviour imitated (an independent Python rewrite, no upstream code is copied):
#   Go's standard library: flag (-flag syntax, its error texts, exit 2), strconv.Quote, time.ParseDuration,
#     time.Parse(time.RFC3339Nano), regexp (RE2 syntax), encoding/json (HTML characters escaped),
#     net/http (Date but no Server header), net.Listen("tcp", ":port")
#   gopkg.in/yaml.v2 decode.go, resolve.go     UnmarshalStrict errors ("line N: cannot unmarshal ...",
#                                              "field X not found in type T", "key "K" already set in map")
#   github.com/prometheus/common model/time.go ParseDuration (model.Duration)
#   github.com/prometheus/common model/labels.go, prometheus model/labels/labels.go   label names,
#                                              Labels.String / LabelSet.String
#   github.com/prometheus/prometheus model/relabel/relabel.go   NewRegexp ("^(?s:X)$")
#   github.com/go-kit/log logfmt                the log line format of Loki and Promtail
#   github.com/prometheus/client_golang         text exposition 0.0.4, build_info, process_* metrics
import datetime
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import sys
import threading

EXPAND_ENV_HINT = ". Use `-config.expand-env=true` flag if you want to expand environment variables in your config file"


# ---------------------------------------------------------------- logging (go-kit logfmt)

def logfmt(v):
    v = str(v)
    if v and not re.search(r'[\s="\\]', v) and v.isprintable():
        return v
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t") + '"'


def log_line(caller, level, msg, kv):
    """Writes one logfmt line to stderr: level, ts (UTC, microseconds), caller, msg, then kv in order."""
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = ["level=" + level, "ts=" + ts, "caller=" + caller, "msg=" + logfmt(msg)]
    parts += ["%s=%s" % (k, logfmt(v)) for k, v in kv.items()]
    sys.stderr.write(" ".join(parts) + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- flags (Go's flag package)

def parse_bool(s):
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if s in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError


def flag_fail(msg):
    sys.stderr.write(msg + "\nRun with -help to get list of available parameters\n")
    sys.exit(2)


def usage(prog, flags):
    sys.stdout.write("Usage of %s (test stand-in; only these flags):\n" % prog)
    for name, kind in sorted(flags.items()):
        sys.stdout.write("  -%s%s\n" % (name, "" if kind == "bool" else " " + kind))
    sys.exit(2)


def parse_flags(args, flags, prog):
    """flags: name -> "bool", "string" or "int"; every other flag is an error, as in Go for a flag the
    program does not define.  Returns {name: value} of the flags given."""
    values = {}
    args = list(args)
    while args:
        s = args[0]
        if len(s) < 2 or s[0] != "-":
            break                      # first non-flag argument: Go stops here
        minuses = 2 if s[1] == "-" else 1
        if s == "--":
            break
        name = s[minuses:]
        if not name or name[0] in "-=":
            flag_fail("bad flag syntax: " + s)
        args.pop(0)
        has_value, value = False, ""
        if "=" in name:
            name, value = name.split("=", 1)
            has_value = True
        kind = flags.get(name)
        if kind is None:
            if name in ("help", "h"):
                usage(prog, flags)
            flag_fail("flag provided but not defined: -" + name)
        if kind == "bool":
            try:
                values[name] = parse_bool(value) if has_value else True
            except ValueError:
                flag_fail('invalid boolean value "%s" for -%s: parse error' % (value, name))
            continue
        if not has_value:
            if not args:
                flag_fail("flag needs an argument: -" + name)
            value = args.pop(0)
        if kind == "int":
            try:
                value = int(value, 0)
            except ValueError:
                flag_fail('invalid value "%s" for flag -%s: parse error' % (value, name))
        values[name] = value
    return values


def log_level(flags):
    """-log.level (dskit's log.Level): debug, info, warn or error; anything else exits 2."""
    level = flags.get("log.level", "info")
    if level not in ("debug", "info", "warn", "error"):
        sys.stderr.write('invalid value "%s" for flag -log.level: unrecognized log level "%s"\n'
                         'Run with -help to get list of available parameters\n' % (level, level))
        sys.exit(2)
    return level


def print_version(prog, version):
    """-version: prometheus/common version.Print, exit 0."""
    print("%s, version %s (branch: standin, revision: standin)\n"
          "  build user:       test stand-in (tests/images/%s-standin)\n"
          "  build date:       \n"
          "  go version:       python%d.%d\n"
          "  platform:         linux/amd64\n"
          "  tags:             standin" % ((prog, version, prog) + sys.version_info[:2]))
    sys.exit(0)


# ---------------------------------------------------------------- the configuration file

def read_config_file(spec, hint, fail, prog):
    """The first existing file of -config.file (comma-separated, pkg/util/cfg/files.go): (path, its bytes).
    fail(text) prints the program's "... config: text" and exits 1."""
    path = None
    for candidate in spec.split(","):
        candidate = candidate.strip()
        if candidate and os.path.exists(candidate):
            path = candidate
            break
    if path is None:
        fail("%s does not exist, set config.file for custom config path\n"
             "%s-standin: the test stand-in has no built-in configuration: mount one (for example "
             "-v DIR:/etc/%s:ro) and name it with -config.file" % (spec, prog, prog))
    try:
        with open(path, "rb") as f:
            return path, f.read()
    except IsADirectoryError:
        fail("%s: read %s: is a directory%s" % (path, path, hint))
    except OSError as e:
        fail("open %s: %s%s" % (path, (e.strerror or str(e)).lower(), hint))
    return None   # not reached: fail exits


def yaml_error_text(e):
    """What follows "yaml: " for a PyYAML error: "line N: problem" when it has a position (MarkedYAMLError)."""
    if not hasattr(e, "problem_mark"):
        return str(e)
    mark = e.problem_mark or e.context_mark
    where = "line %d: " % (mark.line + 1) if mark else ""
    return "%s%s" % (where, e.problem or e.context)


# ---------------------------------------------------------------- YAML with line numbers (yaml.v2 strict)

# PyYAML's node classes name their kind in the class attribute id ("scalar", "sequence", "mapping"); the
# helpers read it instead of importing yaml.
def _kind(node):
    return getattr(node, "id", None)


# yaml.v2 shortTag: tag:yaml.org,2002:X is written !!X.
TAGS = {"str": "!!str", "int": "!!int", "bool": "!!bool", "float": "!!float", "null": "!!null",
        "timestamp": "!!timestamp", "seq": "!!seq", "map": "!!map"}


def short_tag(node):
    if _kind(node) == "mapping":
        return "!!map"
    if _kind(node) == "sequence":
        return "!!seq"
    return TAGS.get(node.tag.rsplit(":", 1)[-1], node.tag)


def line(node):
    return node.start_mark.line + 1


def cannot_unmarshal(node, into):
    if _kind(node) == "scalar":
        v = node.value if len(node.value) <= 10 else node.value[:7] + "..."
        return "line %d: cannot unmarshal %s `%s` into %s" % (line(node), short_tag(node), v, into)
    return "line %d: cannot unmarshal %s into %s" % (line(node), short_tag(node), into)


def items(node):
    return node.value if _kind(node) == "mapping" else []


def child(node, *path):
    for key in path:
        if _kind(node) != "mapping":
            return None
        for k, v in node.value:
            if _kind(k) == "scalar" and k.value == key:
                node = v
                break
        else:
            return None
    return node


def is_null(node):
    return node is None or (_kind(node) == "scalar" and node.tag.endswith(":null"))


BOOL_TRUE = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"}
BOOL_FALSE = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}


class StrictDecoder:
    """Checks a composed YAML tree the way yaml.v2's UnmarshalStrict would fail on it (unknown fields,
    duplicate keys, wrong kinds for the fields the stand-in reads) and collects the errors."""

    def __init__(self):
        self.errors = []      # collected unmarshal errors ("line N: ...")

    def err(self, text):
        self.errors.append(text)

    def no_duplicates(self, node):
        if _kind(node) == "mapping":
            seen = set()
            for k, v in node.value:
                if _kind(k) == "scalar":
                    if k.value in seen:
                        self.err('line %d: key "%s" already set in map' % (line(k), k.value))
                    seen.add(k.value)
                self.no_duplicates(v)
        elif _kind(node) == "sequence":
            for v in node.value:
                self.no_duplicates(v)

    def mapping(self, node, gotype):
        """node must be a mapping (or null); returns False otherwise."""
        if is_null(node) or _kind(node) == "mapping":
            return True
        self.err(cannot_unmarshal(node, gotype))
        return False

    def sequence(self, node, gotype):
        """node must be a sequence (or null); returns False otherwise."""
        if is_null(node) or _kind(node) == "sequence":
            return True
        self.err(cannot_unmarshal(node, gotype))
        return False

    def known_fields(self, node, allowed, gotype):
        for k, dummy in items(node):
            if _kind(k) == "scalar" and k.value not in allowed and not k.tag.endswith(":merge"):
                self.err("line %d: field %s not found in type %s" % (line(k), k.value, gotype))

    def boolean(self, node):
        if is_null(node):
            return None
        if _kind(node) == "scalar" and node.value in BOOL_TRUE | BOOL_FALSE:
            return node.value in BOOL_TRUE
        self.err(cannot_unmarshal(node, "bool"))
        return None

    def integer(self, node):
        if is_null(node):
            return None
        if _kind(node) == "scalar" and re.fullmatch(r"[-+]?[0-9]+", node.value.replace("_", "")):
            return int(node.value.replace("_", ""))
        self.err(cannot_unmarshal(node, "int"))
        return None

    def string(self, node):
        if is_null(node):
            return None
        if _kind(node) == "scalar":
            return node.value
        self.err(cannot_unmarshal(node, "string"))
        return None


# ---------------------------------------------------------------- durations and times

# Go's time.ParseDuration.
_GO_UNITS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
             "h": 3600 * 10**9}
_GO_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([a-z\u00b5\u03bc]+)")


def go_duration_ns(value):
    """time.ParseDuration; yaml.v2 also takes an integer as nanoseconds.  Returns None when invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    s = value
    sign = 1
    if s[:1] in "+-" and s:
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        return None
    total, pos = 0, 0
    while pos < len(s):
        m = _GO_PART.match(s, pos)
        if not m or m.group(1) in ("", ".") or m.group(2) not in _GO_UNITS:
            return None
        num, unit = m.group(1), _GO_UNITS[m.group(2)]
        whole, dummy, frac = num.partition(".")
        total += int(whole or "0") * unit
        if frac:
            total += int(frac) * unit // 10 ** len(frac)
        pos = m.end()
    return sign * total


# Prometheus model.ParseDuration (model.Duration), prometheus/common model/time.go.
_PROM_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_PROM_UNITS = [365 * 86400 * 10**9, 7 * 86400 * 10**9, 86400 * 10**9, 3600 * 10**9, 60 * 10**9, 10**9, 10**6]


def prom_duration_ns(value):
    """model.ParseDuration in nanoseconds; None when invalid."""
    if not isinstance(value, str):
        return None
    if value == "0":
        return 0
    m = _PROM_DURATION.match(value) if value else None
    if not m or not any(m.groups()):
        return None
    return sum(int(g) * u for g, u in zip(m.groups(), _PROM_UNITS) if g)


_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$")


def parse_rfc3339_ns(s):
    """time.Parse(time.RFC3339Nano, s) (RFC3339 parses the same: Go takes a fraction after the seconds
    either way); returns Unix nanoseconds or None."""
    m = _RFC3339.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= mo <= 12 and 0 <= h < 24 and 0 <= mi < 60 and 0 <= sec < 60):
        return None
    try:
        # days since 1970-01-01 of a proleptic Gregorian date (datetime's ordinal keeps this exact)
        days = datetime.date(y, mo, d).toordinal() - 719163
    except ValueError:
        return None
    frac = (m.group(7) or "")[:9]
    ns = int(frac.ljust(9, "0")) if frac else 0
    off = 0
    if m.group(8) != "Z":
        oh, om = int(m.group(8)[1:3]), int(m.group(8)[4:6])
        if oh >= 24 or om >= 60:
            return None
        off = (oh * 3600 + om * 60) * (1 if m.group(8)[0] == "+" else -1)
    return ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * 10**9 + ns


# ---------------------------------------------------------------- strings, labels, patterns, JSON

def go_quote(s):
    """strconv.Quote (what Loki's LabelSet.String and Prometheus' Labels.String write)."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r\a\b\f\v":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b", "\f": "\\f",
                        "\v": "\\v"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append("\\x%02x" % ord(ch))
        elif not ch.isprintable() and ch != " ":
            out.append("\\u%04x" % ord(ch) if ord(ch) < 0x10000 else "\\U%08x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def labels_string(labels, without=None):
    """{a="b", c="d"}: sorted by name, Go-quoted (loghttp LabelSet.String, model.LabelSet.String, prometheus
    labels.Labels.String, Promtail's batch.go labelsMapToString); the label named without is left out."""
    return "{" + ", ".join("%s=%s" % (k, go_quote(labels[k])) for k in sorted(labels) if k != without) + "}"


# The legacy (pre-UTF-8) label name of Prometheus (model.LabelNameRE), the only one the PromQL lexer and
# Promtail's labels stage take.
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def go_regex_flags(pattern):
    """A leading global flag group such as (?i) scoped to the pattern, since Python takes global flags only
    at the very start; RE2's U (ungreedy) is dropped."""
    m = re.match(r"^\(\?([imsU]+)\)", pattern)
    if m:
        flags = m.group(1).replace("U", "")
        pattern = "(?%s:%s)" % (flags, pattern[m.end():]) if flags else pattern[m.end():]
    return pattern


def go_regex(pattern, anchored=True):
    """Compiles a Go RE2 pattern for Python's re (re.error when it does not compile); anchored as
    relabel.NewRegexp does ("^(?s:X)$"; use fullmatch)."""
    pattern = go_regex_flags(pattern)
    return re.compile("(?s:%s)" % pattern if anchored else pattern)


def go_json(obj, sort_keys=False):
    """Compact JSON with <, > and & escaped, as encoding/json and json-iterator write it."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- /metrics (text exposition 0.0.4)

def esc(v):
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metric(out, name, kind, help_text, samples):
    """Appends one metric family to out: samples are (labels dict, value) pairs."""
    out.append("# HELP %s %s" % (name, help_text))
    out.append("# TYPE %s %s" % (name, kind))
    for labels, value in samples:
        lbl = ",".join('%s="%s"' % (k, esc(v)) for k, v in sorted(labels.items()))
        out.append("%s%s %s" % (name, "{%s}" % lbl if lbl else "", value))


def process_metrics(out, prog, version, start_time):
    """<prog>_build_info (version.NewCollector) and the process collector's start time, open fds and RSS."""
    metric(out, prog + "_build_info", "gauge",
           "A metric with a constant '1' value labeled by version, revision, branch, goversion from which %s was "
           "built, and the goos and goarch for the build." % prog,
           [({"branch": "standin", "goarch": "amd64", "goos": "linux",
              "goversion": "python%d.%d" % sys.version_info[:2], "revision": "standin", "tags": "standin",
              "version": version, "standin": "true"}, 1)])
    metric(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
           [({}, "%.2f" % start_time)])
    try:
        fds = len(os.listdir("/proc/self/fd"))
        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        metric(out, "process_open_fds", "gauge", "Number of open file descriptors.", [({}, fds)])
        metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [({}, rss)])
    except OSError:
        pass


def config_metrics(out, path, sha256):
    """The stand-ins' own proof of the configuration they read."""
    metric(out, "standin_config_loaded", "gauge",
           "1: the test stand-in read and checked its configuration file.", [({}, 1)])
    metric(out, "standin_config_info", "gauge", "The configuration file the test stand-in read, with its SHA-256.",
           [({"file": path, "sha256": sha256}, 1)])


# ---------------------------------------------------------------- the HTTP server (net/http)

class GoHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 as Go's net/http answers: a Date but no Server header, no access log.  reply() sends
    X-Content-Type-Options: nosniff on errors (http.Error), or on every answer with nosniff_always."""
    sys_version = ""
    protocol_version = "HTTP/1.1"
    nosniff_always = False

    def log_message(self, *args):
        pass

    def send_response(self, code, message=None):
        # Go's net/http sends a Date but no Server header.
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def reply(self, status, body, ctype="text/plain; charset=utf-8", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if self.nosniff_always or status >= 400:
            self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    def drain(self):
        """Reads the request body (Content-Length bytes)."""
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that goes away (connection reset, broken pipe) is not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def listen(address, port, handler):
    """Like Go's net.Listen("tcp", ":port"): both IPv6 and IPv4 when no address is given (IPv4 only
    where the container has no IPv6)."""
    if not address:
        try:
            Server.address_family = socket.AF_INET6
            return Server(("::", port), handler)
        except OSError:
            Server.address_family = socket.AF_INET
            return Server(("0.0.0.0", port), handler)
    Server.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return Server((address.strip("[]"), port), handler)


def server_address_text(server):
    """host:port of a listening Server, [host]:port for IPv6 (net.JoinHostPort)."""
    return ("[%s]:%d" if server.address_family == socket.AF_INET6 else "%s:%d") % server.server_address[:2]


def stop_on_signals(server, announce):
    """SIGTERM and SIGINT: announce(signum), then stop serve_forever (from another thread, as it must be)."""
    def stop(signum, dummy_frame):
        announce(signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

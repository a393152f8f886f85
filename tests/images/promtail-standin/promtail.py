# Test stand-in for Grafana Promtail 3.6.11 (grafana/promtail:3.6.11), tests only; see
# tests/images/README.md, "promtail-standin".  It tails nothing and sends nothing: it reads and
# checks the configuration, writes the positions file, then serves /ready and /metrics.
#
# Sources of the behaviour imitated (grafana/loki at tag v3.6.11):
#   clients/cmd/promtail/main.go                 flags, -check-syntax, "Unable to parse config: ..."
#   pkg/util/cfg/files.go                        config file loading and its error texts (strict YAML)
#   clients/pkg/promtail/config/config.go        top-level keys, duplicate job names
#   clients/pkg/promtail/scrapeconfig/scrapeconfig.go  "job_name is empty"
#   clients/pkg/promtail/client/{manager,client}.go    at least one client, each with a URL
#   clients/pkg/promtail/positions/positions.go  the positions file and its format
#   clients/pkg/promtail/server/server.go        GET /ready -> 200 "Ready"
#   docs/sources/send-data/promtail/configuration.md   the documented top-level blocks
import datetime
import hashlib
import http.server
import os
import re
import signal
import socket
import socketserver
import sys
import tempfile
import threading
import time
import urllib.parse

import yaml

VERSION = "3.6.11"

# The documented top-level blocks (configuration.md, "Supported contents and default values of
# config.yaml") plus the two the Config struct also takes: "client" (deprecated single client) and
# "wal" (undocumented).
TOP_LEVEL = {"global", "server", "clients", "positions", "scrape_configs", "limits_config", "target_config",
             "options", "tracing", "client", "wal"}

FLAGS = {
    "config.file": "string", "config.expand-env": "bool", "check-syntax": "bool", "version": "bool",
    "dry-run": "bool", "inspect": "bool", "print-config-stderr": "bool", "log-config-reverse-order": "bool",
    "log.level": "string", "server.http-listen-port": "int",
}
EXPAND_ENV_HINT = ". Use `-config.expand-env=true` flag if you want to expand environment variables in your config file"

START_TIME = time.time()


# ---------------------------------------------------------------- logging (go-kit logfmt)

def _logfmt(v):
    v = str(v)
    if v and not re.search(r'[\s="\\]', v) and v.isprintable():
        return v
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t") + '"'


def log(level, msg, **kv):
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = ["level=" + level, "ts=" + ts, "caller=promtail-standin", "msg=" + _logfmt(msg)]
    parts += ["%s=%s" % (k, _logfmt(v)) for k, v in kv.items()]
    sys.stderr.write(" ".join(parts) + "\n")
    sys.stderr.flush()


def fail(text):
    """Promtail prints "Unable to parse config: ..." (to stdout) and exits 1; the stand-in uses stderr."""
    sys.stderr.write("Unable to parse config: %s\n" % text)
    sys.exit(1)


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


def usage():
    sys.stdout.write("Usage of promtail (test stand-in; only these flags):\n")
    for name, kind in sorted(FLAGS.items()):
        sys.stdout.write("  -%s%s\n" % (name, "" if kind == "bool" else " " + kind))
    sys.exit(2)


def parse_flags(args):
    values = {}
    args = list(args)
    while args:
        s = args[0]
        if len(s) < 2 or s[0] != "-":
            break
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
        kind = FLAGS.get(name)
        if kind is None:
            if name in ("help", "h"):
                usage()
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


# ---------------------------------------------------------------- YAML with line numbers (yaml.v2 strict)

TAGS = {"str": "!!str", "int": "!!int", "bool": "!!bool", "float": "!!float", "null": "!!null",
        "timestamp": "!!timestamp"}


def short_tag(node):
    if isinstance(node, yaml.MappingNode):
        return "!!map"
    if isinstance(node, yaml.SequenceNode):
        return "!!seq"
    return TAGS.get(node.tag.rsplit(":", 1)[-1], node.tag)


def line(node):
    return node.start_mark.line + 1


def cannot_unmarshal(node, into):
    if isinstance(node, yaml.ScalarNode):
        v = node.value if len(node.value) <= 10 else node.value[:7] + "..."
        return "line %d: cannot unmarshal %s `%s` into %s" % (line(node), short_tag(node), v, into)
    return "line %d: cannot unmarshal %s into %s" % (line(node), short_tag(node), into)


def items(node):
    return node.value if isinstance(node, yaml.MappingNode) else []


def child(node, *path):
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                node = v
                break
        else:
            return None
    return node


def is_null(node):
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"))


BOOL_TRUE = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"}
BOOL_FALSE = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}


class Decoder:
    def __init__(self):
        self.errors = []      # collected unmarshal errors ("line N: ...")
        self.custom = []      # errors of custom UnmarshalYAML methods (returned as they are)

    def err(self, text):
        self.errors.append(text)

    def no_duplicates(self, node):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen:
                        self.err('line %d: key "%s" already set in map' % (line(k), k.value))
                    seen.add(k.value)
                self.no_duplicates(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                self.no_duplicates(v)

    def mapping(self, node, gotype):
        if is_null(node) or isinstance(node, yaml.MappingNode):
            return True
        self.err(cannot_unmarshal(node, gotype))
        return False

    def sequence(self, node, gotype):
        if is_null(node) or isinstance(node, yaml.SequenceNode):
            return True
        self.err(cannot_unmarshal(node, gotype))
        return False

    def known_fields(self, node, allowed, gotype):
        for k, dummy in items(node):
            if isinstance(k, yaml.ScalarNode) and k.value not in allowed and not k.tag.endswith(":merge"):
                self.err("line %d: field %s not found in type %s" % (line(k), k.value, gotype))

    def boolean(self, node):
        if is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.value in BOOL_TRUE | BOOL_FALSE:
            return node.value in BOOL_TRUE
        self.err(cannot_unmarshal(node, "bool"))
        return None

    def integer(self, node):
        if is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and re.fullmatch(r"[-+]?[0-9]+", node.value.replace("_", "")):
            return int(node.value.replace("_", ""))
        self.err(cannot_unmarshal(node, "int"))
        return None

    def string(self, node):
        if is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode):
            return node.value
        self.err(cannot_unmarshal(node, "string"))
        return None


# ---------------------------------------------------------------- the configuration

class Config:
    path = None
    sha256 = ""
    clients = ()
    jobs = ()
    positions_file = None
    ignore_invalid_positions = False
    http_port = None
    http_address = ""


def read_config(flags):
    """Loads -config.file as Promtail's cfg.DefaultUnmarshal does; without -config.file nothing is
    loaded (Promtail then runs on defaults)."""
    cfg = Config()
    spec = flags.get("config.file", "")
    if not spec:
        return cfg
    hint = "" if flags.get("config.expand-env", False) else EXPAND_ENV_HINT
    path = None
    for candidate in spec.split(","):
        candidate = candidate.strip()
        if candidate and os.path.exists(candidate):
            path = candidate
            break
    if path is None:
        sys.stderr.write("Unable to parse config: %s does not exist, set config.file for custom config path\n"
                         "promtail-standin: the test stand-in has no built-in configuration: mount one (for "
                         "example -v DIR:/etc/promtail:ro) and name it with -config.file\n" % spec)
        sys.exit(1)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except IsADirectoryError:
        fail("%s: read %s: is a directory%s" % (path, path, hint))
    except OSError as e:
        fail("open %s: %s%s" % (path, (e.strerror or str(e)).lower(), hint))
    try:
        docs = list(yaml.compose_all(raw.decode("utf-8"), Loader=yaml.SafeLoader))
    except UnicodeDecodeError as e:
        fail("%s: yaml: invalid UTF-8 (byte %d)%s" % (path, e.start, hint))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = "line %d: " % (mark.line + 1) if mark else ""
        fail("%s: yaml: %s%s%s" % (path, where, e.problem or e.context, hint))
    except yaml.YAMLError as e:
        fail("%s: yaml: %s%s" % (path, e, hint))
    cfg.path, cfg.sha256 = path, hashlib.sha256(raw).hexdigest()
    d = Decoder()
    decode(d, docs[0] if docs else None, cfg)
    if d.errors:
        d.errors.sort(key=lambda e: int(re.match(r"line (\d+)", e).group(1)))
        fail("%s: yaml: unmarshal errors:\n  %s%s" % (path, "\n  ".join(d.errors), hint))
    if d.custom:
        fail("%s: %s%s" % (path, d.custom[0], hint))
    return cfg


def decode(d, root, cfg):
    if not d.mapping(root, "main.Config"):
        root = None
    d.no_duplicates(root)
    d.known_fields(root, TOP_LEVEL, "main.Config")
    for block, gotype in (("server", "server.Config"), ("positions", "positions.Config"),
                          ("client", "client.Config"), ("global", "config.GlobalConfig"),
                          ("limits_config", "limit.Config"), ("target_config", "file.Config")):
        d.mapping(child(root, block), gotype)

    cfg.http_port = d.integer(child(root, "server", "http_listen_port"))
    cfg.http_address = d.string(child(root, "server", "http_listen_address")) or ""
    cfg.positions_file = d.string(child(root, "positions", "filename"))
    cfg.ignore_invalid_positions = bool(d.boolean(child(root, "positions", "ignore_invalid_yaml")))

    clients = []
    nodes = child(root, "clients")
    if d.sequence(nodes, "[]client.Config") and not is_null(nodes):
        for node in nodes.value:
            if d.mapping(node, "client.Config"):
                clients.append({"url": d.string(child(node, "url")) or "", "name": d.string(child(node, "name")),
                                "line": line(node)})
    single = child(root, "client")     # deprecated: Config.Setup appends it to clients when it has a URL
    if isinstance(single, yaml.MappingNode) and d.string(child(single, "url")):
        clients.append({"url": d.string(child(single, "url")), "name": d.string(child(single, "name")),
                        "line": line(single)})
    cfg.clients = clients

    jobs = []
    nodes = child(root, "scrape_configs")
    if d.sequence(nodes, "[]scrapeconfig.Config") and not is_null(nodes):
        for node in nodes.value:
            if not d.mapping(node, "scrapeconfig.Config"):
                continue
            name = d.string(child(node, "job_name")) or ""
            if not name:
                d.custom.append("job_name is empty")
            elif name in jobs:
                d.custom.append('found multiple scrape configs with job name "%s"' % name)
            jobs.append(name)
    cfg.jobs = jobs


def start_errors(cfg):
    """What Promtail fails on when it starts (promtail.New), plus the stand-in's own rule that the
    positions file be named."""
    errs = []
    if not cfg.clients:
        errs.append("failed to create client manager: at least one client config must be provided")
    names = set()
    for c in cfg.clients:
        if not c["url"]:
            errs.append("failed to create client manager: client needs target URL (client at line %d)" % c["line"])
        if c["name"]:
            if c["name"] in names:
                errs.append("failed to create client manager: duplicate client configs are not allowed, found "
                            "duplicate for name: %s" % c["name"])
            names.add(c["name"])
    if not cfg.positions_file:
        errs.append("test stand-in: positions.filename is not set (Promtail would use /var/log/positions.yaml)")
    return errs


# ---------------------------------------------------------------- the positions file

def prepare_positions(cfg):
    """Reads the positions file as Promtail does (a missing file is empty, a corrupt one fails unless
    ignore_invalid_yaml) and writes it back at once, so an unwritable directory fails at the start."""
    fn = os.path.normpath(cfg.positions_file)
    directory = os.path.dirname(fn) or "."
    positions = {}
    try:
        with open(fn, "rb") as f:
            buf = f.read()
        try:
            data = yaml.safe_load(buf) if buf.strip() else None
            if data is not None and (not isinstance(data, dict) or set(data) - {"positions"}
                                     or not isinstance(data.get("positions") or {}, dict)):
                raise yaml.YAMLError("not a positions file (want positions: {path: offset})")
            positions = {str(k): str(v) for k, v in ((data or {}).get("positions") or {}).items()}
        except yaml.YAMLError as e:
            if not cfg.ignore_invalid_positions:
                return "invalid yaml positions file [%s]: %s" % (fn, str(e).replace("\n", " "))
            positions = {}
    except FileNotFoundError:
        pass
    except OSError as e:
        return "open %s: %s" % (fn, (e.strerror or str(e)).lower())
    if not os.path.isdir(directory):
        return "test stand-in: the directory of the positions file, %s, does not exist" % directory
    body = "positions:\n" + "".join('    %s: "%s"\n' % (yaml_quote(k), v) for k, v in sorted(positions.items())) \
        if positions else "positions: {}\n"
    try:
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(fn) + ".", dir=directory)
        with os.fdopen(fd, "w") as f:
            f.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, fn)
    except OSError as e:
        return "test stand-in: cannot write the positions file %s: %s" % (fn, (e.strerror or str(e)).lower())
    return None


def yaml_quote(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


# ---------------------------------------------------------------- the server

def esc(v):
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics(cfg):
    out = []

    def metric(name, kind, help_text, samples):
        out.append("# HELP %s %s" % (name, help_text))
        out.append("# TYPE %s %s" % (name, kind))
        for labels, value in samples:
            lbl = ",".join('%s="%s"' % (k, esc(v)) for k, v in sorted(labels.items()))
            out.append("%s%s %s" % (name, "{%s}" % lbl if lbl else "", value))

    py = "python%d.%d" % sys.version_info[:2]
    metric("promtail_build_info", "gauge",
           "A metric with a constant '1' value labeled by version, revision, branch, goversion from which promtail "
           "was built, and the goos and goarch for the build.",
           [({"branch": "standin", "goarch": "amd64", "goos": "linux", "goversion": py, "revision": "standin",
              "tags": "standin", "version": VERSION, "standin": "true"}, 1)])
    metric("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
           [({}, "%.2f" % START_TIME)])
    try:
        fds = len(os.listdir("/proc/self/fd"))
        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        metric("process_open_fds", "gauge", "Number of open file descriptors.", [({}, fds)])
        metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [({}, rss)])
    except OSError:
        pass
    metric("standin_config_loaded", "gauge",
           "1: the test stand-in read and checked its configuration file.", [({}, 1)])
    metric("standin_config_info", "gauge", "The configuration file the test stand-in read, with its SHA-256.",
           [({"file": cfg.path, "sha256": cfg.sha256}, 1)])
    metric("standin_client_info", "gauge", "A client (Loki push URL) of the configuration; the stand-in sends nothing.",
           [({"url": c["url"]}, 1) for c in cfg.clients])
    metric("standin_scrape_config_info", "gauge", "A scrape config of the configuration; the stand-in tails nothing.",
           [({"job_name": j}, 1) for j in cfg.jobs])
    metric("standin_positions_file_info", "gauge", "The positions file the stand-in wrote at its start.",
           [({"file": cfg.positions_file}, 1)])
    return "\n".join(out) + "\n"


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "promtail-standin"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    cfg = None

    def log_message(self, *args):
        pass

    def send_response(self, code, message=None):
        # Go's net/http sends a Date but no Server header.
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def reply(self, status, body, ctype="text/plain; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    def route(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 0:
            self.rfile.read(n)
        path = urllib.parse.urlsplit(self.path).path
        if path == "/ready":
            return self.reply(200, "Ready")
        if path == "/metrics":
            return self.reply(200, metrics(self.cfg), "text/plain; version=0.0.4; charset=utf-8")
        return self.reply(404, "404 page not found\n")

    do_GET = do_POST = do_HEAD = route


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


def start(cfg, flags):
    # dskit's server default is port 80 (configuration.md, server block); upstream's example sets 9080.
    port = flags.get("server.http-listen-port", cfg.http_port if cfg.http_port is not None else 80)
    err = prepare_positions(cfg)
    if err:
        log("error", "error creating promtail", error=err)
        sys.exit(1)
    try:
        server = listen(cfg.http_address, port, Handler)
    except OSError as e:
        log("error", "error creating promtail", error="error creating loki server: listen tcp %s:%d: bind: %s"
            % (cfg.http_address, port, (e.strerror or str(e)).lower()))
        sys.exit(1)
    Handler.cfg = cfg

    def stop(signum, _frame):
        log("info", "received shutdown signal", signal=signal.Signals(signum).name)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("info", "Starting Promtail", version="(version=%s, branch=standin, revision=standin)" % VERSION)
    log("info", "server listening on addresses", http=("[%s]:%d" if server.address_family == socket.AF_INET6 else "%s:%d") % server.server_address[:2],
        standin="true", positions=cfg.positions_file, clients=len(cfg.clients), scrape_configs=len(cfg.jobs))
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    sys.exit(0)


def main(argv):
    flags = parse_flags(argv[1:])
    level = flags.get("log.level", "info")
    if level not in ("debug", "info", "warn", "error"):
        sys.stderr.write('invalid value "%s" for flag -log.level: unrecognized log level "%s"\n'
                         'Run with -help to get list of available parameters\n' % (level, level))
        sys.exit(2)
    cfg = read_config(flags)
    if flags.get("check-syntax"):
        if not flags.get("config.file"):
            print("Invalid config file")
            sys.exit(1)
        # Promtail's -check-syntax stops here; the stand-in also applies the checks Promtail makes when it
        # starts, so a deploy step's check catches them.
        errs = start_errors(cfg)
        if errs:
            sys.stderr.write("".join("Invalid config file: %s\n" % e for e in errs))
            sys.exit(1)
        print("Valid config file! No syntax issues found")
        sys.exit(0)
    if flags.get("version"):
        print("promtail, version %s (branch: standin, revision: standin)\n"
              "  build user:       test stand-in (tests/images/promtail-standin)\n"
              "  build date:       \n"
              "  go version:       python%d.%d\n"
              "  platform:         linux/amd64\n"
              "  tags:             standin" % ((VERSION,) + sys.version_info[:2]))
        sys.exit(0)
    errs = start_errors(cfg)
    if errs:
        for e in errs:
            log("error", "error creating promtail", error=e)
        sys.exit(1)
    start(cfg, flags)


if __name__ == "__main__":
    main(sys.argv)

# Test stand-in for Grafana Promtail 3.6.11 (grafana/promtail:3.6.11), tests only; see
# tests/images/README.md, "promtail-standin".  It reads and checks the configuration, writes the
# positions file, serves /ready and /metrics and, for every scrape job with docker_sd_configs, finds
# the containers through the Docker Engine API, follows their logs, relabels them, runs the pipeline
# stages it knows and pushes the entries to every client in Loki's JSON push format.  Everything
# else of a configuration is checked but not run (see the README for the subset).
#
# Sources of the behaviour imitated (grafana/loki at tag v3.6.11 unless said otherwise; this is an
# independent Python rewrite, no upstream code is copied):
#   clients/cmd/promtail/main.go                 flags, -check-syntax, "Unable to parse config: ..."
#   pkg/util/cfg/files.go                        config file loading and its error texts (strict YAML)
#   clients/pkg/promtail/config/config.go        top-level keys, duplicate job names, relabel Validate
#   clients/pkg/promtail/scrapeconfig/scrapeconfig.go  "job_name is empty"
#   clients/pkg/promtail/promtail.go             start order, Shutdown (targets, then clients)
#   clients/pkg/promtail/client/{manager,client,batch,config}.go  clients, batching, JSON-less
#                                                retry rules, defaults, metric names and labels
#   github.com/grafana/dskit backoff/backoff.go  the retry backoff (jittered doubling)
#   clients/pkg/promtail/positions/positions.go  the positions file, cursor keys, sync_period
#   clients/pkg/promtail/targets/docker/{targetmanager,target_group,target,metrics}.go
#                                                docker targets, log following, since, positions
#   pkg/framedstdcopy/framedstdcopy.go           the 8-byte-header stream format and TTY streams
#   github.com/prometheus/prometheus (commit 07c6232d159b, the version Promtail 3.6.11 builds with)
#     discovery/moby/docker.go, network.go       docker_sd_configs and the __meta_docker_* labels
#     model/relabel/relabel.go                   relabel_configs semantics and validation
#     util/strutil/strconv.go                    SanitizeLabelName
#   clients/pkg/logentry/stages/{pipeline,stage,json,labels,timestamp,util,static_labels,
#                                labeldrop,labelallow}.go   the pipeline stages
#   clients/pkg/promtail/server/server.go        GET /ready (and health_check_target)
#   docs/sources/send-data/promtail/configuration.md   the documented top-level blocks
# The Go behaviour it shares with the Loki stand-in (flags, YAML decoding, durations, quoting, logfmt, the
# HTTP server) is in lib/standin_go.py, installed beside PyYAML in the image.
import collections
import hashlib
import http.client
import json
import os
import queue
import re
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.parse

import yaml

from standin_go import (
    EXPAND_ENV_HINT, LABEL_NAME, GoHandler, StrictDecoder, child, config_metrics, esc, go_duration_ns, go_json,
    go_regex, is_null, labels_string, line, listen, log_level, log_line, metric, parse_flags, parse_rfc3339_ns,
    print_version, process_metrics, prom_duration_ns, read_config_file, server_address_text, stop_on_signals,
    yaml_error_text,
)


VERSION = "3.6.11"

# The documented top-level blocks (configuration.md, "Supported contents and default values of
# config.yaml") plus the two the Config struct also takes: "client" (deprecated single client) and
# "wal" (undocumented).
TOP_LEVEL = {"global", "server", "clients", "positions", "scrape_configs", "limits_config", "target_config",
             "options", "tracing", "client", "wal"}

# Flags the stand-in knows (Go flag syntax): name -> kind.  Every other flag is an error.
FLAGS = {
    "config.file": "string", "config.expand-env": "bool", "check-syntax": "bool", "version": "bool",
    "dry-run": "bool", "inspect": "bool", "print-config-stderr": "bool", "log-config-reverse-order": "bool",
    "log.level": "string", "server.http-listen-port": "int",
}

START_TIME = time.time()


# ---------------------------------------------------------------- logging (go-kit logfmt)

LOG_LEVEL = "info"
_LEVELS = {"debug": 0, "info": 1, "warn": 2, "error": 3}


def log(level, msg, **kv):
    if _LEVELS[level] < _LEVELS.get(LOG_LEVEL, 1):
        return
    log_line("promtail-standin", level, msg, kv)


def fail(text):
    """Promtail prints "Unable to parse config: ..." (to stdout) and exits 1; the stand-in uses stderr."""
    sys.stderr.write("Unable to parse config: %s\n" % text)
    sys.exit(1)


# ---------------------------------------------------------------- YAML with line numbers (yaml.v2 strict)

class Decoder(StrictDecoder):
    """StrictDecoder plus the errors of custom UnmarshalYAML methods."""

    def __init__(self):
        super().__init__()
        self.custom = []      # errors of custom UnmarshalYAML methods (returned as they are)


# Durations: Go's time.ParseDuration (client batchwait/timeout/backoff, positions.sync_period) is
# go_duration_ns, Prometheus model.ParseDuration (docker_sd_configs.refresh_interval) prom_duration_ns.


# ---------------------------------------------------------------- the configuration

class Config:
    path = None
    sha256 = ""
    clients = ()
    jobs = ()
    positions_file = None
    ignore_invalid_positions = False
    sync_period_ns = 10 * 10**9
    http_port = None
    http_address = ""
    health_check_target = True
    data = None
    scrape = ()          # [Job] built by runtime_config
    client_cfgs = ()     # [ClientConfig]
    runtime_errors = ()  # errors Promtail reports when it starts (and the stand-in with -check-syntax)


def read_config(flags):
    """Loads -config.file as Promtail's cfg.DefaultUnmarshal does; without -config.file nothing is
    loaded (Promtail then runs on defaults)."""
    cfg = Config()
    spec = flags.get("config.file", "")
    if not spec:
        return cfg
    hint = "" if flags.get("config.expand-env", False) else EXPAND_ENV_HINT
    path, raw = read_config_file(spec, hint, fail, "promtail")
    try:
        text = raw.decode("utf-8")
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        data = next(iter(yaml.safe_load_all(text)), None)
    except UnicodeDecodeError as e:
        fail("%s: yaml: invalid UTF-8 (byte %d)%s" % (path, e.start, hint))
    except yaml.YAMLError as e:
        fail("%s: yaml: %s%s" % (path, yaml_error_text(e), hint))
    cfg.path, cfg.sha256 = path, hashlib.sha256(raw).hexdigest()
    d = Decoder()
    decode(d, docs[0] if docs else None, cfg)
    if d.errors:
        d.errors.sort(key=lambda e: int(re.match(r"line (\d+)", e).group(1)))
        fail("%s: yaml: unmarshal errors:\n  %s%s" % (path, "\n  ".join(d.errors), hint))
    cfg.data = data if isinstance(data, dict) else {}
    runtime_config(d, cfg)
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
    hct = d.boolean(child(root, "server", "health_check_target"))
    cfg.health_check_target = True if hct is None else hct
    cfg.positions_file = d.string(child(root, "positions", "filename"))
    cfg.ignore_invalid_positions = bool(d.boolean(child(root, "positions", "ignore_invalid_yaml")))
    sync = child(root, "positions", "sync_period")
    if not is_null(sync):
        value = d.integer(sync) if re.fullmatch(r"[-+]?[0-9]+", getattr(sync, "value", "") or "") else d.string(sync)
        ns = go_duration_ns(value)
        if ns is None:
            d.custom.append('time: invalid duration "%s"' % value)
        else:
            cfg.sync_period_ns = ns

    clients = []
    nodes = child(root, "clients")
    if d.sequence(nodes, "[]client.Config") and not is_null(nodes):
        for node in nodes.value:
            if d.mapping(node, "client.Config"):
                clients.append({"url": d.string(child(node, "url")) or "", "name": d.string(child(node, "name")),
                                "line": line(node), "node": node})
    single = child(root, "client")     # deprecated: Config.Setup appends it to clients when it has a URL
    if isinstance(single, yaml.MappingNode) and d.string(child(single, "url")):
        clients.append({"url": d.string(child(single, "url")), "name": d.string(child(single, "name")),
                        "line": line(single), "node": single})
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
            for key, gotype in (("docker_sd_configs", "[]*moby.DockerSDConfig"),
                                ("relabel_configs", "[]*relabel.Config"), ("pipeline_stages", "[]interface {}")):
                d.sequence(child(node, key), gotype)
    cfg.jobs = jobs


def start_errors(cfg):
    """What Promtail fails on when it starts (promtail.New), plus the stand-in's own rules: the
    positions file must be named, and what the stand-in cannot run is refused rather than ignored."""
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
    errs.extend(cfg.runtime_errors)
    return errs


def runtime_config(d, cfg):
    """Builds the clients and the docker jobs from the loaded YAML.  Errors of custom YAML unmarshallers
    (yaml.v2 fails the whole file with them) go to d.custom; errors Promtail finds when it starts go to
    cfg.runtime_errors, in its wording."""
    data = cfg.data
    errors = []
    client_cfgs = []
    raw_clients = [c for c in (data.get("clients") or []) if isinstance(c, dict)]
    if isinstance(data.get("client"), dict) and data["client"].get("url"):
        raw_clients.append(data["client"])
    for raw in raw_clients:
        if not raw.get("url"):
            continue          # reported by start_errors
        client_cfgs.append(ClientConfig(raw, d, errors))
    cfg.client_cfgs = client_cfgs

    jobs = []
    for index, raw in enumerate(data.get("scrape_configs") or []):
        if not isinstance(raw, dict):
            continue
        name = raw.get("job_name") or ""
        rules = []
        for j, rraw in enumerate(raw.get("relabel_configs") or []):
            rule = RelabelRule(rraw, d)
            err = rule.validate()
            if err:
                errors.append("error validating config: ScrapeConfig[%d].RelabelConfigs[%d]: %s" % (index, j, err))
            rules.append(rule)
        if not raw.get("docker_sd_configs"):
            other = sorted(k for k in raw if k.endswith("_configs") and k != "relabel_configs" and raw.get(k)) or \
                [k for k in ("journal", "syslog", "loki_push_api", "windows_events", "kafka", "gelf", "cloudflare",
                             "heroku_drain", "gcplog", "azure_event_hubs") if raw.get(k)]
            log("warn", "test stand-in: this scrape config has no docker_sd_configs; the stand-in only runs Docker "
                "targets, so it tails nothing for it", job=name, has=",".join(other) or "nothing")
            continue
        sds = []
        for sraw in raw.get("docker_sd_configs") or []:
            sd = DockerSD(sraw, d, errors)
            if sd.ok:
                sds.append(sd)
        try:
            pipeline = Pipeline(name, raw.get("pipeline_stages") or [])
        except StageError as e:
            errors.append("failed to make Docker service discovery target manager: %s" % e)
            pipeline = None
        jobs.append(Job(name, sds, rules, pipeline))
    cfg.scrape = jobs
    cfg.runtime_errors = errors


# ---------------------------------------------------------------- clients (client/config.go, client.go)

class ClientConfig:
    # client/config.go: BatchWait 1s, BatchSize 1 MiB, MinBackoff 500ms, MaxBackoff 5m, MaxRetries 10,
    # Timeout 10s.
    def __init__(self, raw, d, errors):
        self.url = str(raw.get("url"))
        self.name = raw.get("name") or ""
        u = urllib.parse.urlsplit(self.url)
        self.scheme = u.scheme
        self.conn_host = u.hostname or ""
        try:
            self.conn_port = u.port or 80
        except ValueError:
            self.conn_port = 80
            errors.append("client url %s: invalid port" % self.url)
        # Go's URL.Host (the metrics' "host" label) keeps the port as written, without user info.
        self.url_host = u.netloc.rpartition("@")[2]
        self.path = (u.path or "/") + ("?" + u.query if u.query else "")
        self.userinfo = (urllib.parse.unquote(u.username or ""), urllib.parse.unquote(u.password or "")) \
            if u.username is not None else None
        if self.scheme != "http":
            errors.append("test stand-in: client url %s: only http:// is supported (the image has no TLS)" % self.url)

        def dur(key, default):
            if raw.get(key) is None:
                return default
            ns = go_duration_ns(raw.get(key))
            if ns is None:
                d.custom.append('time: invalid duration "%s"' % raw.get(key))
                return default
            return ns

        self.batchwait = dur("batchwait", 10**9)
        self.batchsize = raw.get("batchsize") if isinstance(raw.get("batchsize"), int) else 1024 * 1024
        self.timeout = dur("timeout", 10 * 10**9)
        backoff = raw.get("backoff_config") if isinstance(raw.get("backoff_config"), dict) else {}
        self.min_backoff = go_duration_ns(backoff.get("min_period")) if backoff.get("min_period") is not None \
            else 500 * 10**6
        self.max_backoff = go_duration_ns(backoff.get("max_period")) if backoff.get("max_period") is not None \
            else 300 * 10**9
        self.max_retries = backoff.get("max_retries") if isinstance(backoff.get("max_retries"), int) else 10
        if self.min_backoff is None or self.max_backoff is None:
            d.custom.append("time: invalid duration in backoff_config")
            self.min_backoff, self.max_backoff = 500 * 10**6, 300 * 10**9
        ext = raw.get("external_labels") or {}
        self.external_labels = {str(k): str(v) for k, v in ext.items()} if isinstance(ext, dict) else {}
        self.tenant_id = str(raw.get("tenant_id") or "")
        self.headers = {str(k): str(v) for k, v in (raw.get("headers") or {}).items()} \
            if isinstance(raw.get("headers"), dict) else {}
        self.drop_rate_limited = bool(raw.get("drop_rate_limited_batches"))
        self.auth = None
        basic = raw.get("basic_auth")
        if isinstance(basic, dict):
            password = basic.get("password") or ""
            if basic.get("password_file"):
                try:
                    with open(basic["password_file"]) as f:
                        password = f.read().strip()
                except OSError as e:
                    errors.append("test stand-in: basic_auth.password_file: %s" % e)
            self.auth = "Basic " + _b64("%s:%s" % (basic.get("username") or "", password))
        elif raw.get("bearer_token"):
            self.auth = "Bearer " + str(raw["bearer_token"])
        elif self.userinfo is not None:
            self.auth = "Basic " + _b64("%s:%s" % self.userinfo)
        for key in ("tls_config", "oauth2", "proxy_url", "authorization", "bearer_token_file"):
            if raw.get(key):
                errors.append("test stand-in: client %s: %s is not supported" % (self.url, key))


def _b64(text):
    import binascii
    return binascii.b2a_base64(text.encode(), newline=False).decode()


# ---------------------------------------------------------------- docker_sd_configs (discovery/moby/docker.go)

class DockerSD:
    """DockerSDConfig with DefaultDockerSDConfig: port 80, refresh_interval 60s, host_networking_host
    localhost, match_first_network true; "host missing" when there is no host."""

    def __init__(self, raw, d, errors):
        self.ok = False
        if not isinstance(raw, dict):
            return
        self.host = raw.get("host") or ""
        if not self.host:
            d.custom.append("host missing")
            return
        self.port = raw.get("port") if isinstance(raw.get("port"), int) else 80
        ri = raw.get("refresh_interval", "60s")
        self.refresh_ns = prom_duration_ns(ri) if ri is not None else 60 * 10**9
        if self.refresh_ns is None:
            d.custom.append('not a valid duration string: "%s"' % ri)
            return
        if self.refresh_ns <= 0:
            self.refresh_ns = 60 * 10**9
        self.host_networking_host = raw.get("host_networking_host") or "localhost"
        mfn = raw.get("match_first_network")
        self.match_first_network = True if mfn is None else bool(mfn)
        self.filters = {}
        for f in raw.get("filters") or []:
            if isinstance(f, dict) and f.get("name"):
                self.filters.setdefault(str(f["name"]), []).extend(str(v) for v in (f.get("values") or []))
        u = urllib.parse.urlsplit(self.host)
        if u.scheme == "unix":
            self.unix_path = u.path
            self.tcp = None
        elif u.scheme in ("tcp", "http"):
            self.unix_path = None
            self.tcp = (u.hostname, u.port or 2375)
        else:
            errors.append("test stand-in: docker_sd_configs host %s: only unix://, tcp:// and http:// are supported"
                          % self.host)
            return
        for key in ("tls_config", "basic_auth", "authorization", "oauth2", "bearer_token", "proxy_url"):
            if raw.get(key):
                errors.append("test stand-in: docker_sd_configs %s is not supported" % key)
        self.ok = True

    def key(self, job):
        # targetmanager.go: one target group per "job/host:port"
        return "%s/%s:%d" % (job, self.host, self.port)


class Job:
    def __init__(self, name, sds, rules, pipeline):
        self.name, self.sds, self.rules, self.pipeline = name, sds, rules, pipeline


# ---------------------------------------------------------------- relabelling (prometheus model/relabel/relabel.go)

RELABEL_ACTIONS = ("replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase",
                   "uppercase", "keepequal", "dropequal")


def go_expand(template, m):
    """regexp.Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $; a bad reference keeps the $;
    an unknown or unmatched group expands to nothing."""
    out = []
    i, n = 0, len(template)
    while i < n:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        i = j + 1
        if i < n and template[i] == "$":
            out.append("$")
            i += 1
            continue
        name = None
        if i < n and template[i] == "{":
            k = template.find("}", i + 1)
            if k > i + 1 and re.fullmatch(r"[A-Za-z0-9_]+", template[i + 1:k]):
                name, i = template[i + 1:k], k + 1
        else:
            mm = re.match(r"[A-Za-z0-9_]+", template[i:])
            if mm:
                name, i = mm.group(0), i + mm.end()
        if name is None:
            out.append("$")
            continue
        value = None
        if name.isdigit() and not (name[0] == "0" and len(name) > 1):
            num = int(name)
            if num <= (m.re.groups if m else 0):
                value = m.group(num)
        elif m is not None and name in m.re.groupindex:
            value = m.group(name)
        out.append(value or "")
    return "".join(out)


class RelabelRule:
    def __init__(self, raw, d):
        raw = raw if isinstance(raw, dict) else {}
        self.source_labels = [str(x) for x in (raw.get("source_labels") or [])]
        self.has_source = raw.get("source_labels") is not None
        self.separator = str(raw["separator"]) if raw.get("separator") is not None else ";"
        self.regex_explicit = raw.get("regex") is not None
        regex = str(raw["regex"]) if self.regex_explicit else "(.*)"
        self.regex_text = regex
        try:
            self.regex = go_regex(regex)
        except re.error as e:
            d.custom.append("error parsing regexp: %s: `%s`" % (e.msg, regex))
            self.regex = re.compile("(?s:(.*))")
        self.modulus = raw.get("modulus") if isinstance(raw.get("modulus"), int) else 0
        self.target_label = str(raw["target_label"]) if raw.get("target_label") is not None else ""
        self.replacement = str(raw["replacement"]) if raw.get("replacement") is not None else "$1"
        action = raw.get("action")
        self.action = "replace" if action is None else str(action).lower()
        if action is not None and self.action not in RELABEL_ACTIONS:
            d.custom.append('unknown relabel action "%s"' % action)
            self.action = "replace"

    def validate(self):
        """relabel.Config.Validate with model.UTF8Validation, as config.Config.Validate calls it."""
        a = self.action
        if a == "":
            return "relabel action cannot be empty"
        if self.modulus == 0 and a == "hashmod":
            return "relabel configuration for hashmod requires non-zero modulus"
        if a in ("replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal") and not self.target_label:
            return "relabel configuration for %s action requires 'target_label' value" % a
        if a in ("lowercase", "uppercase", "keepequal", "dropequal") and self.replacement != "$1":
            return "'replacement' can not be set for %s action" % a
        if a == "labelmap" and not self.replacement:
            return '"%s" is invalid \'replacement\' for %s action' % (self.replacement, a)
        if a in ("dropequal", "keepequal") and (self.regex_explicit or self.modulus
                                                or self.separator != ";" or self.replacement != "$1"):
            return "%s action requires only 'source_labels' and `target_label`, and no other fields" % a
        if a in ("labeldrop", "labelkeep") and (self.has_source or self.target_label or self.modulus
                                                or self.separator != ";" or self.replacement != "$1"):
            return "%s action requires only 'regex', and no other fields" % a
        return None

    def apply(self, lb):
        """relabel(): returns False when the target is dropped; lb is changed in place (an empty value
        deletes, as labels.Builder.Set)."""
        val = self.separator.join(lb.get(n, "") for n in self.source_labels)
        a = self.action
        if a == "drop":
            return not self.regex.fullmatch(val)
        if a == "keep":
            return bool(self.regex.fullmatch(val))
        if a == "dropequal":
            return lb.get(self.target_label, "") != val
        if a == "keepequal":
            return lb.get(self.target_label, "") == val
        if a == "replace":
            if val == "" and not self.regex_explicit and "$" not in self.target_label \
                    and "$" not in self.replacement:
                _set(lb, self.target_label, self.replacement)
                return True
            m = self.regex.fullmatch(val)
            if not m:
                return True
            target = go_expand(self.target_label, m)
            if not target:
                return True
            res = go_expand(self.replacement, m)
            if not res:
                lb.pop(target, None)
            else:
                lb[target] = res
            return True
        if a == "lowercase":
            _set(lb, self.target_label, val.lower())
        elif a == "uppercase":
            _set(lb, self.target_label, val.upper())
        elif a == "hashmod":
            digest = hashlib.md5(val.encode()).digest()
            _set(lb, self.target_label, str(int.from_bytes(digest[8:], "big") % self.modulus))
        elif a == "labelmap":
            for name, value in list(lb.items()):
                m = self.regex.fullmatch(name)
                if m:
                    _set(lb, go_expand(self.replacement, m), value)
        elif a == "labeldrop":
            for name in list(lb):
                if self.regex.fullmatch(name):
                    del lb[name]
        elif a == "labelkeep":
            for name in list(lb):
                if not self.regex.fullmatch(name):
                    del lb[name]
        return True


def _set(lb, name, value):
    if value == "":
        lb.pop(name, None)
    elif name:
        lb[name] = value


def relabel_process(lb, rules):
    for rule in rules:
        if not rule.apply(lb):
            return False
    return True


# ---------------------------------------------------------------- pipeline stages (clients/pkg/logentry/stages)

class StageError(Exception):
    pass


# stage.go: every stage type Promtail 3.6.11 knows.  The stand-in runs the ones in STAGES below and
# refuses the others at start (so a configuration the stand-in cannot run never passes silently).
KNOWN_STAGES = ("json", "logfmt", "regex", "replace", "metrics", "labels", "labeldrop", "timestamp", "output",
                "docker", "cri", "match", "template", "tenant", "drop", "sampling", "limit", "multiline", "pack",
                "labelallow", "static_labels", "decolorize", "eventlogmessage", "geoip", "non_indexed_labels",
                "structured_metadata")


def go_float(f):
    """strconv.FormatFloat(f, 'f', -1, 64): the shortest digits that round-trip, never an exponent."""
    r = repr(float(f))
    if "e" not in r:
        return r[:-2] if r.endswith(".0") else r
    sign = "-" if r.startswith("-") else ""
    mant, exp = r.lstrip("-").split("e")
    whole, dummy, frac = mant.partition(".")
    digits, point = whole + frac, len(whole) + int(exp)
    if point <= 0:
        return sign + "0." + "0" * (-point) + digits
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return sign + digits[:point] + "." + digits[point:]


def get_string(v):
    """util.go getString: numbers (JSON's float64), strings and booleans convert; anything else fails."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return v
    raise ValueError("can't convert %r to string" % (v,))


def _no_constant(name):
    raise ValueError("invalid JSON literal " + name)


def compile_jmes(expr):
    """The JMESPath subset the stand-in evaluates: identifiers, "quoted" identifiers and sub-expressions
    (a.b."c-d").  Anything else is refused at start."""
    parts, pos = [], 0
    while True:
        m = re.compile(r'\s*(?:([A-Za-z_][A-Za-z0-9_]*)|"((?:[^"\\]|\\.)*)")\s*').match(expr, pos)
        if not m:
            raise StageError("test stand-in: JMESPath expression %r is not supported (only identifiers and "
                             "dotted paths)" % expr)
        parts.append(m.group(1) if m.group(1) is not None else json.loads('"%s"' % m.group(2)))
        pos = m.end()
        if pos == len(expr):
            return parts
        if expr[pos] != ".":
            raise StageError("test stand-in: JMESPath expression %r is not supported (only identifiers and "
                             "dotted paths)" % expr)
        pos += 1


def _string_map(config, stage):
    if config is None:
        return None
    if not isinstance(config, dict):
        raise StageError("invalid %s stage config: '' expected a map, got '%s'" % (stage, type(config).__name__))
    return config


class Entry:
    __slots__ = ("labels", "extracted", "ts", "line")

    def __init__(self, labels, ts, line):
        self.labels, self.extracted, self.ts, self.line = labels, {}, ts, line


class JSONStage:
    """json.go: expressions (required; an empty expression means the key), source, drop_malformed."""

    def __init__(self, config):
        if config is None:
            raise StageError("invalid json stage config: empty json stage configuration")
        if not isinstance(config, dict):
            raise StageError("invalid json stage config: '' expected a map, got '%s'" % type(config).__name__)
        exprs = config.get("expressions")
        if not exprs:
            raise StageError("invalid json stage config: JMES expression is required")
        self.source = config.get("source")
        if self.source is not None and self.source == "":
            raise StageError("invalid json stage config: empty source")
        self.drop_malformed = bool(config.get("drop_malformed"))
        self.expressions = {str(n): compile_jmes(str(e) if e else str(n)) for n, e in exprs.items()}

    def process(self, e):
        """Returns False when the entry is dropped (drop_malformed and not a JSON object)."""
        text = e.line
        if self.source is not None:
            if self.source not in e.extracted:
                return True
            try:
                text = get_string(e.extracted[self.source])
            except ValueError:
                return True
        try:
            data = json.loads(text, parse_int=float, parse_constant=_no_constant)
            if data is not None and not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            return not self.drop_malformed
        for name, path in self.expressions.items():
            value = data
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, (dict, list)):
                value = go_json(value, sort_keys=True)    # json.Marshal of an object or array
            e.extracted[name] = value
        return True


class LabelsStage:
    """labels.go: label name -> extracted key (empty: the same name); legacy label names only."""

    def __init__(self, config):
        config = _string_map(config, "labels")
        if config is None:
            raise StageError("invalid labels stage config: label stage config cannot be empty")
        self.labels = {}
        for name, src in config.items():
            if not LABEL_NAME.match(str(name)):     # legacy label names (model.LabelNameRE)
                raise StageError("invalid labels stage config: invalid label name: %s" % name)
            self.labels[str(name)] = str(src) if src else str(name)

    def process(self, e):
        for name, src in self.labels.items():
            if src in e.extracted:
                try:
                    e.labels[name] = get_string(e.extracted[src])
                except ValueError:
                    continue
        return True


class StaticLabelsStage:
    """static_labels.go: label name -> value; an empty value is skipped."""

    def __init__(self, config):
        config = _string_map(config, "static_labels")
        if config is None:
            raise StageError("invalid static_labels stage config: static_labels stage config cannot be empty")
        for name in config:
            if not str(name):
                raise StageError("invalid static_labels stage config: invalid label name: %s" % name)
        self.labels = {str(k): (None if v is None else get_string(v)) for k, v in config.items()}

    def process(self, e):
        for name, value in self.labels.items():
            if value:
                e.labels[name] = value
        return True


class LabelDropStage:
    """labeldrop.go / labelallow.go: a list of label names."""

    def __init__(self, config, allow=False):
        kind = "labelallow" if allow else "labeldrop"
        if not config:
            raise StageError("invalid %s stage config: %s stage config cannot be empty" % (kind, kind))
        if not isinstance(config, list):
            raise StageError("invalid %s stage config: source data must be an array or slice, got %s"
                             % (kind, type(config).__name__))
        self.names, self.allow = {str(n) for n in config}, allow

    def process(self, e):
        for name in list(e.labels):
            if (name in self.names) != self.allow:
                del e.labels[name]
        return True


def _unix_parser(scale):
    def parse(s):
        if scale == 10**9 and s.count(".") == 1:
            whole, frac = s.split(".")
            if not re.fullmatch(r"[-+]?\d+", whole) or not re.fullmatch(r"[-+]?\d+", frac):
                return None
            return int(whole) * 10**9 + int(int(frac) * 10 ** (9 - len(frac)))
        if not re.fullmatch(r"[-+]?\d+", s):
            return None
        return int(s) * scale
    return parse


TIME_FORMATS = {"RFC3339": parse_rfc3339_ns, "RFC3339Nano": parse_rfc3339_ns, "Unix": _unix_parser(10**9),
                "UnixMs": _unix_parser(10**6), "UnixUs": _unix_parser(10**3), "UnixNs": _unix_parser(1)}


class TimestampStage:
    """timestamp.go: source, format, fallback_formats, location, action_on_failure (fudge by default:
    1 ns after the last parsed time of the same label set, skip: keep the time)."""

    def __init__(self, config):
        if config is None:
            raise StageError("invalid timestamp stage config: timestamp stage config cannot be empty")
        if not isinstance(config, dict):
            raise StageError("invalid timestamp stage config: '' expected a map, got '%s'" % type(config).__name__)
        self.source = config.get("source") or ""
        if not self.source:
            raise StageError("invalid timestamp stage config: timestamp source value is required if timestamp is "
                             "specified")
        fmt = config.get("format") or ""
        if not fmt:
            raise StageError("invalid timestamp stage config: timestamp format is required")
        self.parsers = []
        for f in [fmt] + list(config.get("fallback_formats") or []):
            if f not in TIME_FORMATS:
                raise StageError("test stand-in: timestamp format %r is not supported (supported: %s)"
                                 % (f, ", ".join(TIME_FORMATS)))
            self.parsers.append(TIME_FORMATS[f])
        action = config.get("action_on_failure")
        self.action = "fudge" if action is None else action
        if self.action not in ("skip", "fudge"):
            raise StageError("invalid timestamp stage config: invalid action on failure (supported values are "
                             "[skip fudge])")
        # location only matters for layouts without a zone, which the stand-in does not take.
        self.last = collections.OrderedDict()   # labels string -> last time (an LRU of 10000, as upstream)

    def process(self, e):
        ts = None
        if self.source in e.extracted:
            try:
                s = get_string(e.extracted[self.source])
            except ValueError:
                s = None
            if s is not None:
                for parse in self.parsers:
                    ts = parse(s)
                    if ts is not None:
                        break
        key = labels_string(e.labels) if self.action == "fudge" else None
        if ts is not None:
            e.ts = ts
            if key is not None:
                self._remember(key, ts)
        elif key is not None and key in self.last:
            e.ts = self.last[key] + 1
            self._remember(key, e.ts)
        return True

    def _remember(self, key, ts):
        self.last[key] = ts
        self.last.move_to_end(key)
        while len(self.last) > 10000:
            self.last.popitem(last=False)


STAGES = {"json": JSONStage, "labels": LabelsStage, "timestamp": TimestampStage, "static_labels": StaticLabelsStage,
          "labeldrop": LabelDropStage, "labelallow": lambda c: LabelDropStage(c, allow=True)}


class Pipeline:
    """pipeline.go NewPipeline / Run: each stage is a one-key mapping; the extracted map starts with the
    entry's labels; stages run in order."""

    def __init__(self, job, stages):
        self.job = job
        self.stages = []
        self.lock = threading.Lock()
        for s in stages:
            if not isinstance(s, dict):
                raise StageError("invalid YAML config, make sure each stage of your pipeline is a YAML object "
                                 "(must end with a `:`), check stage `- %s`" % (s,))
            if len(s) > 1:
                raise StageError("pipeline stage must contain only one key")
            for name, config in s.items():
                if not isinstance(name, str):
                    raise StageError("pipeline stage key must be a string")
                if name not in KNOWN_STAGES:
                    raise StageError("invalid %s stage config: Unknown stage type: %s" % (name, name))
                if name not in STAGES:
                    raise StageError("test stand-in: the %s stage is not implemented (job %s; the stand-in runs %s)"
                                     % (name, job, ", ".join(sorted(STAGES))))
                self.stages.append(STAGES[name](config))

    def process(self, e):
        with self.lock:
            e.extracted = dict(e.labels)
            for stage in self.stages:
                if not stage.process(e):
                    return False
        return True


# ---------------------------------------------------------------- the positions file (positions/positions.go)

def read_positions(cfg):
    """Reads the positions file as Promtail does: missing is empty, a file that is not a positions file
    fails unless ignore_invalid_yaml.  Returns (positions, error)."""
    fn = os.path.normpath(cfg.positions_file)
    try:
        with open(fn, "rb") as f:
            buf = f.read()
    except FileNotFoundError:
        return {}, None
    except OSError as e:
        return None, "open %s: %s" % (fn, (e.strerror or str(e)).lower())
    try:
        data = yaml.safe_load(buf) if buf.strip() else None
        if data is not None and (not isinstance(data, dict) or set(data) - {"positions"}
                                 or not isinstance(data.get("positions") or {}, dict)):
            raise yaml.YAMLError("not a positions file (want positions: {path: offset})")
        return {str(k): str(v) for k, v in ((data or {}).get("positions") or {}).items()}, None
    except yaml.YAMLError as e:
        if cfg.ignore_invalid_positions:
            return {}, None
        return None, "invalid yaml positions file [%s]: %s" % (fn, str(e).replace("\n", " "))


def _yaml_key(s):
    # yaml.v2 leaves plain keys such as cursor-<id> unquoted
    return s if re.fullmatch(r"[A-Za-z_./][A-Za-z0-9_./:-]*", s) else '"%s"' % s.replace("\\", "\\\\") \
        .replace('"', '\\"')


class Positions:
    """positions.go: a map saved as `positions: {key: "value"}` (yaml.v2, keys sorted, mode 0600) through a
    temporary file renamed over the old one (renameio), every sync_period and when Promtail stops."""

    def __init__(self, cfg, initial):
        self.fn = os.path.normpath(cfg.positions_file)
        self.directory = os.path.dirname(self.fn) or "."
        self.lock = threading.Lock()
        self.data = dict(initial)
        self.sync_period = max(cfg.sync_period_ns, 10**8) / 1e9

    def get_int(self, key):
        with self.lock:
            value = self.data.get(key)
        try:
            return int(value) if value is not None else 0
        except ValueError:
            return 0

    def put(self, key, value):
        with self.lock:
            self.data[key] = str(value)

    def save(self):
        """Writes the file; returns an error text or None."""
        with self.lock:
            data = dict(self.data)
        body = "positions:\n" + "".join('  %s: "%s"\n' % (_yaml_key(k), v) for k, v in sorted(data.items())) \
            if data else "positions: {}\n"
        try:
            fd, tmp = tempfile.mkstemp(prefix=os.path.basename(self.fn) + ".", dir=self.directory)
            with os.fdopen(fd, "w") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.fn)
        except OSError as e:
            return "%s: %s" % (self.fn, (e.strerror or str(e)).lower())
        return None

    def run(self, stop):
        while not stop.wait(self.sync_period):
            err = self.save()
            if err:
                log("error", "error writing positions file", error=err)


# ---------------------------------------------------------------- metrics

DEF_BUCKETS = (.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10)   # client_golang prometheus.DefBuckets


class Metrics:
    def __init__(self):
        self.lock = threading.Lock()
        self.counters = {}        # name -> {label tuple: value}
        self.histograms = {}      # name -> {label tuple: [bucket counts..., sum, count]}
        self.help = {}

    def declare(self, name, kind, help_text):
        self.help[name] = (kind, help_text)
        (self.histograms if kind == "histogram" else self.counters).setdefault(name, {})

    def add(self, name, labels, value=1):
        key = tuple(sorted(labels.items()))
        with self.lock:
            series = self.counters[name]
            series[key] = series.get(key, 0) + value

    def observe(self, name, labels, value):
        key = tuple(sorted(labels.items()))
        with self.lock:
            series = self.histograms[name]
            h = series.setdefault(key, [0] * (len(DEF_BUCKETS) + 2))
            for i, bound in enumerate(DEF_BUCKETS):
                if value <= bound:
                    h[i] += 1
            h[-2] += value
            h[-1] += 1

    def render(self, out):
        with self.lock:
            for name, (kind, help_text) in self.help.items():
                out.append("# HELP %s %s" % (name, help_text))
                out.append("# TYPE %s %s" % (name, kind))
                if kind == "histogram":
                    for key, h in sorted(self.histograms[name].items()):
                        base = ",".join('%s="%s"' % (k, esc(v)) for k, v in key)
                        sep = "," if base else ""
                        for i, bound in enumerate(DEF_BUCKETS):
                            out.append('%s_bucket{%s%sle="%s"} %d' % (name, base, sep, bound, h[i]))
                        out.append('%s_bucket{%s%sle="+Inf"} %d' % (name, base, sep, h[-1]))
                        out.append("%s_sum%s %s" % (name, "{%s}" % base if base else "", repr(float(h[-2]))))
                        out.append("%s_count%s %d" % (name, "{%s}" % base if base else "", h[-1]))
                else:
                    for key, value in sorted(self.counters[name].items()):
                        lbl = ",".join('%s="%s"' % (k, esc(v)) for k, v in key)
                        out.append("%s%s %s" % (name, "{%s}" % lbl if lbl else "", _num(value)))


def _num(v):
    return str(int(v)) if float(v).is_integer() else repr(float(v))


METRICS = Metrics()
# client/client.go NewMetrics: names, help texts and labels of Promtail 3.6.11.
for _name, _help in (
        ("promtail_encoded_bytes_total", "Number of bytes encoded and ready to send."),
        ("promtail_sent_bytes_total", "Number of bytes sent."),
        ("promtail_dropped_bytes_total",
         "Number of bytes dropped because failed to be sent to the ingester after all retries."),
        ("promtail_sent_entries_total", "Number of log entries sent to the ingester."),
        ("promtail_dropped_entries_total",
         "Number of log entries dropped because failed to be sent to the ingester after all retries."),
        ("promtail_batch_retries_total", "Number of times batches has had to be retried."),
        # targets/docker/metrics.go
        ("promtail_docker_target_entries_total", "Total number of successful entries sent to the Docker target"),
        ("promtail_docker_target_parsing_errors_total",
         "Total number of parsing errors while receiving Docker messages")):
    METRICS.declare(_name, "counter", _help)
METRICS.declare("promtail_request_duration_seconds", "histogram", "Duration of send requests.")
METRICS.add("promtail_docker_target_entries_total", {}, 0)
METRICS.add("promtail_docker_target_parsing_errors_total", {}, 0)
REASONS = ("ingester_error", "rate_limited", "stream_limited", "line_too_long")


# ---------------------------------------------------------------- the Loki client (client/client.go, batch.go)

STOP = object()


class Batch:
    def __init__(self):
        self.streams = {}     # labels string -> (labels, [[ts, line]])
        self.bytes = 0
        self.created = time.monotonic()
        self.count = 0

    def add(self, labels, ts, line):
        # batch.go: the size is the line's length (plus structured metadata, which the stand-in has none of)
        self.bytes += len(line.encode("utf-8", "surrogateescape"))
        key = labels_string(labels, "__tenant_id__")
        if key not in self.streams:
            self.streams[key] = ({k: v for k, v in labels.items() if k != "__tenant_id__"}, [])
        self.streams[key][1].append([str(ts), line])
        self.count += 1

    def encode(self):
        # Loki's JSON push format (docs/sources/reference/loki-http-api.md, "Ingest logs"); Promtail itself
        # sends snappy-compressed protobuf, which this image cannot produce.
        body = {"streams": [{"stream": labels, "values": values}
                            for dummy, (labels, values) in sorted(self.streams.items())]}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogateescape")


class Client:
    def __init__(self, cc):
        self.cc = cc
        self.q = queue.Queue(maxsize=64)
        self.stopping = threading.Event()
        for name in ("promtail_encoded_bytes_total", "promtail_sent_bytes_total", "promtail_sent_entries_total"):
            METRICS.add(name, {"host": cc.url_host}, 0)
        self.thread = threading.Thread(target=self.run, name="client " + cc.url, daemon=True)
        self.thread.start()

    def handle(self, labels, ts, line):
        self.q.put((labels, ts, line))

    def stop(self, timeout):
        # Promtail's Stop still retries the pending batches with backoff; the stand-in sends each once more and
        # gives up, so that `docker stop` stays quick (what cannot be sent is counted as dropped).
        self.stopping.set()
        try:
            self.q.put(STOP, timeout=timeout)
        except queue.Full:
            pass
        self.thread.join(timeout)

    def run(self):
        batches = {}
        check = max(self.cc.batchwait / 10 / 1e9, 0.01)
        next_check = time.monotonic() + check
        while True:
            try:
                item = self.q.get(timeout=max(next_check - time.monotonic(), 0.001))
            except queue.Empty:
                item = None
            if item is STOP:
                for tenant, batch in batches.items():
                    self.send_batch(tenant, batch)
                return
            if item is not None:
                labels, ts, line = item
                if self.cc.external_labels:
                    merged = dict(self.cc.external_labels)
                    merged.update(labels)
                    labels = merged
                tenant = labels.get("__tenant_id__", self.cc.tenant_id)
                batch = batches.get(tenant)
                if batch is None:
                    batch = batches[tenant] = Batch()
                    for name in ("promtail_dropped_bytes_total", "promtail_dropped_entries_total"):
                        for reason in REASONS:
                            METRICS.add(name, {"host": self.cc.url_host, "tenant": tenant, "reason": reason}, 0)
                    METRICS.add("promtail_batch_retries_total", {"host": self.cc.url_host, "tenant": tenant}, 0)
                elif batch.bytes + len(line.encode("utf-8", "surrogateescape")) > self.cc.batchsize:
                    self.send_batch(tenant, batch)
                    batch = batches[tenant] = Batch()
                batch.add(labels, ts, line)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + check
                for tenant in list(batches):
                    if (time.monotonic() - batches[tenant].created) * 1e9 >= self.cc.batchwait:
                        self.send_batch(tenant, batches.pop(tenant))

    def send_batch(self, tenant, batch):
        """sendBatch: retry 429, 5xx and connection errors with dskit's backoff (min 500ms doubling to max
        5m, jitter within [delay, 2*delay), max_retries 10); any other status drops the batch."""
        buf = batch.encode()
        host = self.cc.url_host
        METRICS.add("promtail_encoded_bytes_total", {"host": host}, len(buf))
        delay_min = self.cc.min_backoff
        delay_max = min(2 * self.cc.min_backoff, self.cc.max_backoff)
        retries = 0
        while True:
            start = time.monotonic()
            status, err = self.send(tenant, buf)
            METRICS.observe("promtail_request_duration_seconds", {"status_code": str(status), "host": host},
                            time.monotonic() - start)
            if self.cc.drop_rate_limited and status == 429:
                log("warn", "dropping batch due to rate limiting applied at ingester", component="client", host=host)
                self._dropped(tenant, "rate_limited", len(buf), batch.count)
                return
            if err is None:
                METRICS.add("promtail_sent_bytes_total", {"host": host}, len(buf))
                METRICS.add("promtail_sent_entries_total", {"host": host}, batch.count)
                return
            if status > 0 and status != 429 and status // 100 != 5:
                break
            log("warn", "error sending batch, will retry", component="client", host=host, status=status,
                tenant=tenant, error=err)
            METRICS.add("promtail_batch_retries_total", {"host": host, "tenant": tenant})
            retries += 1
            if delay_min >= delay_max:
                sleep = delay_min
            else:
                sleep = delay_min + int.from_bytes(os.urandom(8), "big") % (delay_max - delay_min)
                if delay_max < self.cc.max_backoff:
                    delay_min = min(2 * delay_min, self.cc.max_backoff)
                    delay_max = min(2 * delay_max, self.cc.max_backoff)
            ongoing = self.cc.max_retries == 0 or retries < self.cc.max_retries
            if ongoing and not self.stopping.is_set():
                self.stopping.wait(sleep / 1e9)
            if not ongoing or self.stopping.is_set():
                break
        log("error", "final error sending batch", component="client", host=host, status=status, tenant=tenant,
            error=err)
        self._dropped(tenant, "rate_limited" if status == 429 else "ingester_error", len(buf), batch.count)

    def _dropped(self, tenant, reason, nbytes, entries):
        labels = {"host": self.cc.url_host, "tenant": tenant, "reason": reason}
        METRICS.add("promtail_dropped_bytes_total", labels, nbytes)
        METRICS.add("promtail_dropped_entries_total", labels, entries)

    def send(self, tenant, buf):
        """One POST; returns (status, error): -1 when there is no HTTP answer."""
        cc = self.cc
        conn = http.client.HTTPConnection(cc.conn_host, cc.conn_port, timeout=cc.timeout / 1e9)
        headers = {"Content-Type": "application/json", "User-Agent": "promtail/" + VERSION,
                   "Content-Length": str(len(buf))}
        if tenant:
            headers["X-Scope-OrgID"] = tenant
        if cc.auth:
            headers["Authorization"] = cc.auth
        for k, v in cc.headers.items():
            if k.lower() in (h.lower() for h in headers):
                log("warn", "custom header key already exists, skipping", key=k)
            else:
                headers[k] = v
        try:
            conn.request("POST", cc.path, body=buf, headers=headers)
            resp = conn.getresponse()
            body = resp.read(1024)
            status = resp.status
        except (OSError, http.client.HTTPException) as e:
            return -1, "Post \"%s\": %s" % (cc.url, e)
        finally:
            conn.close()
        if status // 100 != 2:
            first = body.decode("utf-8", "replace").split("\n", 1)[0]
            return status, "server returned HTTP status %d %s (%d): %s" % (
                status, http.client.responses.get(status, ""), status, first)
        return status, None


class Fanout:
    """client.Manager: every entry goes to every client, in order."""

    def __init__(self, clients):
        self.clients = clients

    def handle(self, labels, ts, line):
        for c in self.clients:
            c.handle(dict(labels), ts, line)


# ---------------------------------------------------------------- the Docker Engine API over its socket

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=None):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        try:
            s.connect(self.unix_path)
        except OSError:
            s.close()
            raise
        self.sock = s


class DockerAPI:
    def __init__(self, sd):
        self.sd = sd

    def connection(self, timeout):
        if self.sd.unix_path:
            return UnixHTTPConnection(self.sd.unix_path, timeout=timeout)
        return http.client.HTTPConnection(self.sd.tcp[0], self.sd.tcp[1], timeout=timeout)

    def get_json(self, path, timeout=None):
        conn = self.connection(timeout or max(self.sd.refresh_ns / 1e9, 5))
        try:
            conn.request("GET", path, headers={"User-Agent": "loki-promtail/" + VERSION})
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        if resp.status != 200:
            raise OSError("Error response from daemon: %s" % _docker_message(body, resp.status))
        return json.loads(body)

    def open_logs(self, container_id, since):
        """GET /containers/{id}/logs?follow&stdout&stderr&timestamps&since (LogsOptions of target.go);
        returns (connection, its socket, response)."""
        conn = self.connection(None)
        path = "/containers/%s/logs?%s" % (container_id, urllib.parse.urlencode(
            {"follow": "1", "stdout": "1", "stderr": "1", "timestamps": "1", "since": str(since)}))
        conn.request("GET", path, headers={"User-Agent": "loki-promtail/" + VERSION})
        sock = conn.sock
        resp = conn.getresponse()
        if resp.status != 200:
            body = resp.read()
            conn.close()
            raise OSError("Error response from daemon: %s" % _docker_message(body, resp.status))
        return conn, sock, resp


def _docker_message(body, status):
    try:
        return json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return "status %d" % status


# ---------------------------------------------------------------- docker service discovery (discovery/moby)

def sanitize_label_name(name):
    # util/strutil SanitizeLabelName
    return re.sub(r"[^a-zA-Z0-9_]", "_", name)


def _join_host_port(host, port):
    return "[%s]:%s" % (host, port) if ":" in host else "%s:%s" % (host, port)


def discover(api, sd):
    """DockerDiscovery.refresh: one target per TCP port per network of each running container (a
    fallback target without ports), with docker.go's labels.  Returns a list of label dicts."""
    query = "?" + urllib.parse.urlencode({"filters": json.dumps(sd.filters)}) if sd.filters else ""
    containers = api.get_json("/containers/json" + query)
    network_labels = {}
    for n in api.get_json("/networks"):
        nl = {"__meta_docker_network_id": n.get("Id", ""), "__meta_docker_network_name": n.get("Name", ""),
              "__meta_docker_network_scope": n.get("Scope", ""),
              "__meta_docker_network_internal": "true" if n.get("Internal") else "false",
              "__meta_docker_network_ingress": "true" if n.get("Ingress") else "false"}
        for k, v in (n.get("Labels") or {}).items():
            nl["__meta_docker_network_label_" + sanitize_label_name(k)] = v
        network_labels[n.get("Id", "")] = nl
    by_id = {c.get("Id"): c for c in containers}
    targets = []
    for c in containers:
        names = c.get("Names") or []
        if not names:
            continue
        mode = (c.get("HostConfig") or {}).get("NetworkMode", "")
        common = {"__meta_docker_container_id": c.get("Id", ""), "__meta_docker_container_name": names[0],
                  "__meta_docker_container_network_mode": mode}
        for k, v in (c.get("Labels") or {}).items():
            common["__meta_docker_container_label_" + sanitize_label_name(k)] = v
        networks = dict((c.get("NetworkSettings") or {}).get("Networks") or {})
        net_mode = mode
        if not networks:
            while net_mode.startswith("container:"):
                other = by_id.get(net_mode.split(":", 1)[1])
                if other is None:
                    break
                networks = dict((other.get("NetworkSettings") or {}).get("Networks") or {})
                net_mode = (other.get("HostConfig") or {}).get("NetworkMode", "")
                if networks:
                    break
        if sd.match_first_network and len(networks) > 1:
            keys = sorted(k for k, n in networks.items() if n is not None)
            if keys:
                networks = {keys[0]: networks[keys[0]]}
        for n in networks.values():
            if n is None:
                continue
            ip = n.get("IPAddress") or ""
            added = False
            for p in c.get("Ports") or []:
                if p.get("Type") != "tcp":
                    continue
                labels = {"__meta_docker_network_ip": ip, "__meta_docker_port_private": str(p.get("PrivatePort", 0))}
                if (p.get("PublicPort") or 0) > 0:
                    labels["__meta_docker_port_public"] = str(p["PublicPort"])
                    labels["__meta_docker_port_public_ip"] = p.get("IP") or ""
                labels.update(common)
                labels.update(network_labels.get(n.get("NetworkID", ""), {}))
                labels["__address__"] = _join_host_port(ip, p.get("PrivatePort", 0))
                targets.append(labels)
                added = True
            if not added:
                labels = {"__meta_docker_network_ip": ip}
                labels.update(common)
                labels.update(network_labels.get(n.get("NetworkID", ""), {}))
                labels["__address__"] = _join_host_port(ip, sd.port) if mode != "host" else sd.host_networking_host
                targets.append(labels)
    return targets


# ---------------------------------------------------------------- docker targets (targets/docker/target.go)

DOCKER_TS_LAYOUT = parse_rfc3339_ns        # "2006-01-02T15:04:05.999999999Z07:00"
MAX_FRAME_LEN = 16384 + 31                 # framedstdcopy.go maxFrameLen (TTY streams)
SIZE_LIMIT = 256 * 1024                    # target.go: the safety limit when max_line_size is 0


class DockerTarget:
    def __init__(self, group, container_id, labels):
        self.group, self.id, self.labels = group, container_id, labels
        self.since = group.runtime.positions.get_int("cursor-" + container_id)
        self.lock = threading.Lock()
        self.running = False
        self.sock = None
        self.stopped = False

    def start_if_not_running(self):
        with self.lock:
            if self.running or self.stopped:
                return
            self.running = True
        threading.Thread(target=self.run, name="docker/" + self.id[:12], daemon=True).start()

    def stop(self):
        with self.lock:
            self.stopped = True
            sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def run(self):
        try:
            self._run()
        except Exception as e:     # a broken target must not take the process down
            log("error", "docker target failed", container=self.id, err=repr(e))
        finally:
            with self.lock:
                self.running = False
                self.sock = None

    def _run(self):
        api = self.group.api
        try:
            info = api.get_json("/containers/%s/json" % self.id)
        except (OSError, ValueError, http.client.HTTPException) as e:
            log("error", "could not inspect container info", container=self.id, err=str(e))
            return
        tty = bool((info.get("Config") or {}).get("Tty"))
        try:
            conn, sock, resp = api.open_logs(self.id, self.since)
        except (OSError, http.client.HTTPException) as e:
            log("error", "could not fetch logs for container", container=self.id, err=str(e))
            return
        with self.lock:
            self.sock = sock
            if self.stopped:
                conn.close()
                return
        state = {"stdout": _StreamState(), "stderr": _StreamState()}
        written = 0
        buf = b""
        err = None
        try:
            while True:
                try:
                    chunk = resp.read1(65536)
                except (OSError, http.client.HTTPException, ValueError) as e:
                    if not self.stopped:
                        err = e
                    break
                if not chunk:
                    break
                buf += chunk
                if tty:
                    # NoHeaderFramedStdCopy: frames end at a newline or after maxFrameLen bytes
                    while buf:
                        nl = buf.find(b"\n") + 1
                        if nl > MAX_FRAME_LEN or (nl < 1 and len(buf) >= MAX_FRAME_LEN):
                            nl = MAX_FRAME_LEN
                        elif nl < 1:
                            break
                        frame, buf = buf[:nl], buf[nl:]
                        written += len(frame)
                        self.frame(state["stdout"], "stdout", frame)
                    continue
                # FramedStdCopy: [stream, 0, 0, 0, size (big endian uint32)] + payload
                while len(buf) >= 8:
                    kind, size = buf[0], int.from_bytes(buf[4:8], "big")
                    if len(buf) < 8 + size:
                        break
                    frame, buf = buf[8:8 + size], buf[8 + size:]
                    if kind == 3:
                        raise OSError("error from daemon in stream: %s" % frame.decode("utf-8", "replace"))
                    if kind not in (0, 1, 2):
                        raise OSError("Unrecognized input header: %d" % kind)
                    written += size
                    name = "stderr" if kind == 2 else "stdout"
                    self.frame(state[name], name, frame)
        except OSError as e:
            err = e
        finally:
            conn.close()
        if err is not None:
            log("warn", "could not transfer logs", written=written, container=self.id, err=str(err))
        else:
            log("info", "finished transferring logs", written=written, container=self.id)

    def frame(self, st, stream, frame):
        """Target.process for one frame: split off Docker's timestamp, join partial lines (Docker splits
        lines over 16 KiB), flush on a new timestamp or at the end of a line."""
        text = frame
        sp = text.find(b" ")
        ts = DOCKER_TS_LAYOUT(text[:sp].decode("ascii", "replace")) if sp >= 0 else None
        if ts is None:
            if not st.acc:
                log("error", "error reading docker log line, skipping line",
                    err="could not find timestamp in '%s'" % text.decode("utf-8", "replace").rstrip("\n"))
                METRICS.add("promtail_docker_target_parsing_errors_total", {})
                return
            ts, payload = st.cur_ts, text
        else:
            payload = text[sp + 1:]
        if ts != st.cur_ts:
            st.discard = False
            if st.acc:
                self.output(stream, st.cur_ts, b"".join(st.acc))
                st.acc, st.acc_len = [], 0
        eol = payload.endswith(b"\n")
        if st.discard:
            st.discard = not eol
            return
        payload = payload.rstrip(b"\r\n")
        if not st.acc and eol:
            self.output(stream, ts, payload)
            return
        st.acc.append(payload)
        st.acc_len += len(payload)
        st.cur_ts = ts
        if eol or st.acc_len > SIZE_LIMIT:
            st.discard = not eol
            self.output(stream, st.cur_ts, b"".join(st.acc))
            st.acc, st.acc_len = [], 0

    def output(self, stream, ts, payload):
        """handleOutput: discovered labels plus the log stream, relabelled; "__" labels dropped; then the
        job's pipeline and the clients; the position is the entry's Unix second."""
        lb = dict(self.labels)
        lb["__meta_docker_container_log_stream"] = stream
        if not relabel_process(lb, self.group.job.rules):
            return
        labels = {k: v for k, v in lb.items() if not k.startswith("__")}
        entry = Entry(labels, ts, payload.decode("utf-8", "replace"))
        pipeline = self.group.job.pipeline
        if pipeline is None or pipeline.process(entry):
            self.group.runtime.fanout.handle(entry.labels, entry.ts, entry.line)
        METRICS.add("promtail_docker_target_entries_total", {})
        self.since = ts // 10**9
        self.group.runtime.positions.put("cursor-" + self.id, self.since)


class _StreamState:
    __slots__ = ("acc", "acc_len", "cur_ts", "discard")

    def __init__(self):
        self.acc, self.acc_len, self.cur_ts, self.discard = [], 0, None, False


class TargetGroup:
    """targetGroup: the containers of one job and Docker host; a target is created once per container ID
    (with the labels of its first discovered target) and restarted when the container is seen again."""

    def __init__(self, runtime, job, sd):
        self.runtime, self.job, self.sd = runtime, job, sd
        self.api = DockerAPI(sd)
        self.targets = {}
        self.lock = threading.Lock()

    def sync(self, discovered):
        with self.lock:
            for labels in discovered:
                cid = labels.get("__meta_docker_container_id")
                if not cid:
                    continue
                t = self.targets.get(cid)
                if t is None:
                    t = self.targets[cid] = DockerTarget(self, cid, labels)
                    log("info", "added Docker target", containerID=cid, job=self.job.name)
                t.start_if_not_running()

    def run(self, stop):
        while not stop.is_set():
            try:
                self.sync(discover(self.api, self.sd))
            except (OSError, ValueError, http.client.HTTPException) as e:
                log("error", "Unable to refresh target groups", discovery="docker", job=self.job.name,
                    err="error while listing containers: %s" % e)
            stop.wait(self.sd.refresh_ns / 1e9)

    def stop(self):
        with self.lock:
            targets = list(self.targets.values())
        for t in targets:
            t.stop()


class Runtime:
    def __init__(self, cfg, positions):
        self.cfg = cfg
        self.positions = positions
        self.stop_event = threading.Event()
        self.clients = [Client(cc) for cc in cfg.client_cfgs]
        self.fanout = Fanout(self.clients)
        self.groups = {}
        for job in cfg.scrape:
            for sd in job.sds:
                self.groups.setdefault(sd.key(job.name), TargetGroup(self, job, sd))

    def start(self):
        threading.Thread(target=self.positions.run, args=(self.stop_event,), name="positions", daemon=True).start()
        for group in self.groups.values():
            threading.Thread(target=group.run, args=(self.stop_event,), name="discovery", daemon=True).start()

    def ready(self):
        # targetGroup.Ready always answers true, so Promtail is ready as soon as a docker job exists.  Jobs
        # of other kinds are not run here; the stand-in counts them as ready (it cannot tell).
        return bool(self.groups) or len(self.cfg.jobs) > len(self.cfg.scrape)

    def shutdown(self):
        """Promtail.Shutdown: stop the targets (positions saved), then the clients (pending batches sent)."""
        self.stop_event.set()
        for group in self.groups.values():
            group.stop()
        err = self.positions.save()
        if err:
            log("error", "error writing positions file", error=err)
        deadline = time.monotonic() + 5
        for c in self.clients:
            c.stop(max(deadline - time.monotonic(), 0.1))


# ---------------------------------------------------------------- the server

def metrics(cfg):
    out = []
    process_metrics(out, "promtail", VERSION, START_TIME)
    METRICS.render(out)
    config_metrics(out, cfg.path, cfg.sha256)
    metric(out, "standin_scrape_config_info", "gauge",
           "A scrape config of the configuration; docker=1 when the stand-in runs it (docker_sd_configs), 0 when it "
           "tails nothing for it.",
           [({"job_name": j, "docker": "1" if j in {s.name for s in cfg.scrape} else "0"}, 1) for j in cfg.jobs])
    metric(out, "standin_positions_file_info", "gauge", "The positions file the stand-in keeps.",
           [({"file": cfg.positions_file}, 1)])
    return "\n".join(out) + "\n"


class Handler(GoHandler):
    server_version = "promtail-standin"
    cfg = None
    runtime = None

    def route(self):
        self.drain()
        path = urllib.parse.urlsplit(self.path).path
        if path == "/ready":
            # server.go ready(): 500 unless a target manager is ready, when health_check_target is on
            if self.cfg.health_check_target and not self.runtime.ready():
                return self.reply(500, "Not ready: Unable to find any logs to tail. Please verify permissions, "
                                       "volumes, scrape_config, etc.\n")
            return self.reply(200, "Ready")
        if path == "/metrics":
            return self.reply(200, metrics(self.cfg), "text/plain; version=0.0.4; charset=utf-8")
        return self.reply(404, "404 page not found\n")

    do_GET = do_POST = do_HEAD = route


def start(cfg, flags):
    # dskit's server default is port 80 (configuration.md, server block); upstream's example sets 9080.
    port = flags.get("server.http-listen-port", cfg.http_port if cfg.http_port is not None else 80)
    initial, err = read_positions(cfg)
    if err is None:
        directory = os.path.dirname(os.path.normpath(cfg.positions_file)) or "."
        if not os.path.isdir(directory):
            err = "test stand-in: the directory of the positions file, %s, does not exist" % directory
    positions = None
    if err is None:
        # Written back at once, so that an unwritable directory fails at the start (Promtail would only log
        # errors every sync_period).
        positions = Positions(cfg, initial)
        err = positions.save()
        if err:
            err = "test stand-in: cannot write the positions file " + err
    if err:
        log("error", "error creating promtail", error=err)
        sys.exit(1)
    try:
        server = listen(cfg.http_address, port, Handler)
    except OSError as e:
        log("error", "error creating promtail", error="error creating loki server: listen tcp %s:%d: bind: %s"
            % (cfg.http_address, port, (e.strerror or str(e)).lower()))
        sys.exit(1)
    runtime = Runtime(cfg, positions)
    Handler.cfg, Handler.runtime = cfg, runtime

    stop_on_signals(server, lambda signum: log("info", "received shutdown signal",
                                               signal=signal.Signals(signum).name))
    log("info", "Starting Promtail", version="(version=%s, branch=standin, revision=standin)" % VERSION)
    log("info", "server listening on addresses", http=server_address_text(server), standin="true",
        positions=cfg.positions_file, clients=len(cfg.clients), scrape_configs=len(cfg.jobs),
        docker_jobs=len(cfg.scrape))
    runtime.start()
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    runtime.shutdown()
    log("info", "stopped", standin="true")
    sys.exit(0)


def main(argv):
    global LOG_LEVEL
    flags = parse_flags(argv[1:], FLAGS, "promtail")
    LOG_LEVEL = log_level(flags)
    if flags.get("check-syntax") or flags.get("version"):
        LOG_LEVEL = "error"      # the checks print their own result
    cfg = read_config(flags)
    if flags.get("check-syntax"):
        if not flags.get("config.file"):
            print("Invalid config file")
            sys.exit(1)
        # Promtail's -check-syntax stops here; the stand-in also applies the checks Promtail makes when it
        # starts (and refuses what it cannot run), so a deploy step's check catches them.
        errs = start_errors(cfg)
        if errs:
            sys.stderr.write("".join("Invalid config file: %s\n" % e for e in errs))
            sys.exit(1)
        print("Valid config file! No syntax issues found")
        sys.exit(0)
    if flags.get("version"):
        print_version("promtail", VERSION)
    errs = start_errors(cfg)
    if errs:
        for e in errs:
            log("error", "error creating promtail", error=e)
        sys.exit(1)
    start(cfg, flags)


if __name__ == "__main__":
    main(sys.argv)

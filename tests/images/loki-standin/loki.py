# Test stand-in for Grafana Loki 3.7.6 (grafana/loki:3.7.6), tests only; see
# tests/images/README.md, "loki-standin".  It stores no logs and answers no
# queries: it reads and checks the configuration as Loki 3.x would reject it,
# then serves /ready, /metrics and accepts pushes.
#
# Sources of the behaviour imitated (grafana/loki at tag v3.7.6):
#   cmd/loki/main.go, cmd/loki/health.go       flags -health, -version, -verify-config, exit codes
#   pkg/util/cfg/files.go                      config file loading and its error texts (strict YAML)
#   pkg/loki/loki.go Config, Config.Validate   top-level keys, "CONFIG ERROR: ..." texts
#   pkg/loki/validation.go                     schema/index/directory requirements
#   pkg/storage/config/schema_config.go        period_config checks
#   pkg/compactor/config.go Config.Validate    retention needs delete_request_store
#   docs/sources/shared/configuration.md       the documented top-level blocks
#   docs/sources/setup/upgrade/_index.md       options removed in 3.0, published at
#     https://grafana.com/docs/loki/latest/setup/upgrade/#300
import datetime
import hashlib
import http.client
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

import yaml

VERSION = "3.7.6"
PROG = "loki"
DATA_DIR = "/loki"
MARKER = DATA_DIR + "/standin.started"
UPGRADE_URL = "https://grafana.com/docs/loki/latest/setup/upgrade/"

# Top-level blocks of Loki 3.7's configuration: the documented ones
# (docs/sources/shared/configuration.md, "Supported contents and default values of loki.yaml") ...
TOP_LEVEL = {
    "target", "auth_enabled", "ballast_bytes", "server", "ui", "distributor", "querier", "query_engine",
    "query_scheduler", "frontend", "query_range", "ruler", "ruler_storage", "ingester_client", "ingester",
    "pattern_ingester", "index_gateway", "bloom_build", "bloom_gateway", "storage_config", "chunk_store_config",
    "schema_config", "compactor", "compactor_grpc_client", "limits_config", "frontend_worker", "table_manager",
    "memberlist", "kafka_config", "dataobj", "ingest_limits", "ingest_limits_frontend",
    "ingest_limits_frontend_client", "runtime_config", "operational_config", "tracing", "analytics", "profiling",
    "tenant_limits_allow_publish", "common", "shutdown_delay", "metrics_namespace",
}
# ... and the ones pkg/loki/loki.go accepts without documenting them (doc:"hidden").
TOP_LEVEL |= {"http_prefix", "internal_server", "compactor_client", "legacy_read_target"}

# Options removed in Loki 3.0 (upgrade guide, "Loki 3.0.0"; each is in the 2.9 configuration
# reference and absent from 3.7's).  Loki 3 rejects them as unknown fields (strict YAML).
# path -> (Go type yaml.v2 names in its error, anchor in the upgrade guide)
_SHIPPER = "removed-shared_store-and-shared_store_key_prefix-from-shipper-configuration"
_COMPACTOR = "removed-shared_store-and-shared_store_key_prefix-from-compactor-configuration"
_BACKUP = "configuration-use_boltdb_shipper_as_backup-is-removed"
_DEPRECATED = "deprecated-configuration-options-are-removed"
REMOVED = {
    ("storage_config", "boltdb_shipper", "shared_store"): ("boltdb.IndexCfg", _SHIPPER),
    ("storage_config", "boltdb_shipper", "shared_store_key_prefix"): ("boltdb.IndexCfg", _SHIPPER),
    ("storage_config", "tsdb_shipper", "shared_store"): ("indexshipper.Config", _SHIPPER),
    ("storage_config", "tsdb_shipper", "shared_store_key_prefix"): ("indexshipper.Config", _SHIPPER),
    ("storage_config", "boltdb_shipper", "use_boltdb_shipper_as_backup"): ("boltdb.IndexCfg", _BACKUP),
    ("storage_config", "tsdb_shipper", "use_boltdb_shipper_as_backup"): ("indexshipper.Config", _BACKUP),
    ("compactor", "shared_store"): ("compactor.Config", _COMPACTOR),
    ("compactor", "shared_store_key_prefix"): ("compactor.Config", _COMPACTOR),
    ("compactor", "deletion_mode"): ("compactor.Config", _DEPRECATED),   # now limits_config.deletion_mode
    ("ingester", "max_transfer_retries"): ("ingester.Config", "ingester-configuration-max_transfer_retries-is-removed"),
    ("chunk_store_config", "max_look_back_period"): ("config.ChunkStoreConfig", _DEPRECATED),
    ("querier", "query_timeout"): ("querier.Config", _DEPRECATED),
    ("querier", "engine", "timeout"): ("logql.EngineOpts", _DEPRECATED),
    ("query_range", "split_queries_by_interval"): ("queryrange.Config", _DEPRECATED),
    ("query_range", "forward_headers_list"): ("queryrange.Config", _DEPRECATED),
    ("frontend_worker", "parallelism"): ("worker.Config", _DEPRECATED),
    ("limits_config", "enforce_metric_name"): ("validation.Limits", _DEPRECATED),
    ("limits_config", "ruler_evaluation_delay_duration"): ("validation.Limits", _DEPRECATED),
}
# Removed names that no block of Loki 3.7 has any more, wherever they appear (cache and S3 blocks
# appear at several places).
REMOVED_ANYWHERE = {
    "async_cache_write_back_concurrency":
        ("cache.Config", "configuration-async_cache_write_back_concurrency-and-async_cache_write_back_buffer_size-have-been-removed"),
    "async_cache_write_back_buffer_size":
        ("cache.Config", "configuration-async_cache_write_back_concurrency-and-async_cache_write_back_buffer_size-have-been-removed"),
    "sse_encryption": ("aws.S3Config", _DEPRECATED),
}
# The documented keys of period_config (schema_config.configs[]).
PERIOD_KEYS = {"from", "store", "object_store", "schema", "index", "chunks", "row_shards"}
INDEX_KEYS = {"path_prefix", "prefix", "period", "tags"}
# pkg/storage/types/types.go
SUPPORTED_INDEX = ["boltdb-shipper", "tsdb"]
OTHER_INDEX = ["aws", "aws-dynamo", "bigtable", "bigtable-hashed", "boltdb", "cassandra", "gcp", "gcp-columnkey",
               "grpc-store", "inmemory"]
SUPPORTED_STORAGE = ["filesystem", "aws", "alibabacloud", "azure", "bos", "cos", "gcs", "s3", "swift", "noop"]
OTHER_STORAGE = ["aws-dynamo", "bigtable", "bigtable-hashed", "cassandra", "gcp", "gcp-columnkey", "grpc-store",
                 "inmemory"]

# Flags the stand-in knows (Go flag syntax): name -> kind.  Every other flag is an error, as in Loki
# for a flag it does not define.
FLAGS = {
    "config.file": "string", "config.expand-env": "bool", "verify-config": "bool", "target": "string",
    "version": "bool", "print-config-stderr": "bool", "log-config-reverse-order": "bool",
    "log.level": "string", "server.http-listen-port": "int",
}
DEFAULT_CONFIG_FILE = "config.yaml,config/config.yaml"
EXPAND_ENV_HINT = ". Use `-config.expand-env=true` flag if you want to expand environment variables in your config file"

START_TIME = time.time()


# ---------------------------------------------------------------- logging (go-kit logfmt, as Loki)

def _logfmt(v):
    v = str(v)
    if v and not re.search(r'[\s="\\]', v) and v.isprintable():
        return v
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t") + '"'


def log(level, msg, **kv):
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = ["level=" + level, "ts=" + ts, "caller=loki-standin", "msg=" + _logfmt(msg)]
    parts += ["%s=%s" % (k, _logfmt(v)) for k, v in kv.items()]
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


def usage():
    sys.stdout.write("Usage of loki (test stand-in; only these flags):\n")
    for name, kind in sorted(FLAGS.items()):
        sys.stdout.write("  -%s%s\n" % (name, "" if kind == "bool" else " " + kind))
    sys.exit(2)


def parse_flags(args):
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
        "timestamp": "!!timestamp", "seq": "!!seq", "map": "!!map"}


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

# Prometheus model.Duration (prometheus/common/model/time.go), used by limits_config and period_config.
PROM_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
PROM_UNITS = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001]


def prom_duration(text):
    if text == "0":
        return 0
    m = PROM_DURATION.match(text) if text else None
    if not m or not any(m.groups()):
        return None
    return sum(int(g) * u for g, u in zip(m.groups(), PROM_UNITS) if g)


class Decoder:
    """Checks a composed YAML tree the way yaml.v2's UnmarshalStrict would fail on it (unknown
    fields, duplicate keys, wrong kinds for the fields the stand-in reads) and collects the errors."""

    def __init__(self):
        self.errors = []

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
        """node must be a mapping (or null); returns False otherwise."""
        if is_null(node) or isinstance(node, yaml.MappingNode):
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

    def duration(self, node):
        """A Prometheus model.Duration; returns seconds."""
        text = self.string(node)
        if text is None:
            return None
        d = prom_duration(text)
        if d is None:
            self.err('line %d: not a valid duration string: "%s"' % (line(node), text))
        return d


def walk(node, path=()):
    """(path, key node, value node) for every mapping entry below node."""
    for k, v in items(node):
        if not isinstance(k, yaml.ScalarNode):
            continue
        p = path + (k.value,)
        yield p, k, v
        if isinstance(v, yaml.MappingNode):
            yield from walk(v, p)
        elif isinstance(v, yaml.SequenceNode):
            for e in v.value:
                yield from walk(e, p)


# ---------------------------------------------------------------- the configuration

class Config:
    pass


def read_config(flags):
    """Loads the first existing file of -config.file (comma-separated, as Loki); exits 1 with
    Loki's "failed parsing config: ..." on any error."""
    spec = flags.get("config.file", DEFAULT_CONFIG_FILE)
    expand = flags.get("config.expand-env", False)
    hint = "" if expand else EXPAND_ENV_HINT

    def fail(text):
        sys.stderr.write("failed parsing config: %s\n" % text)
        sys.exit(1)

    path = None
    for candidate in spec.split(","):
        candidate = candidate.strip()
        if candidate and os.path.exists(candidate):
            path = candidate
            break
    if path is None:
        sys.stderr.write("failed parsing config: %s does not exist, set config.file for custom config path\n"
                         "loki-standin: the test stand-in has no built-in configuration: mount one (for example "
                         "-v DIR:/etc/loki:ro) and name it with -config.file\n" % spec)
        sys.exit(1)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except IsADirectoryError:
        fail("%s: read %s: is a directory%s" % (path, path, hint))
    except OSError as e:
        fail("open %s: %s%s" % (path, (e.strerror or str(e)).lower(), hint))
    try:
        text = raw.decode("utf-8")
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except UnicodeDecodeError as e:
        fail("%s: yaml: invalid UTF-8 (byte %d)%s" % (path, e.start, hint))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = "line %d: " % (mark.line + 1) if mark else ""
        fail("%s: yaml: %s%s%s" % (path, where, e.problem or e.context, hint))
    except yaml.YAMLError as e:
        fail("%s: yaml: %s%s" % (path, e, hint))

    root = docs[0] if docs else None          # yaml.v2 reads the first document
    d = Decoder()
    cfg = Config()
    cfg.path, cfg.sha256, cfg.root = path, hashlib.sha256(raw).hexdigest(), root
    decode(d, root, cfg)
    if d.errors:
        d.errors.sort(key=lambda e: int(re.match(r"line (\d+)", e).group(1)))   # document order, as yaml.v2
        sys.stderr.write("failed parsing config: %s: yaml: unmarshal errors:\n  %s%s\n"
                         % (path, "\n  ".join(d.errors), hint))
        for option, anchor in cfg.removed:
            sys.stderr.write("loki-standin: %s was removed in Loki 3.0, see %s#%s\n" % (option, UPGRADE_URL, anchor))
        sys.exit(1)
    return cfg


def decode(d, root, cfg):
    """The strict-unmarshal part: kinds, unknown/removed fields, and the values the checks read."""
    cfg.removed = []
    if not d.mapping(root, "loki.ConfigWrapper"):
        root = None
    d.no_duplicates(root)
    d.known_fields(root, TOP_LEVEL, "loki.ConfigWrapper")
    for path, k, dummy in walk(root):
        hit = REMOVED.get(path)
        if hit is None and path[-1] in REMOVED_ANYWHERE:
            hit = REMOVED_ANYWHERE[path[-1]]
        if hit is not None:
            gotype, anchor = hit
            d.err("line %d: field %s not found in type %s" % (line(k), path[-1], gotype))
            cfg.removed.append((".".join(path), anchor))

    for block, gotype in (("server", "server.Config"), ("common", "common.Config"),
                          ("storage_config", "storage.Config"), ("compactor", "compactor.Config"),
                          ("limits_config", "validation.Limits"), ("schema_config", "config.SchemaConfig"),
                          ("ingester", "ingester.Config"), ("ruler", "ruler.Config")):
        d.mapping(child(root, block), gotype)

    cfg.auth_enabled = d.boolean(child(root, "auth_enabled"))
    cfg.http_port = d.integer(child(root, "server", "http_listen_port"))
    cfg.http_address = d.string(child(root, "server", "http_listen_address")) or ""
    cfg.path_prefix = d.string(child(root, "common", "path_prefix")) or ""
    cfg.retention_enabled = d.boolean(child(root, "compactor", "retention_enabled"))
    cfg.delete_request_store = d.string(child(root, "compactor", "delete_request_store")) or ""
    cfg.delete_prefix = d.string(child(root, "compactor", "delete_request_store_key_prefix"))
    cfg.working_directory = d.string(child(root, "compactor", "working_directory")) or ""
    cfg.allow_structured_metadata = d.boolean(child(root, "limits_config", "allow_structured_metadata"))
    d.boolean(child(root, "limits_config", "reject_old_samples"))
    d.duration(child(root, "limits_config", "reject_old_samples_max_age"))
    d.duration(child(root, "limits_config", "retention_period"))
    cfg.use_thanos = d.boolean(child(root, "storage_config", "use_thanos_objstore"))
    cfg.named_stores = {name.value for dummy, kind in items(child(root, "storage_config", "named_stores"))
                        for name, dummy_value in items(kind)}
    for group in ("tsdb_shipper", "boltdb_shipper"):
        setattr(cfg, group, {key: d.string(child(root, "storage_config", group, key)) or ""
                             for key in ("active_index_directory", "cache_location")})
    # Directories Loki creates at start (the stand-in does too, to prove they are writable).
    cfg.dirs = [p for p in (
        cfg.path_prefix,
        d.string(child(root, "common", "storage", "filesystem", "chunks_directory")),
        d.string(child(root, "common", "storage", "filesystem", "rules_directory")),
        d.string(child(root, "storage_config", "filesystem", "directory")),
        cfg.tsdb_shipper["active_index_directory"], cfg.tsdb_shipper["cache_location"],
        cfg.boltdb_shipper["active_index_directory"], cfg.boltdb_shipper["cache_location"],
        cfg.working_directory,
        d.string(child(root, "ingester", "wal", "dir")),
        d.string(child(root, "ruler", "rule_path")),
    ) if p]

    cfg.periods = []
    configs = child(root, "schema_config", "configs")
    if not is_null(configs) and not isinstance(configs, yaml.SequenceNode):
        d.err(cannot_unmarshal(configs, "[]config.PeriodConfig"))
        configs = None
    for node in (configs.value if configs is not None and not is_null(configs) else []):
        if not d.mapping(node, "config.PeriodConfig") or is_null(node):
            continue
        d.known_fields(node, PERIOD_KEYS, "config.PeriodConfig")
        index = child(node, "index")
        d.mapping(index, "config.IndexPeriodicTableConfig")
        d.known_fields(index, INDEX_KEYS, "config.IndexPeriodicTableConfig")
        p = {"line": line(node), "from": None}
        frm = child(node, "from")
        if not is_null(frm):
            text = d.string(frm)
            try:
                p["from"] = datetime.datetime.strptime(text or "", "%Y-%m-%d").date()
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    raise ValueError
            except ValueError:
                d.err('line %d: parsing time "%s" as "2006-01-02": not a YYYY-MM-DD date' % (line(frm), text))
        p["store"] = d.string(child(node, "store")) or ""
        p["object_store"] = d.string(child(node, "object_store")) or ""
        p["schema"] = d.string(child(node, "schema")) or ""
        p["prefix"] = d.string(child(index, "prefix")) or ""
        p["path_prefix"] = d.string(child(index, "path_prefix"))
        p["period"] = d.duration(child(index, "period"))
        p["has_period"] = not is_null(child(index, "period"))
        p["row_shards"] = d.integer(child(node, "row_shards"))
        cfg.periods.append(p)


def schema_version(schema):
    """PeriodConfig.VersionAsInt: strings.Trim(schema, "v") then Atoi."""
    try:
        return int(schema.strip("v"))
    except ValueError:
        return None


def path_prefix_error(prefix):
    """config.ValidatePathPrefix."""
    if prefix == "":
        return "prefix must be set"
    if "\\" in prefix:
        return "prefix should only have '/' as a path separator"
    if prefix.startswith("/"):
        return "prefix should never start with a path separator i.e '/'"
    if not prefix.endswith("/"):
        return "prefix should end with a path separator i.e '/'"
    return None


def period_error(p, i):
    """SchemaConfig.Validate for one period (first error, as Loki)."""
    # Stand-in requirements (the brief's rule: every period names all of these); Loki would default
    # from to 1970-01-01 and the table prefix to "".
    if p["from"] is None:
        return "validating period_config: schema_config.configs[%d] (line %d): from (YYYY-MM-DD) is required " \
               "(stand-in check)" % (i, p["line"])
    if not p["prefix"]:
        return "validating period_config: schema_config.configs[%d] (line %d): index.prefix is required " \
               "(stand-in check)" % (i, p["line"])
    if not p["has_period"]:
        return "validating period_config: schema_config.configs[%d] (line %d): index.period is required " \
               "(stand-in check)" % (i, p["line"])
    period = p["period"] or 0
    if p["store"] == "tsdb" and period != 86400:
        return "validating period_config: tsdb must always have periodic config for index set to 24h"
    if period > 0 and period % 86400:
        return "validating period_config: validating index tables: the table period must be a multiple of 24h " \
               "(1h for schema v1)"
    if p["path_prefix"] is not None:
        e = path_prefix_error(p["path_prefix"])
        if e:
            return "validating period_config: validating index tables: " + e
    v = schema_version(p["schema"])
    if v is None:
        return "validating period_config: invalid schema version: strconv.Atoi: parsing %s: invalid syntax" \
            % json.dumps(p["schema"].strip("v"))
    if v in (10, 11, 12, 13):
        if p["row_shards"] is not None and p["row_shards"] <= 0:
            return "validating period_config: must have row_shards > 0 (current: %d) for schema (%s)" \
                % (p["row_shards"], p["schema"])
    elif v != 9:
        return "validating period_config: invalid schema version"
    return None


def active_period(periods):
    """config.ActivePeriodConfig: the last period whose from is not in the future."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    idx = 0
    for i, p in enumerate(periods):
        if p["from"] is not None and p["from"] <= today:
            idx = i
    return idx


def validate(cfg):
    """Config.Validate (the parts the stand-in imitates); returns a list of error texts."""
    errs = []
    periods = cfg.periods

    # SchemaConfig.Validate
    schema_err = None
    if not periods:
        schema_err = "must specify at least one schema configuration"
    else:
        a = active_period(periods)
        ap = periods[a]
        if ap["store"] == "boltdb-shipper" and (ap["period"] or 0) != 86400 and a == len(periods) - 1:
            schema_err = "boltdb-shipper works best with 24h periodic index config. Either add a new config with " \
                         "future date set to 24h to retain the existing index or change the existing config to use 24h period"
        for i, p in enumerate(periods):
            if schema_err:
                break
            schema_err = period_error(p, i)
            if not schema_err and i + 1 < len(periods) and periods[i + 1]["from"] is not None \
                    and p["from"] >= periods[i + 1]["from"]:
                schema_err = "from time in schemas must be distinct and in increasing order"
    if schema_err:
        errs.append("CONFIG ERROR: invalid schema config: " + schema_err)

    # compactor.Config.Validate
    if cfg.retention_enabled:
        if not cfg.delete_request_store:
            errs.append("CONFIG ERROR: invalid compactor config: compactor.delete-request-store should be "
                        "configured when retention is enabled")
        elif cfg.delete_prefix is not None and path_prefix_error(cfg.delete_prefix):
            errs.append("CONFIG ERROR: invalid compactor config: validate delete store path prefix: "
                        + path_prefix_error(cfg.delete_prefix))

    # validateSchemaValues
    for p in periods:
        if p["store"] not in SUPPORTED_INDEX + OTHER_INDEX:
            errs.append("unrecognized `store` (index) type `%s`, choose one of: %s"
                        % (p["store"], ", ".join(SUPPORTED_INDEX)))
        if not cfg.use_thanos and p["object_store"] not in SUPPORTED_STORAGE + OTHER_STORAGE \
                and p["object_store"] not in cfg.named_stores:
            errs.append("unrecognized `object_store` type `%s`, which also does not match any named_stores. "
                        "Choose one of: %s. Or choose a named_store" % (p["object_store"], ", ".join(SUPPORTED_STORAGE)))

    # validateSchemaRequirements (structured metadata, on by default in 3.x, needs tsdb and v13)
    if periods:
        a = active_period(periods)
        ap = periods[a]
        v = schema_version(ap["schema"])
        allow_sm = cfg.allow_structured_metadata is not False
        if v is None:
            errs.append("CONFIG ERROR: invalid schema version at schema position %d" % a)
        else:
            if allow_sm and v < 13:
                errs.append("CONFIG ERROR: schema v13 is required to store Structured Metadata and use native OTLP "
                            "ingestion, your schema version is %s. Set `allow_structured_metadata: false` in the "
                            "`limits_config` section or set the command line argument "
                            "`-validation.allow-structured-metadata=false` and restart Loki. Then proceed to update "
                            "to schema v13 or newer before re-enabling this config, search for 'Storage Schema' in "
                            "the docs for the schema update procedure" % ap["schema"])
            if allow_sm and ap["store"] != "tsdb":
                errs.append("CONFIG ERROR: `tsdb` index type is required to store Structured Metadata and use native "
                            "OTLP ingestion, your index type is `%s` (defined in the `store` parameter of the "
                            "schema_config). Set `allow_structured_metadata: false` in the `limits_config` section "
                            "or set the command line argument `-validation.allow-structured-metadata=false` and "
                            "restart Loki. Then proceed to update the schema to use index type `tsdb` before "
                            "re-enabling this config, search for 'Storage Schema' in the docs for the schema update "
                            "procedure" % ap["store"])

    # validateDirectoriesExist (common.path_prefix fills these in, as ApplyDynamicConfig does)
    for store, group in (("tsdb", "tsdb_shipper"), ("boltdb-shipper", "boltdb_shipper")):
        if any(p["store"] == store for p in periods) and not cfg.path_prefix:
            for key in ("active_index_directory", "cache_location"):
                if not getattr(cfg, group)[key]:
                    errs.append("CONFIG ERROR: `%s` index type is configured in at least one schema period, "
                                "however, `storage_config`, `%s`, `%s` is not set, please set this directly or set "
                                "`path_prefix:` in the `common:` section" % (store, group, key))
    if any(p["store"] in ("tsdb", "boltdb-shipper") for p in periods) and not cfg.working_directory \
            and not cfg.path_prefix:
        errs.append("CONFIG ERROR: `compactor:` `working_directory:` is empty, please set a valid directory or set "
                    "`path_prefix:` in the `common:` section")

    if len(errs) > 1:
        errs.insert(0, "MULTIPLE CONFIG ERRORS FOUND, PLEASE READ CAREFULLY")
    return errs


# ---------------------------------------------------------------- -health (cmd/loki/health.go)

def run_health_check(args):
    url = "http://localhost:3100/ready"
    for i, a in enumerate(args):
        m = re.match(r"^-+health\.url[=:]?(.*)$", a)
        if m:
            if m.group(1):
                url = m.group(1)
                break
            if i + 1 < len(args) and not args[i + 1].startswith("-"):
                url = args[i + 1]
                break
    try:
        u = urllib.parse.urlsplit(url)
        conn_class = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        conn = conn_class(u.hostname or "localhost", u.port, timeout=5)
        conn.request("GET", (u.path or "/") + ("?" + u.query if u.query else ""))
        resp = conn.getresponse()
        status = resp.status
        resp.read()
        conn.close()
    except Exception as e:      # connection refused, timeout, bad URL
        reason = "connect: " + e.strerror.lower() if isinstance(e, OSError) and e.strerror else str(e)
        sys.stderr.write("Health check failed: Get \"%s\": %s\n" % (url, reason))
        return 1
    if status == 200:
        print("Loki is healthy")
        return 0
    sys.stderr.write("Loki is unhealthy: status code %d\n" % status)
    return 1


# ---------------------------------------------------------------- the server

class State:
    lock = threading.Lock()
    pushes = 0
    push_bytes = 0
    cfg = None


def esc(v):
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics():
    out = []

    def metric(name, kind, help_text, samples):
        out.append("# HELP %s %s" % (name, help_text))
        out.append("# TYPE %s %s" % (name, kind))
        for labels, value in samples:
            lbl = ",".join('%s="%s"' % (k, esc(v)) for k, v in sorted(labels.items()))
            out.append("%s%s %s" % (name, "{%s}" % lbl if lbl else "", value))

    cfg = State.cfg
    py = "python%d.%d" % sys.version_info[:2]
    metric("loki_build_info", "gauge",
           "A metric with a constant '1' value labeled by version, revision, branch, goversion from which loki was "
           "built, and the goos and goarch for the build.",
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
    with State.lock:
        pushes, push_bytes = State.pushes, State.push_bytes
    metric("standin_push_requests_total", "counter",
           "POST /loki/api/v1/push requests accepted (the test stand-in stores nothing).", [({}, pushes)])
    metric("standin_push_bytes_total", "counter", "Body bytes of the accepted push requests.", [({}, push_bytes)])
    return "\n".join(out) + "\n"


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "loki-standin"
    sys_version = ""
    protocol_version = "HTTP/1.1"

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
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    def drain(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def route(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/ready":
            if self.command != "GET":
                return self.reply(405, "")
            return self.reply(200, "ready\n")
        if path == "/metrics":
            return self.reply(200, metrics(), "text/plain; version=0.0.4; charset=utf-8")
        if path == "/loki/api/v1/status/buildinfo":
            return self.reply(200, json.dumps({
                "version": VERSION, "revision": "standin", "branch": "standin", "buildUser": "",
                "buildDate": "", "goVersion": ""}) + "\n", "application/json")
        if path in ("/loki/api/v1/push", "/api/prom/push"):
            if self.command != "POST":
                return self.reply(405, "")
            body = self.drain()
            if State.cfg.auth_enabled is not False and not self.headers.get("X-Scope-OrgID"):
                return self.reply(401, "no org id\n")
            with State.lock:
                State.pushes += 1
                State.push_bytes += len(body)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.drain()
        return self.reply(404, "404 page not found\n")

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = route


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
    State.cfg = cfg
    port = flags.get("server.http-listen-port", cfg.http_port if cfg.http_port is not None else 3100)
    log("info", "Starting Loki", version="(version=%s, branch=standin, revision=standin)" % VERSION)
    log("info", "Loading configuration file", filename=cfg.path)
    # The data directory must be writable by this UID (10001): the marker proves the volume's ownership.
    try:
        with open(MARKER, "a") as f:
            f.write("%s uid=%d gid=%d config=%s sha256=%s target=%s\n" % (
                datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), os.getuid(),
                os.getgid(), cfg.path, cfg.sha256, flags.get("target", "all")))
    except OSError as e:
        log("error", "error initialising loki", err="test stand-in: %s is not writable: open %s: %s"
            % (DATA_DIR, MARKER, (e.strerror or str(e)).lower()))
        sys.exit(1)
    for d in cfg.dirs:
        if not d.startswith("/"):
            continue
        try:
            os.makedirs(d, mode=0o755, exist_ok=True)
            if not os.access(d, os.W_OK | os.X_OK):
                raise PermissionError(13, "permission denied")
        except OSError as e:
            log("error", "error initialising loki", err="mkdir %s: %s" % (d, (e.strerror or str(e)).lower()))
            sys.exit(1)
    try:
        server = listen(cfg.http_address, port, Handler)
    except OSError as e:
        log("error", "error initialising loki",
            err="listen tcp %s:%d: bind: %s" % (cfg.http_address, port, (e.strerror or str(e)).lower()))
        sys.exit(1)

    def stop(signum, _frame):
        log("info", "=== received SIGINT/SIGTERM ===\n*** exiting")
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("info", "server listening on addresses", http=("[%s]:%d" if server.address_family == socket.AF_INET6 else "%s:%d") % server.server_address[:2],
        standin="true")
    log("info", "Loki started", startup_time="%.3fs" % (time.time() - START_TIME))
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    sys.exit(0)


def main(argv):
    args = argv[1:]
    # As cmd/loki/main.go: -health and -version are looked for before any flag or config parsing.
    if any(re.match(r"^-+health$", a) for a in args):
        sys.exit(run_health_check(args))
    if any(re.match(r"^-+version$", a) for a in args):
        print("loki, version %s (branch: standin, revision: standin)\n"
              "  build user:       test stand-in (tests/images/loki-standin)\n"
              "  build date:       \n"
              "  go version:       python%d.%d\n"
              "  platform:         linux/amd64\n"
              "  tags:             standin" % ((VERSION,) + sys.version_info[:2]))
        sys.exit(0)
    flags = parse_flags(args)
    level = flags.get("log.level", "info")
    if level not in ("debug", "info", "warn", "error"):
        sys.stderr.write('invalid value "%s" for flag -log.level: unrecognized log level "%s"\n'
                         'Run with -help to get list of available parameters\n' % (level, level))
        sys.exit(2)
    cfg = read_config(flags)
    errs = validate(cfg)
    if errs:
        log("error", "validating config", err="\n".join(errs))
        sys.exit(1)
    if flags.get("verify-config"):
        log("info", "config is valid")
        sys.exit(0)
    start(cfg, flags)


if __name__ == "__main__":
    main(sys.argv)

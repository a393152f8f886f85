# Test stand-in for Grafana Loki 3.7.6 (grafana/loki:3.7.6), tests only; see
# tests/images/README.md, "loki-standin".  It reads and checks the configuration as Loki 3.x would
# reject it, then serves /ready and /metrics, accepts pushes (JSON ones are validated as Loki does,
# stored on the data volume and kept across restarts) and answers the label, series and range-query
# APIs for log queries made of a stream selector and line filters.  Anything else of LogQL is refused
# with 400 rather than answered wrongly.
#
# Sources of the behaviour imitated (grafana/loki at tag v3.7.6; an independent Python rewrite, no
# upstream code is copied):
#   cmd/loki/main.go, cmd/loki/health.go       flags -health, -version, -verify-config, exit codes
#   pkg/util/cfg/files.go                      config file loading and its error texts (strict YAML)
#   pkg/loki/loki.go Config, Config.Validate   top-level keys, "CONFIG ERROR: ..." texts
#   pkg/loki/validation.go                     schema/index/directory requirements
#   pkg/storage/config/schema_config.go        period_config checks
#   pkg/compactor/config.go Config.Validate    retention needs delete_request_store
#   docs/sources/shared/configuration.md       the documented top-level blocks
#   docs/sources/setup/upgrade/_index.md       options removed in 3.0, published at
#     https://grafana.com/docs/loki/latest/setup/upgrade/#300
#   pkg/loghttp/push/push.go                   push parsing, content types/encodings, service_name
#                                              discovery, loki_distributor_{lines,bytes}_received_total
#   pkg/loghttp/{query,entry,labels,params,series}.go   JSON push format, query parameters and defaults
#   pkg/logql/syntax/parser.go                 ParseLabels (PromQL lexer rules), the matcher validation
#   pkg/distributor/{http,distributor,validator,field_detection}.go   validation order, texts and codes,
#                                              detected_level
#   pkg/validation/{limits,validate}.go        limit defaults and error texts
#   pkg/ingester/stream.go, pkg/chunkenc/{interface,unordered}.go   out-of-order window, de-duplication
#   pkg/util/errors.go GroupedErrors           how several validation errors are reported
#   pkg/logql/engine.go readStreams, pkg/logql/log/{pipeline,labels}.go   log query results, structured
#                                              metadata as labels, _extracted on a clash
#   pkg/querier/http.go, pkg/logqlmodel/error.go, pkg/util/server/error.go   query errors (400, text)
#   pkg/util/marshal/marshal.go (+ marshal_test.go emptyStats)   response shapes
#   docs/sources/reference/loki-http-api.md    the HTTP API
# The Go behaviour it shares with the Promtail stand-in (flags, YAML decoding, durations, quoting, logfmt,
# the HTTP server) is in lib/standin_go.py, installed beside PyYAML in the image.
import collections
import datetime
import gzip
import hashlib
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import zlib

import yaml

from standin_go import (
    EXPAND_ENV_HINT, LABEL_NAME, GoHandler, StrictDecoder, cannot_unmarshal, child, config_metrics, go_duration_ns,
    go_json, go_quote, go_regex, go_regex_flags, is_null, items, labels_string, line, listen, log_level, log_line,
    metric, parse_flags, parse_rfc3339_ns, print_version, process_metrics, prom_duration_ns, read_config_file,
    server_address_text, stop_on_signals, yaml_error_text,
)

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

START_TIME = time.time()


# ---------------------------------------------------------------- logging (go-kit logfmt, as Loki)

def log(level, msg, **kv):
    log_line("loki-standin", level, msg, kv)


# ---------------------------------------------------------------- YAML with line numbers (yaml.v2 strict)

class Decoder(StrictDecoder):
    """StrictDecoder plus the Prometheus durations of limits_config and period_config."""
    def duration(self, node):
        """A Prometheus model.Duration (prometheus/common model/time.go); returns nanoseconds."""
        text = self.string(node)
        if text is None:
            return None
        d = prom_duration_ns(text)
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


_BYTE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3,
               "t": 1024**4, "tb": 1024**4, "p": 1024**5, "pb": 1024**5, "e": 1024**6, "eb": 1024**6}


def byte_size(text):
    """flagext.ByteSize (c2h5oh/datasize, where KB is 1024 bytes); None when invalid."""
    m = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _BYTE_UNITS:
        return None
    return int(m.group(1)) * _BYTE_UNITS[m.group(2).lower()]


# pkg/validation/limits.go (RegisterFlags) and pkg/ingester/ingester.go: the defaults of what the
# stand-in enforces.
DEFAULT_DISCOVER_SERVICE_NAME = ["service", "app", "application", "app_name", "name", "app_kubernetes_io_name",
                                 "container", "container_name", "k8s_container_name", "component", "workload", "job",
                                 "k8s_job_name"]
DEFAULT_LEVEL_FIELDS = ["level", "LEVEL", "Level", "log.level", "severity", "SEVERITY", "Severity", "SeverityText",
                        "lvl", "LVL", "Lvl", "severity_text"]


class Limits:
    reject_old_samples = True
    reject_old_samples_max_age = 7 * 86400 * 10**9
    creation_grace_period = 600 * 10**9
    max_line_size = 256 * 1024
    max_line_size_truncate = False
    max_label_name_length = 1024
    max_label_value_length = 2048
    max_label_names_per_series = 15
    discover_service_name = DEFAULT_DISCOVER_SERVICE_NAME
    discover_log_levels = True
    log_level_fields = DEFAULT_LEVEL_FIELDS
    allow_structured_metadata = True
    max_structured_metadata_size = 64 * 1024
    max_structured_metadata_entries_count = 128
    max_entries_limit_per_query = 5000
    retention_period = 0
    max_chunk_age = 2 * 3600 * 10**9
    max_returned_stream_errors = 10


def decode_limits(d, root, cfg):
    """Reads the limits_config / ingester values the stand-in's push and query paths apply."""
    lim = Limits()
    lc = child(root, "limits_config")

    def setter(read):
        """A function (node, attr) that sets lim.attr to read(node) unless the node is null or invalid."""
        def set_attr(node, attr):
            if not is_null(node):
                v = read(node)
                if v is not None:
                    setattr(lim, attr, v)
        return set_attr

    dur, num, flag = setter(d.duration), setter(d.integer), setter(d.boolean)

    def size(node, attr):
        if not is_null(node):
            text = d.string(node)
            v = byte_size(text) if text is not None else None
            if v is not None:       # a size the stand-in cannot read keeps the default (not checked)
                setattr(lim, attr, v)

    def strings(node, attr):
        if not is_null(node):
            if isinstance(node, yaml.SequenceNode):
                setattr(lim, attr, [d.string(n) or "" for n in node.value])
            else:
                d.err(cannot_unmarshal(node, "[]string"))

    flag(child(lc, "reject_old_samples"), "reject_old_samples")
    dur(child(lc, "reject_old_samples_max_age"), "reject_old_samples_max_age")
    dur(child(lc, "creation_grace_period"), "creation_grace_period")
    size(child(lc, "max_line_size"), "max_line_size")
    flag(child(lc, "max_line_size_truncate"), "max_line_size_truncate")
    num(child(lc, "max_label_name_length"), "max_label_name_length")
    num(child(lc, "max_label_value_length"), "max_label_value_length")
    num(child(lc, "max_label_names_per_series"), "max_label_names_per_series")
    strings(child(lc, "discover_service_name"), "discover_service_name")
    flag(child(lc, "discover_log_levels"), "discover_log_levels")
    strings(child(lc, "log_level_fields"), "log_level_fields")
    flag(child(lc, "allow_structured_metadata"), "allow_structured_metadata")
    size(child(lc, "max_structured_metadata_size"), "max_structured_metadata_size")
    num(child(lc, "max_structured_metadata_entries_count"), "max_structured_metadata_entries_count")
    num(child(lc, "max_entries_limit_per_query"), "max_entries_limit_per_query")
    dur(child(lc, "retention_period"), "retention_period")
    mca = child(root, "ingester", "max_chunk_age")
    if not is_null(mca):
        ns = go_duration_ns(d.string(mca) or "")
        if ns is None:
            d.err('line %d: time: invalid duration "%s"' % (line(mca), getattr(mca, "value", "")))
        else:
            lim.max_chunk_age = ns
    num(child(root, "ingester", "max_returned_stream_errors"), "max_returned_stream_errors")
    cfg.limits = lim


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

    path, raw = read_config_file(spec, hint, fail, PROG)
    try:
        text = raw.decode("utf-8")
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except UnicodeDecodeError as e:
        fail("%s: yaml: invalid UTF-8 (byte %d)%s" % (path, e.start, hint))
    except yaml.YAMLError as e:
        fail("%s: yaml: %s%s" % (path, yaml_error_text(e), hint))

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
    decode_limits(d, root, cfg)


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
    period = p["period"] or 0                # nanoseconds
    if p["store"] == "tsdb" and period != 86400 * 10**9:
        return "validating period_config: tsdb must always have periodic config for index set to 24h"
    if period > 0 and period % (86400 * 10**9):
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
        if ap["store"] == "boltdb-shipper" and (ap["period"] or 0) != 86400 * 10**9 and a == len(periods) - 1:
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


# ---------------------------------------------------------------- labels

def check_label_names(labels_text_names):
    """The stream's labels string goes through the PromQL parser (syntax.ParseLabels), whose lexer takes
    only [a-zA-Z_][a-zA-Z0-9_]* names; returns the error text for the first bad name or None."""
    pos = 1                                  # after "{"
    for name, value in labels_text_names:
        if not name:
            return '1:%d: parse error: unexpected "=" in label set, expected identifier or "}"' % (pos + 1)
        if not LABEL_NAME.match(name):
            bad = 0 if not re.match(r"[a-zA-Z_]", name) else re.match(r"[a-zA-Z0-9_]*", name).end()
            ch = name[bad]
            return "1:%d: parse error: unexpected character inside braces: %s" % (pos + bad + 1, go_rune(ch))
        pos += len(name) + 1 + len(go_quote(value)) + 2
    return None


def go_rune(ch):
    # %q of a rune
    if ch == "'":
        return "'\\''"
    if ch == "\\":
        return "'\\\\'"
    return "'%s'" % go_quote(ch)[1:-1]


# ---------------------------------------------------------------- log level detection (distributor/field_detection.go)

_LEVEL_WORDS = [("trace", "trace"), ("debug", "debug"), ("fatal", "fatal"), ("critical", "critical"),
                ("error", "error"), ("err", "error"), ("warning", "warn"), ("warn", "warn"), ("info", "info")]


def normalize_level(v):
    low = v.lower()
    for words, level in ((("trace", "trc"), "trace"), (("debug", "dbg"), "debug"),
                         (("info", "inf", "information"), "info"), (("warn", "wrn", "warning"), "warn"),
                         (("error", "err"), "error"), (("critical",), "critical"), (("fatal",), "fatal")):
        if low in words:
            return level
    return None


def _bounded(text, word):
    offset = 0
    while True:
        pos = text.find(word, offset)
        if pos < 0:
            return -1
        left = text[pos - 1] if pos > 0 else None
        right = text[pos + len(word)] if pos + len(word) < len(text) else None
        if (left is None or left in ' \t\n[({"=') and (right is None or right in ' \t\n[](){}:,!"='):
            return pos
        offset = pos + 1


def level_from_text(line):
    """detectLevelFromLogLine: the earliest bounded level word, else "unknown"."""
    low = line.lower()
    best, idx = "unknown", len(low)
    for word, level in _LEVEL_WORDS:
        pos = _bounded(low, word)
        if pos == -1 or pos >= idx:
            continue
        idx, best = pos, level
        if idx == 0:
            break
    return best


def _level_in_json(obj, fields, depth, max_depth):
    if max_depth > 0 and depth >= max_depth:
        return None
    for k, v in obj.items():
        if isinstance(v, str) and k in fields:
            return v
        if isinstance(v, dict):
            found = _level_in_json(v, fields, depth + 1, max_depth)
            if found is not None:
                return found
    return None


def _logfmt_pairs(line):
    for m in re.finditer(r'([^\s="]+)=("(?:[^"\\]|\\.)*"|\S*)', line):
        v = m.group(2)
        if v.startswith('"'):
            try:
                v = json.loads(v)
            except ValueError:
                v = v[1:-1]
        yield m.group(1), v


def detect_level(stream_labels, sm, line, fields):
    """FieldDetector.extractLogLevel: a level label of the stream, else of the structured metadata, else
    the line (JSON fields to depth 2, logfmt keys, else words).  Returns the detected_level value."""
    for name in fields:
        if name in stream_labels:
            return normalize_level(stream_labels[name]) or stream_labels[name]
    for name in fields:
        if name in sm:
            return normalize_level(sm[name]) or sm[name]
    stripped = line.strip()
    value = None
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            value = _level_in_json(obj, set(fields), 0, 2)
    elif "=" in line:
        best = None
        for k, v in _logfmt_pairs(line):
            for i, f in enumerate(fields):
                if k.lower() == f.lower() and (best is None or i < best[0]):
                    best = (i, v)
        value = best[1] if best else None
    if value is not None:
        level = normalize_level(value)
        if level:
            return level
    return level_from_text(line)


# ---------------------------------------------------------------- the store

STORE_DIR = DATA_DIR + "/standin-store"
STORE_FILE = STORE_DIR + "/entries.jsonl"
# A test double keeps its memory bounded: beyond these the oldest entries are forgotten (and dropped from
# the file at the next compaction).
MAX_ENTRIES = 200000
MAX_BYTES = 64 * 1024 * 1024


class Stream:
    __slots__ = ("tenant", "labels", "key", "entries", "seen", "highest", "last")

    def __init__(self, tenant, labels):
        self.tenant, self.labels = tenant, labels
        self.key = labels_string(labels)
        self.entries = collections.deque()      # (ts, line, sm tuple), in arrival order
        self.seen = set()                       # (ts, line, sm) for the de-duplication
        self.highest = None
        self.last = None


class Store:
    """Accepted entries, in memory and appended to a JSONL file on the data volume (one JSON object per
    entry: tenant, stream labels, ts, line, structured metadata), read back at start."""

    def __init__(self):
        self.lock = threading.Lock()
        self.streams = {}                       # (tenant, key) -> Stream
        self.order = collections.deque()        # (stream, entry) in arrival order, for eviction
        self.bytes = 0
        self.file = None
        self.evicted_since_compaction = 0

    def open(self):
        """Loads the file (a torn last line is skipped), compacts it when needed and opens it for appending."""
        os.makedirs(STORE_DIR, mode=0o755, exist_ok=True)
        loaded = bad = 0
        try:
            with open(STORE_FILE, "rb") as f:
                for raw in f:
                    try:
                        rec = json.loads(raw)
                        sm = tuple(sorted((rec.get("sm") or {}).items()))
                        self._add(self._stream(rec["tenant"], rec["stream"]), (int(rec["ts"]), rec["line"], sm))
                        loaded += 1
                    except (ValueError, KeyError, TypeError, AttributeError):
                        bad += 1
        except FileNotFoundError:
            pass
        if bad or self.evicted_since_compaction:
            self._compact()
        self.file = open(STORE_FILE, "a", encoding="utf-8")
        return loaded, bad

    def _stream(self, tenant, labels):
        key = (tenant, labels_string(labels))
        s = self.streams.get(key)
        if s is None:
            s = self.streams[key] = Stream(tenant, dict(labels))
        return s

    def _add(self, stream, entry):
        ts, line, sm = entry
        stream.entries.append(entry)
        stream.seen.add(entry)
        stream.last = entry
        if stream.highest is None or ts > stream.highest:
            stream.highest = ts
        self.order.append((stream, entry))
        self.bytes += len(line) + 64
        while len(self.order) > MAX_ENTRIES or self.bytes > MAX_BYTES:
            old_stream, old = self.order.popleft()
            old_stream.entries.popleft()
            old_stream.seen.discard(old)
            self.bytes -= len(old[1]) + 64
            self.evicted_since_compaction += 1
            if not old_stream.entries:
                del self.streams[(old_stream.tenant, old_stream.key)]

    def _compact(self):
        tmp = STORE_FILE + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for stream, entry in self.order:
                f.write(_record(stream, entry))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, STORE_FILE)
        self.evicted_since_compaction = 0

    def append(self, accepted):
        """accepted: [(tenant, labels, [(ts, line, sm)])]; de-duplicated here.  Returns the number stored."""
        stored = 0
        with self.lock:
            out = []
            for tenant, labels, entries in accepted:
                stream = self._stream(tenant, labels)
                for entry in entries:
                    if entry in stream.seen:
                        continue          # same time, line and metadata as a stored entry: Loki ignores it
                    self._add(stream, entry)
                    out.append(_record(stream, entry))
                    stored += 1
            if out and self.file is not None:
                self.file.write("".join(out))
                self.file.flush()
                os.fsync(self.file.fileno())
            if self.evicted_since_compaction > MAX_ENTRIES // 2 and self.file is not None:
                self.file.close()
                self._compact()
                self.file = open(STORE_FILE, "a", encoding="utf-8")
        return stored

    def snapshot(self, tenant, matchers):
        """The streams of the tenant whose labels match all matchers."""
        with self.lock:
            return [(s.labels, list(s.entries)) for (t, dummy), s in self.streams.items()
                    if t == tenant and all(m.matches(s.labels.get(m.name, "")) for m in matchers)]

    def stream_state(self, tenant, labels):
        with self.lock:
            s = self.streams.get((tenant, labels_string(labels)))
            return (s.highest, s.seen) if s else (None, set())


def _record(stream, entry):
    ts, line, sm = entry
    rec = {"tenant": stream.tenant, "stream": stream.labels, "ts": str(ts), "line": line}
    if sm:
        rec["sm"] = dict(sm)
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"


STORE = Store()


# ---------------------------------------------------------------- LogQL, the log-query subset

class QueryError(Exception):
    """An error Loki answers with 400 and this text."""


class NotSupported(QueryError):
    pass


NOT_SUPPORTED = ("test stand-in: %s is not supported by the Loki test stand-in, which answers log queries "
                 "made of a stream selector ({name=\"value\"}, =, !=, =~, !~) and line filters (|=, !=, |~, !~) "
                 "only; run this query against the real Loki")


def query_regex(pattern, anchored):
    """go_regex, a pattern that does not compile answered as LogQL's parse error."""
    try:
        return go_regex(pattern, anchored)
    except re.error as e:
        raise QueryError("parse error : error parsing regexp: %s: `%s`" % (e.msg, go_regex_flags(pattern)))


class Matcher:
    """labels.Matcher: =, !=, =~, !~ (regular expressions anchored at both ends, as Prometheus does); an
    absent label matches as the empty string."""

    def __init__(self, name, op, value):
        self.name, self.op, self.value = name, op, value
        self.rx = query_regex(value, True) if op in ("=~", "!~") else None

    def matches(self, v):
        if self.op == "=":
            return v == self.value
        if self.op == "!=":
            return v != self.value
        hit = self.rx.fullmatch(v) is not None
        return hit if self.op == "=~" else not hit


class LineFilter:
    def __init__(self, op, value):
        self.op, self.value = op, value
        self.rx = query_regex(value, False) if op in ("|~", "!~") else None

    def keep(self, line):
        if self.op == "|=":
            return self.value in line
        if self.op == "!=":
            return self.value not in line
        hit = self.rx.search(line) is not None
        return hit if self.op == "|~" else not hit


_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)|(?P<op>=~|!~|!=|\|=|\|~|\|>|!>|=|\||\{|\}|,|\(|\))'
                    r'|(?P<id>[a-zA-Z_][a-zA-Z0-9_]*)|(?P<other>\S))', re.S)


def _unquote(text, col):
    if text.startswith("`"):
        return text[1:-1]
    body = text[1:-1]
    try:
        # Go's strconv.Unquote escapes are close to JSON's; \' \a \v \x.. \u.... are the extra ones.
        body = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: "\\u00" + m.group(1), body)
        body = body.replace("\\a", "\\u0007").replace("\\v", "\\u000b").replace("\\'", "'")
        return json.loads('"%s"' % body)
    except ValueError:
        raise QueryError("parse error at line 1, col %d: invalid char escape" % col)


def parse_query(query):
    """Parses "{matchers} [line filters]" and validates it as syntax.ParseExpr does for a log selector.
    Returns (matchers, filters); QueryError / NotSupported otherwise."""
    tokens = []
    pos = 0
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            break
        kind = m.lastgroup
        tokens.append((kind, m.group(kind), m.start(kind) + 1))
        pos = m.end()
    if not tokens:
        raise QueryError("parse error : syntax error: unexpected $end")
    i = 0

    def peek():
        return tokens[i] if i < len(tokens) else (None, None, len(query) + 1)

    def syntax_error(tok):
        if tok[0] is None:
            return QueryError("parse error at line 1, col %d: syntax error: unexpected $end" % tok[2])
        return QueryError("parse error at line 1, col %d: syntax error: unexpected %s" % (tok[2], tok[1]))

    first = peek()
    if first[0] == "id" or (first[0] == "op" and first[1] == "("):
        raise NotSupported(NOT_SUPPORTED % ("a metric query (%s)" % query.strip()[:60]))
    if first[1] != "{":
        raise syntax_error(first)
    i += 1
    matchers = []
    while True:
        tok = peek()
        if tok[1] == "}" and not matchers:
            i += 1
            break
        if tok[0] != "id":
            raise syntax_error(tok)
        name = tok[1]
        i += 1
        op = peek()
        if op[0] != "op" or op[1] not in ("=", "!=", "=~", "!~"):
            raise syntax_error(op)
        i += 1
        val = peek()
        if val[0] != "str":
            raise syntax_error(val)
        i += 1
        matchers.append(Matcher(name, op[1], _unquote(val[1], val[2])))
        tok = peek()
        i += 1
        if tok[1] == "}":
            break
        if tok[1] != ",":
            raise syntax_error(tok)
    filters = []
    while i < len(tokens):
        tok = peek()
        if tok[0] == "op" and tok[1] in ("|=", "!=", "|~", "!~"):
            i += 1
            val = peek()
            if val[0] != "str":
                if val[0] is None:
                    raise syntax_error(val)
                raise NotSupported(NOT_SUPPORTED % ("the line filter %s %s" % (tok[1], val[1])))
            i += 1
            nxt = peek()
            if nxt[0] == "id" and nxt[1] == "or":
                raise NotSupported(NOT_SUPPORTED % "a line filter with `or`")
            filters.append(LineFilter(tok[1], _unquote(val[1], val[2])))
            continue
        if tok[0] == "op" and tok[1] in ("|", "|>", "!>"):
            rest = query[tok[2] - 1:].strip()
            raise NotSupported(NOT_SUPPORTED % ("the pipeline stage `%s`" % rest[:60]))
        raise syntax_error(tok)
    # validateMatchers: at least one matcher that does not match the empty string
    if not any(not m.matches("") for m in matchers):
        raise QueryError("parse error : queries require at least one regexp or equality matcher that does not "
                         "have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, "
                         "but app=~\".+\" will")
    return matchers, filters


def parse_matchers(query):
    """syntax.ParseMatchers for the series and label APIs: a selector without line filters."""
    matchers, filters = parse_query(query)
    if filters:
        raise QueryError("only label matchers are supported")
    return matchers


# ---------------------------------------------------------------- query parameters (pkg/loghttp/params.go)

def parse_timestamp(value, default):
    """parseTimestamp: a float is seconds, an integer of up to 10 digits is seconds and longer ones are
    nanoseconds, otherwise RFC3339Nano."""
    if value == "":
        return default
    if "." in value:
        try:
            f = float(value)
            s = int(f)
            return s * 10**9 + int(round((f - s) * 1000) / 1000 * 10**9)
        except ValueError:
            pass
    if re.fullmatch(r"[-+]?\d+", value):
        n = int(value)
        return n * 10**9 if len(value) <= 10 else n
    ns = parse_rfc3339_ns(value)
    if ns is None:
        raise QueryError('strconv.ParseInt: parsing "%s": invalid syntax' % value)
    return ns


def bounds(form, now):
    """determineBounds: since (default 1h), end (default now), start (default end-or-now minus since)."""
    since = 3600 * 10**9
    if form.get("since"):
        since = prom_duration_ns(form["since"])
        if since is None:
            raise QueryError("could not parse 'since' parameter: not a valid duration string: \"%s\"" % form["since"])
    try:
        end = parse_timestamp(form.get("end", ""), now)
    except QueryError as e:
        raise QueryError("could not parse 'end' parameter: %s" % e)
    try:
        start = parse_timestamp(form.get("start", ""), min(end, now) - since)
    except QueryError as e:
        raise QueryError("could not parse 'start' parameter: %s" % e)
    return start, end


def parse_limit(form):
    value = form.get("limit", "")
    if value == "":
        return 100
    if not re.fullmatch(r"[-+]?\d+", value):
        raise QueryError('strconv.Atoi: parsing "%s": invalid syntax' % value)
    if int(value) <= 0:
        raise QueryError("limit must be a positive value")
    return int(value)


def parse_direction(form):
    value = form.get("direction", "")
    if value == "":
        return "backward"
    if value.upper() not in ("FORWARD", "BACKWARD"):
        raise QueryError("invalid direction '%s'" % value)
    return value.lower()


def parse_seconds_or_duration(value):
    try:
        return int(float(value) * 10**9)
    except ValueError:
        pass
    d = prom_duration_ns(value)
    if d is None:
        raise QueryError('cannot parse "%s" to a valid duration' % value)
    return d


# ---------------------------------------------------------------- running a log query

def run_log_query(tenant, query, start, end, limit, direction, interval, categorize):
    """engine.go readStreams over the matching entries with start <= ts < end: the newest (backward) or
    oldest (forward) `limit` entries, grouped by stream; structured metadata become labels (with
    _extracted on a clash) unless categorize-labels was asked for; streams sorted by labels."""
    matchers, filters = parse_query(query)
    candidates = []
    processed = 0
    nbytes = 0
    for labels, entries in STORE.snapshot(tenant, matchers):
        for ts, line, sm in entries:
            if not (start <= ts < end):
                continue
            processed += 1
            nbytes += len(line)
            if all(f.keep(line) for f in filters):
                candidates.append((ts, labels, line, sm))
    backward = direction == "backward"
    candidates.sort(key=lambda c: c[0], reverse=backward)
    streams = {}
    last = None
    count = 0
    for ts, labels, line, sm in candidates:
        if count >= limit:
            break
        if interval and last is not None:
            if (not backward and ts < last + interval) or (backward and ts > last - interval):
                continue
        if categorize:
            key_labels = labels
        else:
            key_labels = dict(labels)
            for k, v in sm:
                key_labels[k + "_extracted" if k in labels else k] = v
        key = labels_string(key_labels)
        stream = streams.get(key)
        if stream is None:
            stream = streams[key] = (key_labels, [])
        if categorize:
            stream[1].append([str(ts), line, {"structuredMetadata": dict(sm)} if sm else {}])
        else:
            stream[1].append([str(ts), line])
        last = ts
        count += 1
    result = [{"stream": dict(sorted(lbls.items())), "values": values}
              for dummy, (lbls, values) in sorted(streams.items())]
    return result, processed, nbytes, count


def empty_stats():
    """The stats object of a 3.7 query response (pkg/util/marshal/marshal_test.go, emptyStats)."""
    chunk = dict.fromkeys(("compressedBytes", "decompressedBytes", "decompressedLines",
                           "decompressedStructuredMetadataBytes", "headChunkBytes", "headChunkLines",
                           "headChunkStructuredMetadataBytes", "postFilterLines", "totalDuplicates"), 0)
    dataobj = dict.fromkeys(("pageBatches", "pagesDownloaded", "pagesDownloadedBytes", "pagesScanned",
                             "postFilterRows", "postPredicateRows", "postPredicateDecompressedBytes",
                             "postPredicateStructuredMetadataBytes", "prePredicateDecompressedRows",
                             "prePredicateDecompressedBytes", "prePredicateDecompressedStructuredMetadataBytes",
                             "totalPageDownloadTime", "totalRowsAvailable"), 0)

    def store():
        s = dict.fromkeys(("chunksDownloadTime", "congestionControlLatency", "totalChunksRef",
                           "totalChunksDownloaded", "chunkRefsFetchTime"), 0)
        s.update({"queryReferencedStructuredMetadata": False, "queryUsedV2Engine": False,
                  "pipelineWrapperFilteredLines": 0, "chunk": dict(chunk), "dataobj": dict(dataobj)})
        return s

    cache = dict.fromkeys(("entriesFound", "entriesRequested", "entriesStored", "bytesReceived", "bytesSent",
                           "requests", "downloadTime", "queryLengthServed"), 0)
    return {
        "index": {"bloomFilterTime": 0, "chunkRefsLookupTime": 0, "postFilterChunks": 0, "totalChunks": 0,
                  "totalStreams": 0, "usedBloomFilters": False, "shardsDuration": 0},
        "ingester": {"store": store(), "totalBatches": 0, "totalChunksMatched": 0, "totalLinesSent": 0,
                     "totalReached": 0},
        "querier": {"querierExecTime": 0, "store": store()},
        "cache": {k: dict(cache) for k in ("chunk", "index", "statsResult", "seriesResult", "labelResult",
                                           "volumeResult", "instantMetricResult", "result")},
        "summary": dict.fromkeys(("bytesProcessedPerSecond", "execTime", "linesProcessedPerSecond", "queueTime",
                                  "shards", "splits", "subqueries", "totalBytesProcessed", "totalEntriesReturned",
                                  "totalLinesProcessed", "totalStructuredMetadataBytesProcessed",
                                  "totalPostFilterLines"), 0),
    }


# ---------------------------------------------------------------- push (pkg/loghttp/push/push.go, pkg/distributor)

class PushError(Exception):
    def __init__(self, status, text):
        Exception.__init__(self, text)
        self.status, self.text = status, text


def _json_string(v, what):
    # jsonparser.ParseString takes a string's content, and the raw text of a number
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return json.dumps(v)
    raise PushError(400, "%s: expected a string, got %s" % (what, json.dumps(v)[:40]))


def decode_push_json(body):
    """The JSON push format: {"streams": [{"stream": {...}, "values": [["<ns>", "<line>"(, {sm})], ...]}]}.
    Returns [(labels, [(ts, line, sm dict)])]."""
    try:
        req = json.loads(body)
    except ValueError as e:
        raise PushError(400, "loghttp.PushRequest.ReadObject: %s" % e)
    if not isinstance(req, dict):
        raise PushError(400, "loghttp.PushRequest.ReadObject: expect { or n, but found %s" % body[:1].decode())
    streams = []
    for s in req.get("streams") or []:
        if not isinstance(s, dict):
            raise PushError(400, "loghttp.PushRequest.Streams: expected an object per stream")
        raw = s.get("stream") or {}
        if not isinstance(raw, dict):
            raise PushError(400, "loghttp.PushRequest.Streams: \"stream\" must be an object")
        labels = {str(k): _json_string(v, "stream label " + k) for k, v in raw.items()}
        entries = []
        for v in s.get("values") or []:
            if v is None:
                continue
            if not isinstance(v, list) or len(v) < 2:
                raise PushError(400, "error reading entry: array must have at least 2 and up to 3 values")
            if len(v) > 3:
                raise PushError(400, "error reading entry: array must have at least 2 and up to 3 values")
            if not isinstance(v[0], str):
                raise PushError(400, "error reading entry timestamp: Value looks like Number/Boolean/None, but "
                                     "can't find its end: ',' or '}' symbol")
            if not re.fullmatch(r"[-+]?\d+", v[0]):
                raise PushError(400, 'error reading entry timestamp: strconv.ParseInt: parsing "%s": invalid syntax'
                                % v[0])
            if not isinstance(v[1], str):
                raise PushError(400, "error reading entry: the log line must be a string")
            sm = {}
            if len(v) == 3:
                if not isinstance(v[2], dict):
                    raise PushError(400, "error reading entry: structured metadata must be an object")
                sm = {str(k): _json_string(x, "structured metadata " + k) for k, x in v[2].items()}
            entries.append((int(v[0]), v[1], sm))
        streams.append((labels, entries))
    return streams


class PushStats:
    lock = threading.Lock()
    lines = {}      # (tenant, is_internal_stream) -> lines (loki_distributor_lines_received_total)
    bytes = {}      # (tenant, retention_hours, is_internal_stream) -> bytes


def handle_push_json(tenant, body, limits):
    """ParseLokiRequest, then Distributor.PushWithResolver and the ingester's stream checks.  Returns
    (status, body text); valid entries are stored even when others are rejected (Loki answers 400 then)."""
    streams = decode_push_json(body)
    parsed = []
    internal = False
    for labels, entries in streams:
        # syntax.ParseLabels: the labels string must parse (names of [a-zA-Z_][a-zA-Z0-9_]*)
        err = check_label_names(sorted(labels.items()))
        if err:
            raise PushError(400, "couldn't parse labels: " + err)
        lbs = {k: v for k, v in labels.items() if v != ""}          # WithoutEmpty
        is_internal = "__aggregated_metric__" in lbs or "__pattern__" in lbs
        internal = internal or is_internal
        if "service_name" not in lbs and limits.discover_service_name and not is_internal:
            service = "unknown_service"
            for name in limits.discover_service_name:
                if lbs.get(name):
                    service = lbs[name]
                    break
            lbs["service_name"] = service
        parsed.append((lbs, entries))
    # loki_distributor_{lines,bytes}_received_total, counted as the request is parsed (before validation)
    retention = str(limits.retention_period // (3600 * 10**9)) if limits.retention_period > 0 else ""
    flag = "true" if internal else "false"
    with PushStats.lock:
        for lbs, entries in parsed:
            n = len(entries)
            b = sum(len(line.encode()) + sum(len(k) + len(v) for k, v in sm.items()) for dummy, line, sm in entries)
            if n and tenant:
                PushStats.lines[(tenant, flag)] = PushStats.lines.get((tenant, flag), 0) + n
            PushStats.bytes[(tenant, retention, flag)] = PushStats.bytes.get((tenant, retention, flag), 0) + b

    if not parsed:
        raise PushError(422, "error at least one valid stream is required for ingestion")
    now = time.time_ns()
    errors = []
    accepted = []
    for lbs, entries in parsed:
        if not entries:
            continue
        key = labels_string(lbs)
        # Validator.ValidateLabels
        if not lbs:
            errors.append("error at least one label pair is required per stream")
            continue
        count = len(lbs) - (1 if "service_name" in lbs else 0)
        if count > limits.max_label_names_per_series:
            errors.append("entry for stream '%s' has %d label names; limit %d"
                          % (key, count, limits.max_label_names_per_series))
            continue
        bad = None
        for k in sorted(lbs):
            if len(k) > limits.max_label_name_length:
                bad = "stream '%s' has label name too long: '%s'" % (key, k)
            elif len(lbs[k]) > limits.max_label_value_length:
                bad = "stream '%s' has label value too long: '%s'" % (key, lbs[k])
            if bad:
                break
        if bad:
            errors.append(bad)
            continue
        good = []
        for ts, line, sm in entries:
            if limits.max_line_size_truncate and limits.max_line_size and len(line.encode()) > limits.max_line_size:
                line = line.encode()[:limits.max_line_size].decode("utf-8", "ignore")
            # Validator.ValidateEntry
            if limits.reject_old_samples and ts < now - limits.reject_old_samples_max_age:
                errors.append("entry for stream '%s' has timestamp too old: %s, oldest acceptable timestamp is: %s"
                              % (key, rfc3339(ts), rfc3339(now - limits.reject_old_samples_max_age)))
                continue
            if ts > now + limits.creation_grace_period:
                errors.append("entry for stream '%s' has timestamp too new: %s" % (key, rfc3339(ts)))
                continue
            if limits.max_line_size and len(line.encode()) > limits.max_line_size:
                errors.append("max entry size '%d' bytes exceeded for stream '%s' while adding an entry with length "
                              "'%d' bytes" % (limits.max_line_size, key, len(line.encode())))
                continue
            if sm:
                size = sum(len(k) + len(v) for k, v in sm.items())
                if not limits.allow_structured_metadata:
                    errors.append("stream '%s' includes structured metadata, but this feature is disallowed. Please "
                                  "see `limits_config.allow_structured_metadata` or contact your Loki administrator "
                                  "to enable it" % key)
                    continue
                if limits.max_structured_metadata_size and size > limits.max_structured_metadata_size:
                    errors.append("stream '%s' has structured metadata too large: '%d' bytes, limit: '%d' bytes. "
                                  "Please see `limits_config.max_structured_metadata_size` or contact your Loki "
                                  "administrator to increase it" % (key, size, limits.max_structured_metadata_size))
                    continue
                if limits.max_structured_metadata_entries_count and \
                        len(sm) > limits.max_structured_metadata_entries_count:
                    errors.append("stream '%s' has too many structured metadata labels: '%d', limit: '%d'. Please see "
                                  "`limits_config.max_structured_metadata_entries_count` or contact your Loki "
                                  "administrator to increase it" % (key, len(sm),
                                                                    limits.max_structured_metadata_entries_count))
                    continue
            sm = dict(sm)
            if limits.allow_structured_metadata and limits.discover_log_levels:
                if "detected_level" in sm:
                    sm["detected_level"] = normalize_level(sm["detected_level"]) or sm["detected_level"]
                else:
                    sm["detected_level"] = detect_level(lbs, sm, line, limits.log_level_fields or DEFAULT_LEVEL_FIELDS)
            good.append((ts, line, tuple(sorted(sm.items()))))
        if good:
            accepted.append((lbs, good))

    # the ingester (stream.validateEntries): out-of-order entries are accepted unless older than the stream's
    # newest entry minus max_chunk_age/2; an entry equal to one stored (time, line, metadata) is ignored.
    ingester_error = None
    to_store = []
    for lbs, entries in accepted:
        highest, seen = STORE.stream_state(tenant, lbs)
        keep, failed, added = [], [], set()
        for e in entries:
            if e in seen or e in added:
                continue
            cutoff = highest - limits.max_chunk_age // 2 if highest is not None else None
            if cutoff is not None and e[0] < cutoff:
                failed.append((e, cutoff))
                continue
            keep.append(e)
            added.add(e)
            highest = e[0] if highest is None or e[0] > highest else highest
        if keep:
            to_store.append((tenant, lbs, keep))
        if failed:
            shown = failed[:limits.max_returned_stream_errors] if limits.max_returned_stream_errors else failed
            text = "".join("entry with timestamp %s ignored, reason: 'entry too far behind, entry timestamp is: %s, "
                           "oldest acceptable timestamp is: %s',\n" % (go_time_string(e[0]), rfc3339(e[0]),
                                                                       rfc3339(cutoff)) for e, cutoff in shown)
            text += "user '%s', total ignored: %d out of %d for stream: %s" % (tenant, len(failed), len(entries),
                                                                               labels_string(lbs))
            ingester_error = text
    if to_store:
        STORE.append(to_store)
    if ingester_error:
        return 400, ingester_error
    if errors:
        return 400, grouped_errors(errors)
    return 204, ""


def grouped_errors(errors):
    """util.GroupedErrors: one text per distinct error, "N errors like: " when there is more than one."""
    counts = collections.OrderedDict()
    for e in errors:
        counts[e] = counts.get(e, 0) + 1
    return "; ".join(("%d errors like: " % n if len(counts) > 1 or n > 1 else "") + e for e, n in counts.items())


def rfc3339(ns):
    # time.Format(time.RFC3339) in UTC (the image's zone)
    return datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def go_time_string(ns):
    # time.Time.String(): 2006-01-02 15:04:05.999999999 -0700 MST
    base = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    frac = ("%09d" % (ns % 10**9)).rstrip("0")
    return base + ("." + frac if frac else "") + " +0000 UTC"


# ---------------------------------------------------------------- the server

class State:
    lock = threading.Lock()
    pushes = 0
    push_bytes = 0
    undecoded = 0
    cfg = None


def metrics():
    out = []
    cfg = State.cfg
    process_metrics(out, PROG, VERSION, START_TIME)
    # pkg/loghttp/push/push.go: names, help texts and labels of Loki 3.7.6 (policy is "" without policies,
    # format "loki" for /loki/api/v1/push).  Counted for JSON pushes only: the stand-in does not decode protobuf.
    with PushStats.lock:
        lines, nbytes = dict(PushStats.lines), dict(PushStats.bytes)
    metric(out, "loki_distributor_bytes_received_total", "counter",
           "The total number of uncompressed bytes received per tenant. Includes structured metadata bytes.",
           [({"tenant": t, "retention_hours": r, "is_internal_stream": i, "policy": "", "format": "loki"}, v)
            for (t, r, i), v in sorted(nbytes.items())])
    metric(out, "loki_distributor_lines_received_total", "counter", "The total number of lines received per tenant",
           [({"tenant": t, "is_internal_stream": i, "policy": "", "format": "loki"}, v)
            for (t, i), v in sorted(lines.items())])
    config_metrics(out, cfg.path, cfg.sha256)
    with State.lock:
        pushes, push_bytes, undecoded = State.pushes, State.push_bytes, State.undecoded
    metric(out, "standin_push_requests_total", "counter",
           "POST push requests the test stand-in answered with 2xx (JSON ones stored, protobuf ones only counted).",
           [({}, pushes)])
    metric(out, "standin_push_bytes_total", "counter", "Body bytes of the accepted push requests.",
           [({}, push_bytes)])
    metric(out, "standin_push_undecoded_requests_total", "counter",
           "Accepted push requests the stand-in did not decode (snappy protobuf, legacy /api/prom/push).",
           [({}, undecoded)])
    with STORE.lock:
        entries, streams = len(STORE.order), len(STORE.streams)
    metric(out, "standin_store_entries", "gauge", "Log entries the stand-in holds (memory and its data volume).",
           [({}, entries)])
    metric(out, "standin_store_streams", "gauge", "Streams the stand-in holds.", [({}, streams)])
    return "\n".join(out) + "\n"


def _json_body(obj):
    # json-iterator writes HTML characters escaped, as encoding/json does
    return (go_json(obj) + "\n").encode()


class Handler(GoHandler):
    server_version = "loki-standin"
    nosniff_always = True

    def error(self, status, text):
        # http.Error (push) ends the text with a newline; serverutil.WriteError (queries) does not
        return self.reply(status, text)

    def json(self, obj):
        return self.reply(200, _json_body(obj), "application/json; charset=UTF-8")

    def tenant(self):
        if State.cfg.auth_enabled is False:
            return "fake"
        return self.headers.get("X-Scope-OrgID") or None

    def form(self, body=b""):
        """r.Form: the URL's query plus a urlencoded POST body (last value of each key; match[] kept whole)."""
        u = urllib.parse.urlsplit(self.path)
        pairs = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
        if body and (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            pairs += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        form, multi = {}, {}
        for k, v in pairs:
            multi.setdefault(k, []).append(v)
            form.setdefault(k, v)
        return form, multi

    def route(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/ready":
            self.drain()
            if self.command != "GET":
                return self.reply(405, "")
            return self.reply(200, "ready\n")
        if path == "/metrics":
            self.drain()
            return self.reply(200, metrics(), "text/plain; version=0.0.4; charset=utf-8")
        if path == "/loki/api/v1/status/buildinfo":
            self.drain()
            return self.reply(200, json.dumps({
                "version": VERSION, "revision": "standin", "branch": "standin", "buildUser": "",
                "buildDate": "", "goVersion": ""}) + "\n", "application/json")
        if path in ("/loki/api/v1/push", "/api/prom/push"):
            if self.command != "POST":
                self.drain()
                return self.reply(405, "")
            return self.push(path)
        if path in ("/loki/api/v1/query_range", "/loki/api/v1/query", "/loki/api/v1/labels",
                    "/loki/api/v1/series") or re.fullmatch(r"/loki/api/v1/label/[^/]+/values", path):
            if self.command not in ("GET", "POST"):
                self.drain()
                return self.reply(405, "")
            return self.query_api(path)
        self.drain()
        return self.reply(404, "404 page not found\n")

    def push(self, path):
        body = self.drain()
        tenant = self.tenant()
        if tenant is None:
            return self.reply(401, "no org id\n")
        encoding = self.headers.get("Content-Encoding") or ""
        ctype = self.headers.get("Content-Type") or ""
        media = ctype.split(";", 1)[0].strip().lower()
        if encoding not in ("", "snappy", "gzip", "deflate"):
            return self.reply(400, 'Content-Encoding "%s" not supported\n' % encoding)
        if not media:
            return self.reply(400, "mime: no media type\n")
        if media not in ("application/json", "application/x-protobuf"):
            # Loki reads any other type as snappy protobuf, which the stand-in cannot decode to check.
            return self.reply(400, "test stand-in: Content-Type %s: Loki would decode the body as snappy protobuf; "
                                   "the stand-in takes application/json, and application/x-protobuf without "
                                   "decoding it\n" % media)
        if media != "application/json" or path == "/api/prom/push":
            # Snappy protobuf (what a real Promtail sends) and the legacy endpoint: accepted and counted, not
            # decoded or stored (the image has no snappy and no protobuf).
            with State.lock:
                State.pushes += 1
                State.undecoded += 1
                State.push_bytes += len(body)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        try:
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body, -15)
        except (OSError, EOFError, zlib.error) as e:
            return self.reply(400, "%s\n" % e)
        try:
            status, text = handle_push_json(tenant, body, State.cfg.limits)
        except PushError as e:
            status, text = e.status, e.text
        if status == 204:
            with State.lock:
                State.pushes += 1
                State.push_bytes += len(body)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        log("warn", "push request failed", code=status, err=text)
        return self.reply(status, text + "\n")

    def query_api(self, path):
        body = self.drain()
        tenant = self.tenant()
        if tenant is None:
            return self.reply(401, "no org id\n")
        form, multi = self.form(body)
        limits = State.cfg.limits
        now = time.time_ns()
        started = time.monotonic()
        try:
            if path == "/loki/api/v1/query":
                # ParseInstantQuery, then the querier refuses a log query
                # (logqlmodel.ErrUnsupportedSyntaxForInstantQuery)
                parse_limit(form)
                parse_timestamp(form.get("time", ""), now)
                parse_direction(form)
                parse_query(form.get("query", ""))
                raise QueryError("log queries are not supported as an instant query type, please change your "
                                 "query to a range query type")
            if path == "/loki/api/v1/query_range":
                start, end = bounds(form, now)
                if end < start:
                    raise QueryError("end timestamp must not be before or equal to start time")
                limit = parse_limit(form)
                direction = parse_direction(form)
                if form.get("step"):
                    step = parse_seconds_or_duration(form["step"])
                else:
                    step = max((end - start) // 10**9 // 250, 1) * 10**9
                if step <= 0:
                    raise QueryError("zero or negative query resolution step widths are not accepted. Try a "
                                     "positive integer")
                if (end - start) // step > 11000:
                    raise QueryError("exceeded maximum resolution of 11,000 points per time series. Try increasing "
                                     "the value of the step parameter")
                interval = parse_seconds_or_duration(form["interval"]) if form.get("interval") else 0
                if interval < 0:
                    raise QueryError("interval must be >= 0")
                if limits.max_entries_limit_per_query and limit > limits.max_entries_limit_per_query:
                    parse_query(form.get("query", ""))
                    raise QueryError("max entries limit per query exceeded, limit > max_entries_limit_per_query "
                                     "(%d > %d)" % (limit, limits.max_entries_limit_per_query))
                flags = [f.strip() for f in (self.headers.get("X-Loki-Response-Encoding-Flags") or "").split(",")]
                categorize = "categorize-labels" in flags
                result, processed, nbytes, returned = run_log_query(tenant, form.get("query", ""), start, end, limit,
                                                                    direction, interval, categorize)
                stats = empty_stats()
                elapsed = time.monotonic() - started
                summary = stats["summary"]
                summary.update({"execTime": elapsed, "totalLinesProcessed": processed,
                                "totalBytesProcessed": nbytes, "totalEntriesReturned": returned,
                                "totalPostFilterLines": returned,
                                "linesProcessedPerSecond": int(processed / elapsed) if elapsed else 0,
                                "bytesProcessedPerSecond": int(nbytes / elapsed) if elapsed else 0})
                data = {"resultType": "streams", "result": result, "stats": stats}
                if categorize:
                    data = {"resultType": "streams", "encodingFlags": ["categorize-labels"], "result": result,
                            "stats": stats}
                return self.json({"status": "success", "data": data})
            start, end = bounds(form, now)
            if path == "/loki/api/v1/series":
                groups = sorted(set(multi.get("match", []) + multi.get("match[]", [])))
                if len(groups) == 1 and groups[0].replace(" ", "") == "{}":
                    groups = []
                selected = {}
                for g in groups or [None]:
                    matchers = parse_matchers(g) if g is not None else []
                    for labels, entries in STORE.snapshot(tenant, matchers):
                        if any(start <= e[0] <= end for e in entries):
                            selected[labels_string(labels)] = labels
                return self.json({"status": "success", "data": [selected[k] for k in sorted(selected)]})
            matchers = parse_matchers(form["query"]) if form.get("query") else []
            values = set()
            m = re.fullmatch(r"/loki/api/v1/label/([^/]+)/values", path)
            name = urllib.parse.unquote(m.group(1)) if m else None
            for labels, entries in STORE.snapshot(tenant, matchers):
                if not any(start <= e[0] <= end for e in entries):
                    continue
                if name is None:
                    values.update(labels)
                elif name in labels:
                    values.add(labels[name])
            # loghttp.LabelResponse: "data" is left out when empty (omitempty)
            out = {"status": "success"}
            if values:
                out["data"] = sorted(values)
            return self.json(out)
        except QueryError as e:
            return self.error(400, str(e))

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = route


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
        loaded, torn = STORE.open()
    except OSError as e:
        log("error", "error initialising loki", err="test stand-in: cannot open the store %s: %s"
            % (STORE_FILE, (e.strerror or str(e)).lower()))
        sys.exit(1)
    log("info", "test stand-in: store loaded", file=STORE_FILE, entries=loaded, skipped_lines=torn,
        streams=len(STORE.streams))
    try:
        server = listen(cfg.http_address, port, Handler)
    except OSError as e:
        log("error", "error initialising loki",
            err="listen tcp %s:%d: bind: %s" % (cfg.http_address, port, (e.strerror or str(e)).lower()))
        sys.exit(1)

    stop_on_signals(server, lambda signum: log("info", "=== received SIGINT/SIGTERM ===\n*** exiting"))
    log("info", "server listening on addresses", http=server_address_text(server), standin="true")
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
        print_version(PROG, VERSION)
    flags = parse_flags(args, FLAGS, PROG)
    log_level(flags)
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

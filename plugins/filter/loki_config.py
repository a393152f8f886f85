# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: loki_config
short_description: Build Loki's configuration for the Loki version the image runs
version_added: 0.2.0
author:
  - Proxy Agent Platform DevOps Team
description:
  - Returns the content of C(loki.yaml) as a plain dictionary for a single-binary Loki that keeps its chunks and
    index on the local filesystem under O(_input.data_dir) (a named volume), in the layout of the Loki version
    family O(version) belongs to. Dump it with C(to_nice_yaml).
  - "B(Loki 3.x) (Loki's own C(cmd/loki/loki-local-config.yaml) layout): C(common) block with C(path_prefix), the
    filesystem chunk and rules directories, an in-memory ring and replication factor 1 (Loki derives the TSDB and
    compactor directories from C(path_prefix)); one schema period C(tsdb)/C(v13)/C(filesystem) with a 24h index
    period; compactor retention with C(delete_request_store: filesystem) (required by Loki 3 when retention is
    on); C(limits_config) with the retention and old-sample settings and C(allow_structured_metadata); usage
    reporting to Grafana Labs turned off (C(analytics.reporting_enabled: false))."
  - "B(Loki 2.9.x) (the seed's layout, corrected): C(boltdb-shipper)/C(v11) schema with C(storage_config.boltdb_shipper)
    (C(shared_store: filesystem)) and C(storage_config.filesystem), the seed's C(ingester) and C(limits_config)
    (C(enforce_metric_name: false)). Corrections: retention by the compactor (C(compactor.shared_store: filesystem),
    C(retention_enabled), C(limits_config.retention_period)) instead of the seed's C(table_manager), which only
    drops index tables and relies on an object-store TTL to delete chunks, so chunks on a filesystem store were
    never deleted; C(common.path_prefix) so that the WAL and the compactor's marker files live in the data volume
    (the seed left the WAL at the relative default C(wal)); no C(chunk_store_config.max_look_back_period), which
    only mattered for table-manager retention and which Loki 3.0 removed."
  - "B(Schema migration.) O(existing) is the C(schema_config) of the configuration currently on the host. Its
    periods are never changed or dropped (Loki can only read data with the period that wrote it). With a 3.x
    version, when the last existing period is not C(tsdb)/C(v13) (for example the seed's C(boltdb-shipper)/C(v11)),
    a C(tsdb)/C(v13) period is appended that starts tomorrow (O(today) + 1 day, 00:00 UTC), as Loki's schema and
    3.0 upgrade guides require (a new period must start in the future). When the last period already is
    C(tsdb)/C(v13), for example the one appended by an earlier run, the periods are kept as they are, so the schema
    stays the same on every later run. With a 2.9 version the existing periods are kept as they are."
  - "Loki 3 refuses to start with C(allow_structured_metadata: true) unless the active period (the last one whose
    C(from) is not after O(today)) is C(tsdb) with schema C(v13) or newer. The filter therefore writes C(false)
    while the appended period is still in the future, and C(true) from the first run on or after its start date
    (the upgrade guide's procedure: disable structured metadata, migrate the schema, enable it again). Setting it
    yourself (O(_input.limits) or O(_input.overrides)) takes precedence and is checked against the active period."
  - "Checks, each failing with the variable to fix: O(version) is a version string of Loki 2.9.x or 3.x; durations
    use Loki's syntax (Prometheus' C(model.Duration): units C(y w d h m s ms), largest first, for example C(336h),
    C(14d), C(2w)); C(retention_period) is C(0s) (keep logs forever) or at least the 24h index period;
    O(_input.overrides) and O(_input.limits) hold no key that exists only in the other version family (tables
    C(REMOVED_IN_3) and C(ADDED_IN_3) in this file, each entry with the Loki document that says so; Loki parses its
    configuration strictly and does not start with an unknown key); with 3.x, C(compactor.retention_enabled) without
    a C(compactor.delete_request_store) is rejected (Loki 3 does not start)."
positional: _input, version
options:
  _input:
    description: The settings, from the loki role's variables (named in error messages as given below).
    type: dict
    required: true
    suboptions:
      http_port:
        description: HTTP port Loki listens on in its container (the catalogue's; not a role variable, named
          C(http_port) in errors).
        type: int
        default: 3100
      log_level:
        description: Loki's log level, one of C(debug), C(info), C(warn), C(error) (C(loki_log_level)).
        type: str
        default: info
      auth_enabled:
        description: Require the C(X-Scope-OrgID) header (multi-tenancy) (C(loki_auth_enabled)).
        type: bool
        default: false
      retention_period:
        description: How long logs are kept, a Loki duration of at least C(24h), or C(0s) to keep them forever
          (C(loki_retention_period)).
        type: str
        default: 336h
      reject_old_samples:
        description: Reject log lines older than O(_input.reject_old_samples_max_age) (C(loki_reject_old_samples)).
        type: bool
        default: true
      reject_old_samples_max_age:
        description: Age beyond which log lines are rejected (C(loki_reject_old_samples_max_age)).
        type: str
        default: 168h
      data_dir:
        description: Absolute path of Loki's data directory inside the container (not a role variable, named
          C(data_dir) in errors).
        type: str
        default: /loki
      schema_from:
        description:
          - Start date (C(YYYY-MM-DD)) of the first schema period on a first deploy (O(existing) empty)
            (C(loki_schema_from)). It must not be after O(today) (Loki needs a period that is active when it
            starts). Ignored when O(existing) has periods.
          - The default is a fixed past date rather than the deploy date so that the output does not change from
            one day to the next; it is the seed's date, so a host deployed from the seed has the same first period.
        type: str
        default: '2024-01-01'
      limits:
        description: Further C(limits_config) keys (C(loki_limits)). The keys that other settings set
          (C(retention_period), C(reject_old_samples), C(reject_old_samples_max_age)) are rejected here.
        type: dict
        default: {}
      overrides:
        description: Your changes in Loki's own schema, deep-merged last (mappings are merged key by key, any other
          value replaces the generated one) (C(loki_config_overrides)).
        type: dict
        default: {}
  version:
    description: The Loki version the image runs, from its tag (C(loki_version)), for example C(3.7.6), C(v3.7.6) or
      C(2.9.17). Major version 3 gets the 3.x layout, 2.9 and later 2.x versions the 2.9 layout.
    type: str
    required: true
  existing:
    description: The C(schema_config) of the Loki configuration currently on the host (a mapping with a C(configs)
      list), or nothing on a first deploy.
    type: dict
  today:
    description: The current date, C(YYYY-MM-DD) in UTC; the controller's current UTC date when not given.
    type: str
"""

EXAMPLES = r"""
- name: Read the schema of the configuration on the host
  ansible.builtin.slurp:
    src: /etc/loki/loki.yaml
  register: __loki_current
  failed_when: false

- name: Build loki.yaml
  ansible.builtin.set_fact:
    __loki_config: >-
      {{ {'log_level': loki_log_level, 'auth_enabled': loki_auth_enabled,
          'retention_period': loki_retention_period, 'reject_old_samples': loki_reject_old_samples,
          'reject_old_samples_max_age': loki_reject_old_samples_max_age, 'schema_from': loki_schema_from,
          'limits': loki_limits, 'overrides': loki_config_overrides}
         | proxy_agent.observability.loki_config(
             loki_version,
             existing=((__loki_current.content | b64decode | from_yaml).schema_config
                       if __loki_current.content is defined else none)) }}

# A 3.x host deployed with the seed's 2.9 configuration keeps its boltdb-shipper period and gets
#   - {from: '<tomorrow>', store: tsdb, object_store: filesystem, schema: v13, index: {prefix: index_, period: 24h}}
# appended; the next runs leave the schema as it is.
"""

RETURN = r"""
_value:
  description: The content of C(loki.yaml).
  type: dict
"""

import copy
import datetime
import posixpath
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import check_port
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import deep_merge
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import filter_settings
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import kind as _kind
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import parse_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

# --- Documents this filter follows (one per generated block; the 3.x ones are those of Loki 3.7) -----------------
DOC_CONFIGURE_3 = "https://grafana.com/docs/loki/v3.7.x/configure/"
DOC_CONFIGURE_29 = "https://grafana.com/docs/loki/v2.9.x/configure/"
DOC_UPGRADE_3 = "https://grafana.com/docs/loki/v3.7.x/setup/upgrade/"
DOC_RETENTION_3 = "https://grafana.com/docs/loki/v3.7.x/operations/storage/retention/"
DOC_RETENTION_29 = "https://grafana.com/docs/loki/v2.9.x/operations/storage/retention/"
DOC_SCHEMA = "https://grafana.com/docs/loki/v3.7.x/operations/storage/schema/"
DOC_TSDB_MIGRATION = "https://grafana.com/docs/loki/v3.7.x/setup/migrate/migrate-to-tsdb/"
# The configuration Loki's images ship, the model of both layouts.
DOC_LOCAL_CONFIG_3 = "https://github.com/grafana/loki/blob/v3.7.6/cmd/loki/loki-local-config.yaml"
DOC_DOCKER_CONFIG_29 = "https://github.com/grafana/loki/blob/v2.9.17/cmd/loki/loki-docker-config.yaml"

VAR_VERSION = "loki_version"
VAR_OVERRIDES = "loki_config_overrides"
VAR_LIMITS = "loki_limits"
VAR_EXISTING = "existing"
VAR_TODAY = "today"

# setting -> (variable named in errors, default); the settings the role does not set are named by their key.
SETTINGS = {
    "http_port": ("http_port", COMPONENTS["loki"]["ports"]["http"]["container"]),
    "log_level": ("loki_log_level", "info"),
    "auth_enabled": ("loki_auth_enabled", False),
    "retention_period": ("loki_retention_period", "336h"),
    "reject_old_samples": ("loki_reject_old_samples", True),
    "reject_old_samples_max_age": ("loki_reject_old_samples_max_age", "168h"),
    "data_dir": ("data_dir", "/loki"),
    "schema_from": ("loki_schema_from", "2024-01-01"),
    "limits": (VAR_LIMITS, None),
    "overrides": (VAR_OVERRIDES, None),
}
LOG_LEVELS = ("debug", "info", "warn", "error")
# limits_config keys that settings of their own set: a loki_limits entry would silently fight them.
LIMITS_FROM_SETTINGS = ("reject_old_samples", "reject_old_samples_max_age", "retention_period")

GRPC_PORT = 9096  # the gRPC port of Loki's shipped local configurations (2.9 and 3.x alike)
INDEX_PERIOD = "24h"
INDEX_PERIOD_MS = 24 * 3600 * 1000
NEW_PERIOD = {"store": "tsdb", "object_store": "filesystem", "schema": "v13",
              "index": {"prefix": "index_", "period": INDEX_PERIOD}}
SEED_PERIOD = {"store": "boltdb-shipper", "object_store": "filesystem", "schema": "v11",
               "index": {"prefix": "index_", "period": INDEX_PERIOD}}

# --- Keys of one version family only ------------------------------------------------------------------------------
# (path in the configuration, "[]" meaning every list item; the document; what to do instead)
# Present in the 2.9 configuration reference, removed by Loki 3.0.
_SHIPPER = DOC_UPGRADE_3 + "#removed-shared_store-and-shared_store_key_prefix-from-shipper-configuration"
_COMPACTOR = DOC_UPGRADE_3 + "#removed-shared_store-and-shared_store_key_prefix-from-compactor-configuration"
_DEPRECATED = DOC_UPGRADE_3 + "#deprecated-configuration-options-are-removed"
REMOVED_IN_3 = (
    ("storage_config.boltdb_shipper.shared_store", _SHIPPER,
     "remove it: Loki 3 keeps the index in the object_store of each schema period"),
    ("storage_config.boltdb_shipper.shared_store_key_prefix", _SHIPPER,
     "remove it and set index.path_prefix in the schema periods that use boltdb-shipper"),
    ("storage_config.tsdb_shipper.shared_store", _SHIPPER,
     "remove it: Loki 3 keeps the index in the object_store of each schema period"),
    ("storage_config.tsdb_shipper.shared_store_key_prefix", _SHIPPER,
     "remove it and set index.path_prefix in the schema periods that use tsdb"),
    ("storage_config.boltdb_shipper.use_boltdb_shipper_as_backup",
     DOC_UPGRADE_3 + "#configuration-use_boltdb_shipper_as_backup-is-removed", "remove it"),
    ("storage_config.tsdb_shipper.use_boltdb_shipper_as_backup",
     DOC_UPGRADE_3 + "#configuration-use_boltdb_shipper_as_backup-is-removed", "remove it"),
    ("compactor.shared_store", _COMPACTOR,
     "remove it: the compactor works on every object store of the schema periods"),
    ("compactor.shared_store_key_prefix", _COMPACTOR, "remove it"),
    ("compactor.deletion_mode", _DEPRECATED, "set limits_config.deletion_mode instead"),
    ("limits_config.enforce_metric_name", _DEPRECATED, "remove it"),
    ("limits_config.ruler_evaluation_delay_duration", _DEPRECATED, "remove it"),
    ("chunk_store_config.max_look_back_period", _DEPRECATED, "set limits_config.max_query_lookback instead"),
    ("querier.engine.timeout", _DEPRECATED, "set limits_config.query_timeout instead"),
    ("query_range.split_queries_by_interval", _DEPRECATED,
     "set limits_config.split_queries_by_interval instead"),
    ("query_range.forward_headers_list", _DEPRECATED, "remove it"),
    ("frontend_worker.parallelism", _DEPRECATED, "set querier.max_concurrent instead"),
    ("ingester.max_transfer_retries", DOC_UPGRADE_3 + "#ingester-configuration-max_transfer_retries-is-removed",
     "remove it: the write-ahead log replaces it"),
)
# In Loki 3's configuration reference, absent from the 2.9 one.
ADDED_IN_3 = (
    ("compactor.delete_request_store_key_prefix",
     DOC_UPGRADE_3 + "#delete_request_store-should-be-explicitly-configured"),
    ("schema_config.configs.[].index.path_prefix", _SHIPPER),
    ("limits_config.discover_service_name", DOC_UPGRADE_3 + "#service_name-label"),
    ("limits_config.discover_log_levels", DOC_CONFIGURE_3 + "#limits_config"),
    ("limits_config.otlp_config", DOC_CONFIGURE_3 + "#limits_config"),
    ("limits_config.max_structured_metadata_size", DOC_CONFIGURE_3 + "#limits_config"),
    ("limits_config.max_structured_metadata_entries_count", DOC_CONFIGURE_3 + "#limits_config"),
    ("distributor.otlp_config", DOC_CONFIGURE_3 + "#distributor"),
    ("operational_config", DOC_UPGRADE_3 + "#removed-the-default-section-of-the-runtime-overrides-config-file"),
    ("pattern_ingester", DOC_CONFIGURE_3),
    ("bloom_build", DOC_CONFIGURE_3 + "#bloom_build"),
    ("bloom_gateway", DOC_CONFIGURE_3 + "#bloom_gateway"),
)

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?$")
DURATION_FIX = ("write a number with a unit, largest unit first, e.g. '336h', '14d' or '2w' "
                "(units: y, w, d, h, m, s, ms)")
VERSION_FIX = "set loki_version to the Loki version your image runs, e.g. '3.7.6'"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _key(path, key):
    if isinstance(key, str) and _IDENT.match(key):
        return "%s.%s" % (path, key)
    return "%s[%r]" % (path, key)


# --- Parsing ----------------------------------------------------------------------------------------------------

def parse_version(version):
    """(major, minor) of a Loki image version such as '3.7.6', 'v3.7.6' or '2.9.17'; raise naming loki_version."""
    match = _VERSION.match(version) if isinstance(version, str) else None
    if not match:
        hint = " (a number: quote it in YAML)" if isinstance(version, (int, float)) and \
            not isinstance(version, bool) else ""
        raise bad_input(VAR_VERSION, "%r is not a Loki version%s" % (version, hint), VERSION_FIX)
    major, minor = int(match.group(1)), int(match.group(2))
    if major == 3 or (major == 2 and minor >= 9):
        return major, minor
    raise bad_input(VAR_VERSION, "Loki %s is not supported: this collection writes configurations for Loki 2.9.x "
                    "and 3.x" % version, VERSION_FIX)


def check_duration(variable, value):
    millis = parse_duration(value)
    if millis is None:
        raise bad_input(variable, "%r is not a Loki duration" % (value,), DURATION_FIX)
    return millis


def parse_date(variable, value, what):
    """A datetime.date from 'YYYY-MM-DD' (or a date that YAML already parsed); raise naming variable."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            pass
    raise bad_input(variable, "%r is not a date" % (value,), "write %s as 'YYYY-MM-DD', e.g. '2024-01-01'" % what)


def _check_bool(variable, value):
    if not isinstance(value, bool):
        raise bad_input(variable, "must be true or false, got %s %r" % (_kind(value), value),
                        "write true or false, unquoted")
    return value


def _settings(settings):
    values = filter_settings(settings, SETTINGS, "loki", "{'retention_period': '336h'}", allow_none=True)
    values["http_port"] = check_port(SETTINGS["http_port"][0], values["http_port"])
    if values["log_level"] not in LOG_LEVELS:
        raise bad_input(SETTINGS["log_level"][0], "%r is not a Loki log level" % (values["log_level"],),
                        "use one of %s" % ", ".join(LOG_LEVELS))
    for key in ("auth_enabled", "reject_old_samples"):
        _check_bool(SETTINGS[key][0], values[key])

    retention = check_duration(SETTINGS["retention_period"][0], values["retention_period"])
    if 0 < retention < INDEX_PERIOD_MS:
        raise bad_input(SETTINGS["retention_period"][0],
                        "%r is shorter than the 24h index period: Loki's compactor applies retention to whole daily "
                        "index tables and its minimum retention period is 24h" % (values["retention_period"],),
                        "set at least '24h' (e.g. '336h' for 14 days), or '0s' to keep logs forever")
    if check_duration(SETTINGS["reject_old_samples_max_age"][0], values["reject_old_samples_max_age"]) == 0:
        raise bad_input(SETTINGS["reject_old_samples_max_age"][0], "must be longer than zero",
                        "give the age beyond which log lines are rejected, e.g. '168h', or set "
                        "loki_reject_old_samples to false")

    data_dir = values["data_dir"]
    if not isinstance(data_dir, str) or not posixpath.isabs(data_dir) or re.search(r"\s", data_dir):
        raise bad_input(SETTINGS["data_dir"][0], "%r is not an absolute path" % (data_dir,),
                        "give the directory as Loki sees it in its container, e.g. '/loki'")
    values["data_dir"] = posixpath.normpath(data_dir)

    for key in ("limits", "overrides"):
        value = values[key]
        if value is None:
            values[key] = {}
        elif not isinstance(value, Mapping):
            raise bad_input(SETTINGS[key][0], "must be a mapping in Loki's configuration schema, got %s"
                            % _kind(value), "write it like {'limits_config': {'max_query_series': 1000}}"
                            if key == "overrides" else "write it like {'max_query_series': 1000}")
    for key in values["limits"]:
        if key in LIMITS_FROM_SETTINGS:
            raise bad_input(_key(VAR_LIMITS, key), "is set by loki_%s" % key,
                            "set loki_%s instead and remove it from loki_limits" % key)
    return values


def _periods(variable, configs):
    """Check schema periods: a list of mappings with a 'from' date, in increasing order. Return them, plain."""
    if not isinstance(configs, list) or not configs:
        raise bad_input(variable, "must be a non-empty list of schema periods, got %s" % _kind(configs),
                        "give the schema_config.configs list of the Loki configuration")
    result = []
    previous = None
    for index, period in enumerate(configs):
        where = "%s[%d]" % (variable, index)
        if not isinstance(period, Mapping) or "from" not in period:
            raise bad_input(where, "is not a schema period (a mapping with from, store, object_store, schema, "
                            "index)", "give the periods exactly as they are in the Loki configuration")
        start = parse_date(_key(where, "from"), period["from"], "from")
        if previous is not None and start <= previous:
            raise bad_input(_key(where, "from"), "%s is not after the previous period's %s; Loki requires "
                            "increasing dates" % (start.isoformat(), previous.isoformat()),
                            "list the periods in order of their from dates, each date once")
        previous = start
        entry = plain(period)
        entry["from"] = start.isoformat()
        result.append(entry)
    return result


def _is_tsdb_v13(period):
    """True for a tsdb period with schema v13 or newer, which Loki 3's structured metadata requires."""
    schema = period.get("schema")
    version = int(schema[1:]) if isinstance(schema, str) and re.match(r"^v\d+$", schema) else 0
    return period.get("store") == "tsdb" and version >= 13


def active_period(periods, today):
    """The period Loki treats as active on today (Loki's ActivePeriodConfig: the last one already started)."""
    started = [period for period in periods if period["from"] <= today.isoformat()]
    return started[-1] if started else periods[0]


def schema_configs(major, existing, today, schema_from):
    """The schema periods: the existing ones unchanged, plus a tsdb/v13 period from tomorrow where 3.x needs it."""
    start = parse_date(SETTINGS["schema_from"][0], schema_from, "loki_schema_from")
    if existing is not None and not isinstance(existing, Mapping):
        raise bad_input(VAR_EXISTING, "must be the schema_config mapping of the Loki configuration on the host, got "
                        "%s" % _kind(existing), "pass its schema_config (a mapping with a configs list), or nothing "
                        "on a first deploy")
    if existing and "configs" not in existing:
        hint = " (it looks like the whole configuration)" if "schema_config" in existing else ""
        raise bad_input(VAR_EXISTING, "has no configs list%s" % hint,
                        "pass the schema_config of the Loki configuration on the host (a mapping with a configs list), "
                        "or nothing on a first deploy")
    if existing and existing["configs"]:
        periods = _periods(_key(VAR_EXISTING, "configs"), existing["configs"])
        if major < 3 or _is_tsdb_v13(periods[-1]):
            # Never rewrite history; when the last period is tsdb/v13 (ours from an earlier run, or yours),
            # a new period would only duplicate it.
            return periods
        # https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#structured-metadata-open-telemetry-schemas-and-indexes
        # and https://grafana.com/docs/loki/v3.7.x/operations/storage/schema/#changing-the-schema: the new period
        # must start in the future (00:00 UTC of its date), so tomorrow; and after the last existing period.
        after = max(today, parse_date(VAR_EXISTING, periods[-1]["from"], "from")) + datetime.timedelta(days=1)
        return periods + [dict({"from": after.isoformat()}, **copy.deepcopy(NEW_PERIOD))]
    # First deploy: https://grafana.com/docs/loki/v3.7.x/operations/storage/schema/#new-loki-installs
    # ("for a new install, this must be a date in the past").
    if start > today:
        raise bad_input(SETTINGS["schema_from"][0], "%s is after today (%s): Loki would have no schema period for "
                        "the data it receives now" % (start.isoformat(), today.isoformat()),
                        "use a date in the past for a first deploy, e.g. '2024-01-01'")
    period = NEW_PERIOD if major >= 3 else SEED_PERIOD
    return [dict({"from": start.isoformat()}, **copy.deepcopy(period))]


# --- The two layouts ------------------------------------------------------------------------------------------------

def _layout_3(values, periods):
    data = values["data_dir"]
    config = {
        # https://grafana.com/docs/loki/v3.7.x/configure/#supported-contents-and-default-values-of-lokiyaml
        # (auth_enabled defaults to true there; the seed and Loki's local config set false)
        "auth_enabled": values["auth_enabled"],
        # https://grafana.com/docs/loki/v3.7.x/configure/#server; ports as in loki-local-config.yaml of v3.7.6
        "server": {"http_listen_port": values["http_port"], "grpc_listen_port": GRPC_PORT,
                   "log_level": values["log_level"]},
        # https://grafana.com/docs/loki/v3.7.x/configure/#common: path_prefix also gives the WAL, the TSDB shipper
        # (<prefix>/tsdb-shipper-active, -cache) and the compactor their directories, so no storage_config.tsdb_shipper
        # is needed (pkg/loki/config_wrapper.go, betterTSDBShipperDefaults; pkg/loki/validation.go accepts
        # "set this directly or set path_prefix in the common section").
        "common": {
            "instance_addr": "127.0.0.1",
            "path_prefix": data,
            "storage": {"filesystem": {"chunks_directory": posixpath.join(data, "chunks"),
                                       "rules_directory": posixpath.join(data, "rules")}},
            "replication_factor": 1,
            "ring": {"kvstore": {"store": "inmemory"}},
        },
        # https://grafana.com/docs/loki/v3.7.x/operations/storage/schema/
        "schema_config": {"configs": periods},
        # https://grafana.com/docs/loki/v3.7.x/operations/storage/retention/#retention-configuration
        # (working_directory holds the marker files, which must be on a persistent disk; delete_request_store is
        # required when retention is enabled:
        # https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#delete_request_store-should-be-explicitly-configured)
        "compactor": {
            "working_directory": posixpath.join(data, "compactor"),
            "compaction_interval": "10m",
            "retention_enabled": True,
            "retention_delete_delay": "2h",
            "delete_request_store": "filesystem",
        },
        # https://grafana.com/docs/loki/v3.7.x/configure/#limits_config
        "limits_config": {
            "reject_old_samples": values["reject_old_samples"],
            "reject_old_samples_max_age": values["reject_old_samples_max_age"],
            "retention_period": values["retention_period"],
        },
        # https://grafana.com/docs/loki/v3.7.x/configure/#analytics: reporting_enabled defaults to true and sends
        # usage reports to https://stats.grafana.org/loki-usage-report (see the comment in loki-local-config.yaml).
        "analytics": {"reporting_enabled": False},
    }
    if any(period.get("store") == "boltdb-shipper" for period in periods):
        # Periods written by the 2.9 layout keep the directories it gave the boltdb shipper, so index files it had
        # not uploaded yet are found (https://grafana.com/docs/loki/v3.7.x/configure/#storage_config; without them
        # Loki 3 would use <path_prefix>/boltdb-shipper-active and -cache).
        config["storage_config"] = {"boltdb_shipper": {
            "active_index_directory": posixpath.join(data, "index"),
            "cache_location": posixpath.join(data, "index_cache")}}
    return config


def _layout_29(values, periods):
    data = values["data_dir"]
    return {
        # https://grafana.com/docs/loki/v2.9.x/configure/#supported-contents-and-default-values-of-lokiyaml
        "auth_enabled": values["auth_enabled"],
        # https://grafana.com/docs/loki/v2.9.x/configure/#server; ports as in loki-local-config.yaml of v2.9.17
        "server": {"http_listen_port": values["http_port"], "grpc_listen_port": GRPC_PORT,
                   "log_level": values["log_level"]},
        # https://grafana.com/docs/loki/v2.9.x/configure/#common: as in the 2.9 image's own loki-docker-config.yaml;
        # puts the WAL (default: the relative path "wal") and the ruler's temporary rules into the data volume.
        "common": {"path_prefix": data},
        # The seed's ingester block (https://grafana.com/docs/loki/v2.9.x/configure/#ingester).
        "ingester": {
            "lifecycler": {"address": "127.0.0.1", "ring": {"kvstore": {"store": "inmemory"}, "replication_factor": 1},
                           "final_sleep": "0s"},
            "chunk_idle_period": "5m",
            "chunk_retain_period": "30s",
        },
        # https://grafana.com/docs/loki/v2.9.x/operations/storage/schema/
        "schema_config": {"configs": periods},
        # https://grafana.com/docs/loki/v2.9.x/configure/#storage_config (the seed's)
        "storage_config": {
            "boltdb_shipper": {"active_index_directory": posixpath.join(data, "index"),
                               "cache_location": posixpath.join(data, "index_cache"),
                               "shared_store": "filesystem"},
            "filesystem": {"directory": posixpath.join(data, "chunks")},
        },
        # https://grafana.com/docs/loki/v2.9.x/operations/storage/retention/#retention-configuration: compactor
        # retention ("When applying retention with the Compactor, the Table Manager is unnecessary"); the table
        # manager the seed used deletes index tables and leaves chunks to an object-store TTL, which a filesystem
        # store does not have (https://github.com/grafana/loki/issues/936).
        "compactor": {
            "working_directory": posixpath.join(data, "compactor"),
            "shared_store": "filesystem",
            "compaction_interval": "10m",
            "retention_enabled": True,
            "retention_delete_delay": "2h",
        },
        # https://grafana.com/docs/loki/v2.9.x/configure/#limits_config (the seed's, with retention moved here from
        # table_manager as the retention page says)
        "limits_config": {
            "enforce_metric_name": False,
            "reject_old_samples": values["reject_old_samples"],
            "reject_old_samples_max_age": values["reject_old_samples_max_age"],
            "retention_period": values["retention_period"],
        },
        # https://grafana.com/docs/loki/v2.9.x/configure/#analytics
        "analytics": {"reporting_enabled": False},
    }


# --- Checks on what the user adds -----------------------------------------------------------------------------------

def _find(tree, parts, where):
    """Yield (display path, value) of every occurrence of the dotted path parts ('[]': every list item) in tree."""
    if not parts:
        yield where, tree
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if isinstance(tree, list):
            for index, item in enumerate(tree):
                yield from _find(item, rest, "%s[%d]" % (where, index))
    elif isinstance(tree, Mapping) and head in tree:
        yield from _find(tree[head], rest, _key(where, head))


def check_family(major, version, overrides, limits):
    """Raise when the user's keys exist only in the other version family."""
    trees = ((VAR_OVERRIDES, overrides, ""), (VAR_LIMITS, limits, "limits_config."))
    if major >= 3:
        for path, doc, fix in REMOVED_IN_3:
            for variable, tree, prefix in trees:
                if prefix and not path.startswith(prefix):
                    continue
                for where, dummy in _find(tree, path[len(prefix):].split("."), variable):
                    raise bad_input(where, "was removed in Loki 3.0, and Loki %s does not start with it (%s)"
                                    % (version, doc), fix)
    else:
        for path, doc in ADDED_IN_3:
            for variable, tree, prefix in trees:
                if prefix and not path.startswith(prefix):
                    continue
                for where, dummy in _find(tree, path[len(prefix):].split("."), variable):
                    raise bad_input(where, "exists only in Loki 3.x, and Loki %s does not start with it (%s)"
                                    % (version, doc), "remove it, or set loki_version to the 3.x version your image "
                                    "runs")


def _check_final_3(config, overrides, limits, today):
    """Checks on the merged 3.x configuration, for what Loki 3 refuses at start-up."""
    compactor = config.get("compactor")
    if isinstance(compactor, Mapping) and compactor.get("retention_enabled") is True \
            and not compactor.get("delete_request_store"):
        raise bad_input(_key(_key(VAR_OVERRIDES, "compactor"), "delete_request_store"),
                        "retention is enabled (compactor.retention_enabled) without a delete_request_store, and Loki 3 "
                        "does not start then (%s)" % (DOC_UPGRADE_3 + "#delete_request_store-should-be-explicitly-"
                                                      "configured"),
                        "set compactor.delete_request_store to the object store of your schema periods, e.g. "
                        "'filesystem', or remove your override of it")
    schema = config.get("schema_config")
    if not isinstance(schema, Mapping):
        raise bad_input(_key(VAR_OVERRIDES, "schema_config"), "must be a mapping with a configs list, got %s"
                        % _kind(schema), "write it like {'configs': [{'from': '2024-01-01', 'store': 'tsdb', ...}]}, "
                        "or leave schema_config to this filter")
    periods = _periods(_key(_key(VAR_OVERRIDES, "schema_config"), "configs"), schema.get("configs"))
    schema["configs"] = periods
    active = active_period(periods, today)
    limits_config = config.setdefault("limits_config", {})
    if "allow_structured_metadata" in (overrides.get("limits_config") or {}):
        variable = _key(_key(VAR_OVERRIDES, "limits_config"), "allow_structured_metadata")
    elif "allow_structured_metadata" in limits:
        variable = _key(VAR_LIMITS, "allow_structured_metadata")
    else:
        # https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#structured-metadata-open-telemetry-schemas-and-indexes
        limits_config["allow_structured_metadata"] = _is_tsdb_v13(active)
        return
    if limits_config["allow_structured_metadata"] is True and not _is_tsdb_v13(active):
        raise bad_input(variable, "is true, but the schema period active on %s (from %s) is %s/%s, and Loki 3 starts "
                        "with structured metadata only when the active period is tsdb with schema v13 (%s)"
                        % (today.isoformat(), active["from"], active.get("store"), active.get("schema"),
                           DOC_UPGRADE_3 + "#structured-metadata-open-telemetry-schemas-and-indexes"),
                        "remove it: this filter turns structured metadata on once the tsdb/v13 period has started")


# --- The filter -----------------------------------------------------------------------------------------------------

def loki_config(settings, version, existing=None, today=None):
    """Return the Loki configuration (loki.yaml) for the given settings and Loki version."""
    major, dummy = parse_version(version)
    values = _settings(settings)
    if today is None:
        today = datetime.datetime.now(datetime.timezone.utc).date()
    else:
        today = parse_date(VAR_TODAY, today, "today")
    overrides, limits = values["overrides"], values["limits"]
    check_family(major, version, overrides, limits)

    periods = schema_configs(major, existing, today, values["schema_from"])
    config = _layout_3(values, periods) if major >= 3 else _layout_29(values, periods)
    config["limits_config"] = deep_merge(config["limits_config"], limits)
    config = deep_merge(config, overrides)
    if major >= 3:
        _check_final_3(config, overrides, limits, today)
    return config


class FilterModule(object):
    """Filters for Loki."""

    def filters(self):
        return {"loki_config": loki_config}

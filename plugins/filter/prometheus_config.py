# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: prometheus_config
short_description: Assemble and check the whole prometheus.yml
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team
description:
  - Returns C(prometheus.yml) as a mapping whose keys are in Prometheus' own order (C(global), C(runtime),
    C(alerting), C(rule_files), C(scrape_config_files), C(scrape_configs), C(storage), C(tracing), C(remote_write),
    C(remote_read), C(otlp)), the keys of C(global) and of every job too, so the file is the same on every run.
    Write it with C(to_nice_yaml) and C(sort_keys=false) to keep that order (sorted keys are stable as well).
  - C(global) is the seed's block (C(scrape_interval) 15s, C(evaluation_interval) 15s, C(external_labels)
    C(cluster=proxy-agent-platform), C(environment=production)) with O(global_config) merged over it; a key or an
    external label set to C(null) is dropped.
  - "C(alerting.alertmanagers) gets the O(alertmanagers) endpoints (every Alertmanager of the fleet, from the
    C(fleet_endpoints) filter), one entry per scheme with C(api_version=v2) (Prometheus 3 speaks only v2 to
    Alertmanager), with C(tls_config.ca_file) and C(basic_auth.password_file) in C(/etc/prometheus) where the
    endpoints serve TLS or basic auth. Prometheus must send to every Alertmanager of a cluster, never through a load balancer; the
    cluster deduplicates. Labels in O(drop_alert_labels) (the HA pair's C(replica) external label) are removed from
    the alerts sent (C(alert_relabel_configs) C(labeldrop)), so that both Prometheus of a pair send identical alerts.
    Without Alertmanagers the C(alerting) block is left out, also when there are rule files, and that is not an
    error: recording rules need no Alertmanager and alerts still show on Prometheus' own alerts page."
  - "Checks: the keys and durations of C(global) (C(scrape_timeout) not longer than C(scrape_interval)), external
    label names (C([a-zA-Z_][a-zA-Z0-9_]*), not starting with C(__)) and values, the Alertmanager endpoints, rule
    file patterns (a C(*) only in the last path element, as Prometheus requires), unique
    job names, and that no job's C(scrape_timeout) is longer than the scrape interval it ends up with."
  - Jobs are taken as given (see the C(prometheus_scrape_configs) filter for how they are built and checked);
    per-job keys such as C(fallback_scrape_protocol), which Prometheus 3 needs for targets that answer without a
    valid C(Content-Type), pass through.
positional: _input, global_config, alertmanagers, rule_files
options:
  _input:
    description: The scrape configs (the result of the C(prometheus_scrape_configs) filter).
    type: list
    elements: dict
    required: true
  global_config:
    description:
      - Keys of Prometheus' C(global) block, merged over the seed's.
      - Errors name the keys that the prometheus role sets from variables of their own by those variables
        (C(prometheus_scrape_interval), C(prometheus_evaluation_interval), C(prometheus_external_labels)), and
        other keys as C(global_config['<key>']).
    type: dict
    required: true
  alertmanagers:
    description: Endpoints of every Alertmanager (the C(fleet_endpoints) filter's result for C(alertmanager)).
    type: list
    elements: dict
    required: true
  rule_files:
    description: Rule file paths or patterns as Prometheus sees them, for example C(/etc/prometheus/rules/*.yml)
      (named C(rule_files) in errors).
    type: list
    elements: str
    required: true
  extra:
    description: Further top-level keys among C(runtime), C(scrape_config_files), C(storage), C(tracing),
      C(remote_write), C(remote_read), C(otlp) (named C(extra) in errors). The keys this filter builds cannot be
      set here.
    type: dict
    default: {}
  drop_alert_labels:
    description: Label names removed from the alerts sent to Alertmanager (C(prometheus_replica_label)).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Assemble prometheus.yml
  ansible.builtin.copy:
    dest: "{{ __prometheus_stage_dir }}/prometheus.yml"
    content: >-
      {{ __prometheus_scrape.scrape_configs
         | proxy_agent.observability.prometheus_config({'scrape_interval': '30s'},
             _observability_fleet | proxy_agent.observability.fleet_endpoints('alertmanager', inventory_hostname),
             ['/etc/prometheus/rules/*.yml'], drop_alert_labels=['replica'])
         | to_nice_yaml(indent=2, sort_keys=false) }}
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The content of C(prometheus.yml).
  type: dict
"""

import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import parse_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoint_target
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import prometheus_client
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_job_durations
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_label_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_labels
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import global_var
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import order_job

# The filter's own inputs that no role variable sets are named by the option.
VAR_GLOBAL = "global_config"
VAR_ALERTMANAGERS = "alertmanagers"
VAR_DROP = "prometheus_replica_label"
VAR_RULES = "rule_files"
VAR_EXTRA = "extra"
VAR_JOBS = "scrape_configs"

# The seed's global block ("Prometheus Configuration" in monitoring-observability-guide.md).
SEED_GLOBAL = {
    "scrape_interval": "15s",
    "evaluation_interval": "15s",
    "external_labels": {"cluster": "proxy-agent-platform", "environment": "production"},
}

# Prometheus 3.14's top-level and global keys (config/config.go Config, GlobalConfig), in Prometheus' order.
CONFIG_KEYS = ("global", "runtime", "alerting", "rule_files", "scrape_config_files", "scrape_configs", "storage",
               "tracing", "remote_write", "remote_read", "otlp")
BUILT_KEYS = {"global": VAR_GLOBAL, "alerting": "the inventory (every host that runs alertmanager)",
              "rule_files": VAR_RULES, "scrape_configs": "prometheus_scrape_configs_extra"}
GLOBAL_KEYS = (
    "scrape_interval", "scrape_timeout", "scrape_protocols", "evaluation_interval", "rule_query_offset",
    "query_log_file", "scrape_failure_log_file", "external_labels", "body_size_limit", "sample_limit", "target_limit",
    "label_limit", "label_name_length_limit", "label_value_length_limit", "keep_dropped_targets",
    "metric_name_validation_scheme", "metric_name_escaping_scheme", "scrape_native_histograms",
    "convert_classic_histograms_to_nhcb", "always_scrape_classic_histograms", "extra_scrape_metrics",
)
_GLOBAL_DURATIONS = ("scrape_interval", "scrape_timeout", "evaluation_interval")
DEFAULT_SCRAPE_TIMEOUT = "10s"  # Prometheus' default; it is cut to the interval when the interval is shorter

# A rule file path may hold a '*' only in its last element (config/config.go patRulePath).
_RULE_PATH = re.compile(r"^[^*]*(\*[^/]*)?$")


def _merge_global(global_config):
    if global_config is None:
        global_config = {}
    if not isinstance(global_config, Mapping):
        raise bad_input(VAR_GLOBAL, "must be a mapping of Prometheus' global keys, got %s"
                        % type(global_config).__name__, "set it like {'scrape_interval': '30s'}")
    merged = plain(SEED_GLOBAL)
    for key, value in global_config.items():
        if key not in GLOBAL_KEYS:
            raise bad_input("%s[%r]" % (VAR_GLOBAL, key), "is not a key of Prometheus' global block",
                            "check the spelling against Prometheus' configuration reference (this check knows the "
                            "keys of Prometheus 3.14)")
        if value is None:
            merged.pop(key, None)
        elif key == "external_labels" and isinstance(value, Mapping):
            labels = merged.get("external_labels", {})
            for name, label_value in value.items():
                if label_value is None:
                    labels.pop(name, None)
                else:
                    labels[name] = label_value
            merged["external_labels"] = labels
        else:
            merged[key] = plain(value)
    return merged


def _check_global(merged):
    for key in _GLOBAL_DURATIONS:
        if key in merged:
            check_duration(global_var(key), merged[key])
    if "rule_query_offset" in merged:
        check_duration("%s['rule_query_offset']" % VAR_GLOBAL, merged["rule_query_offset"], allow_zero=True)
    interval = merged.get("scrape_interval", "1m")
    if "scrape_timeout" in merged and parse_duration(merged["scrape_timeout"]) > parse_duration(interval):
        raise bad_input("%s['scrape_timeout']" % VAR_GLOBAL, "%r is longer than scrape_interval %r, which Prometheus "
                        "refuses" % (merged["scrape_timeout"], interval), "make scrape_timeout at most scrape_interval")
    if "external_labels" in merged:
        labels = check_labels(global_var("external_labels"), merged["external_labels"])
        for name, value in labels.items():
            if value == "":
                raise bad_input("%s[%r]" % (global_var("external_labels"), name), "is empty",
                                "give it a value, or set it to null to drop the label")
        merged["external_labels"] = labels
    return {key: merged[key] for key in GLOBAL_KEYS if key in merged}


def _check_jobs(scrape_configs, global_block):
    if not isinstance(scrape_configs, (list, tuple)):
        raise bad_input(VAR_JOBS, "must be a list of scrape configs, got %s" % type(scrape_configs).__name__,
                        "pass the result of the prometheus_scrape_configs filter")
    interval = global_block.get("scrape_interval", "1m")
    seen = set()
    jobs = []
    for index, job in enumerate(scrape_configs):
        if not isinstance(job, Mapping) or not isinstance(job.get("job_name"), str):
            raise bad_input("%s[%d]" % (VAR_JOBS, index), "is not a scrape config with a job_name",
                            "pass the result of the prometheus_scrape_configs filter")
        name = job["job_name"]
        where = "%s[%d]" % (VAR_JOBS, index)
        if name in seen:
            raise bad_input("%s['job_name']" % where, "%r is defined twice, which Prometheus refuses" % (name,),
                            "list each job_name once in prometheus_scrape_configs_extra")
        seen.add(name)
        check_job_durations(where, job, interval, global_var("scrape_interval"))
        jobs.append(order_job(plain(job)))
    return jobs


def _check_rule_files(rule_files):
    if rule_files is None:
        return []
    if not isinstance(rule_files, (list, tuple)):
        raise bad_input(VAR_RULES, "must be a list of paths, got %s" % type(rule_files).__name__,
                        "set it like ['/etc/prometheus/rules/*.yml']")
    result = []
    for index, path in enumerate(rule_files):
        if not isinstance(path, str) or not path or not _RULE_PATH.match(path):
            raise bad_input("%s[%d]" % (VAR_RULES, index), "%r is not a rule file path Prometheus accepts" % (path,),
                            "give a path with at most one '*', in its last element, e.g. '/etc/prometheus/rules/*.yml'")
        if path not in result:
            result.append(str(path))
    return result


def _check_extra(extra):
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise bad_input(VAR_EXTRA, "must be a mapping of prometheus.yml keys, got %s" % type(extra).__name__,
                        "set it like {'storage': {'tsdb': {'out_of_order_time_window': '10m'}}}")
    for key in extra:
        if key in BUILT_KEYS:
            raise bad_input("%s[%r]" % (VAR_EXTRA, key), "is built by this collection",
                            "set it through %s instead" % BUILT_KEYS[key])
        if key not in CONFIG_KEYS:
            raise bad_input("%s[%r]" % (VAR_EXTRA, key), "is not a top-level key of prometheus.yml",
                            "use one of %s" % ", ".join(key for key in CONFIG_KEYS if key not in BUILT_KEYS))
    return plain(extra)


def _alertmanagers(alertmanagers, drop_labels):
    """The alerting block: every Alertmanager endpoint, grouped by scheme and path prefix; labels dropped from alerts
    (an HA pair's replica label, so both Prometheus send identical alerts that Alertmanager deduplicates)."""
    if not isinstance(alertmanagers, (list, tuple)):
        raise bad_input(VAR_ALERTMANAGERS, "must be a list of endpoints, got %s" % type(alertmanagers).__name__,
                        "pass the fleet_endpoints filter's result for alertmanager")
    grouped = {}
    for index, ep in enumerate(alertmanagers):
        if not isinstance(ep, Mapping) or not {"scheme", "address", "port"} <= set(ep):
            raise bad_input("%s[%d]" % (VAR_ALERTMANAGERS, index), "%r is not an endpoint" % (ep,),
                            "pass the fleet_endpoints filter's result for alertmanager")
        # TLS and basic auth from the endpoint: the CA certificate and the password from files in Prometheus'
        # configuration directory.
        client = prometheus_client([ep])
        key = (ep["scheme"], ep.get("path") or "", repr(sorted(client.items())))
        target = endpoint_target(ep)
        if target not in grouped.setdefault(key, ([], client))[0]:
            grouped[key][0].append(target)
    entries = []
    for (scheme, path, dummy), (targets, client) in sorted(grouped.items()):
        entry = {"api_version": "v2"}
        if scheme != "http":
            entry["scheme"] = scheme
        if path:
            entry["path_prefix"] = path
        entry.update({name: value for name, value in client.items() if name != "scheme"})
        entry["static_configs"] = [{"targets": sorted(targets)}]
        entries.append(entry)
    if not entries:
        return None
    alerting = {"alertmanagers": entries}
    drop = [check_label_name("%s[%d]" % (VAR_DROP, index), name) for index, name in enumerate(drop_labels or [])]
    if drop:
        # https://prometheus.io/docs/prometheus/latest/configuration/configuration/#alert_relabel_configs
        alerting["alert_relabel_configs"] = [{"action": "labeldrop", "regex": "|".join(drop)}]
    return {key: alerting[key] for key in ("alert_relabel_configs", "alertmanagers") if key in alerting}


def prometheus_config(scrape_configs, global_config, alertmanagers, rule_files, extra=None, drop_alert_labels=None):
    """Return prometheus.yml as a mapping in Prometheus' key order."""
    global_block = _check_global(_merge_global(global_config))
    config = {"global": global_block}
    alerting = _alertmanagers(alertmanagers or [], drop_alert_labels)
    if alerting:
        config["alerting"] = alerting
    rules = _check_rule_files(rule_files)
    if rules:
        config["rule_files"] = rules
    config["scrape_configs"] = _check_jobs(scrape_configs, global_block)
    config.update(_check_extra(extra))
    return {key: config[key] for key in CONFIG_KEYS if key in config}


class FilterModule(object):
    """Filters for Prometheus' configuration file."""

    def filters(self):
        return {"prometheus_config": prometheus_config}

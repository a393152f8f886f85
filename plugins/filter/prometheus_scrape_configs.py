# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: prometheus_scrape_configs
short_description: Build Prometheus' scrape_configs from the inventory
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team
description:
  - Returns the C(scrape_configs) list of C(prometheus.yml) for the Prometheus on O(prometheus_host), with the seed's
    jobs C(backend) (O(backend_targets)), C(postgres) (postgres_exporter), C(redis) (redis_exporter), C(node)
    (node_exporter) and C(docker) (cAdvisor), then the stack's own C(prometheus), C(alertmanager), C(loki),
    C(promtail) and C(grafana) (every host of O(hosts) that runs them), then the jobs O(extra_targets) creates
    (sorted by name; one named like a job above takes that
    place), then O(extra_jobs) in their order. A job without targets is left out.
  - "A host's components are C(observability_components) from its hostvars when set, otherwise what the
    C(host_components) filter derives from its C(group_names) and C(observability_extra_components) (role defaults
    are not visible in other hosts' hostvars)."
  - On O(prometheus_host) itself a component is scraped by container name over the stack network
    (C(proxy-node-exporter:9100)); on other hosts at C(<address>:<published port>), where the address is the host's
    C(observability_scrape_address), else C(ansible_host), else its inventory name, and the published port is the
    container port unless the host's C(<component>_host_port) (for example C(node_exporter_host_port)) or, next, its
    C(observability_published_ports) maps the component to another one.
    Container ports are prometheus 9090, alertmanager 9093, node_exporter 9100, cadvisor 8080, postgres_exporter
    9187, redis_exporter 9121, loki 3100, promtail 9080, grafana 3000.
  - Every target derived from the inventory carries the label C(host) with the inventory hostname, one static
    config per host, hosts sorted by name. Targets you list (O(backend_targets), O(extra_targets)) go into one static
    config without labels. Targets are deduplicated within a job and sorted, so the output is stable (idempotent).
  - "Checks, before any file changes, what Prometheus would refuse or what would silently scrape nothing: duplicate
    job names (job names this filter generates are reserved even where the job is left out for lack of targets),
    job names (letters, digits, C(_), C(.), C(-), starting with a letter or C(_)), targets (C(host:port), port 1 to
    65535; Prometheus 3 would accept a target without a port, this filter does not), durations (C(scrape_interval),
    C(scrape_timeout): Prometheus' syntax such as C(1m30s), longer than zero, timeout not longer than the interval),
    top-level keys of your jobs (Prometheus 3.14's C(scrape_config) keys, including every C(*_sd_configs)), label
    names (C([a-zA-Z_][a-zA-Z0-9_]*) and not starting with C(__), stricter than Prometheus 3's UTF-8 names so that
    every PromQL client can select them), C(metrics_path) (starts with C(/)) and C(fallback_scrape_protocol)."
  - "Your jobs pass through in Prometheus' own schema, with their keys put in Prometheus' order. Prometheus 3 fails a
    scrape whose response has a missing or invalid C(Content-Type) unless the job sets C(fallback_scrape_protocol)
    (for example C(PrometheusText0.0.4)); set it on your jobs in O(extra_jobs). The targets of a job of yours that
    has C(relabel_configs) are not checked for the C(host:port) form (blackbox-style jobs list URLs there)."
positional: _input, prometheus_host, hosts
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  prometheus_host:
    description: The inventory hostname of the host this Prometheus runs on (C(inventory_hostname)).
    type: str
    required: true
  hosts:
    description: The inventory hostnames to scrape (for example C(groups['all'])).
    type: list
    elements: str
    required: true
  prefix:
    description: The stack prefix (C(observability_prefix)); containers are C(<prefix>-<component with - for _>).
    type: str
    default: proxy
  monitoring_group:
    description: The group of monitoring hosts (C(observability_monitoring_group)).
    type: str
    default: monitoring
  agents_group:
    description: The group of agent hosts (C(observability_agents_group)).
    type: str
    default: agents
  backend_targets:
    description: C(host:port) targets of the instrumented backend (C(prometheus_backend_targets)), scraped at
      C(/metrics) in the job C(backend).
    type: list
    elements: str
    default: []
  extra_jobs:
    description: Your scrape configs, in Prometheus' C(scrape_config) schema (C(prometheus_scrape_configs_extra)).
    type: list
    elements: dict
    default: []
  extra_targets:
    description: Job name to a list of C(host:port) targets (C(prometheus_static_targets_extra)), added to the job of
      that name, or to a new static job when there is none.
    type: dict
    default: {}
  scrape_interval:
    description: The global scrape interval (C(prometheus_scrape_interval)). When given, a job of yours that sets
      only C(scrape_timeout) is checked against it. Not written into any job.
    type: str
"""

EXAMPLES = r"""
- name: Build the scrape configs of this Prometheus
  ansible.builtin.set_fact:
    __prometheus_scrape_configs: >-
      {{ hostvars | proxy_agent.observability.prometheus_scrape_configs(
           inventory_hostname, groups['all'], prefix=observability_prefix,
           monitoring_group=observability_monitoring_group, agents_group=observability_agents_group,
           backend_targets=prometheus_backend_targets, extra_jobs=prometheus_scrape_configs_extra,
           extra_targets=prometheus_static_targets_extra,
           scrape_interval=prometheus_scrape_interval) }}

# A job of your own, in Prometheus' schema:
# prometheus_scrape_configs_extra:
#   - job_name: legacy-app
#     scrape_interval: 30s
#     fallback_scrape_protocol: PrometheusText0.0.4
#     static_configs:
#       - targets: ['legacy.example:9000']
#         labels: {team: payments}
# prometheus_static_targets_extra:
#   node: ['nas.example:9100']
"""

RETURN = r"""
_value:
  description: The C(scrape_configs) list of C(prometheus.yml).
  type: list
  elements: dict
"""

import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import check_prefix
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import parse_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import CONTAINER_PORTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import container_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import host_components_of
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import remote_address
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import valid_host

VAR_BACKEND = "prometheus_backend_targets"
VAR_JOBS = "prometheus_scrape_configs_extra"
VAR_TARGETS = "prometheus_static_targets_extra"
VAR_GLOBAL = "prometheus_global_config"
# Keys of the global block that the prometheus role takes from variables of their own: errors name those variables.
GLOBAL_VARS = {"scrape_interval": "prometheus_scrape_interval", "evaluation_interval": "prometheus_evaluation_interval",
               "external_labels": "prometheus_external_labels"}

# Port each scraped component serves its metrics on inside its container.
# The jobs this filter generates, in output order: job name -> component scraped (None: from backend_targets).
GENERATED_JOBS = (
    ("backend", None),
    ("postgres", "postgres_exporter"),
    ("redis", "redis_exporter"),
    ("node", "node_exporter"),
    ("docker", "cadvisor"),
    ("prometheus", "prometheus"),
    ("alertmanager", "alertmanager"),
    ("loki", "loki"),
    ("promtail", "promtail"),
    ("grafana", "grafana"),
)

# Prometheus 3.14's scrape_config keys (config/config.go ScrapeConfig, the inlined HTTPClientConfig and ProxyConfig
# of prometheus/common v0.70, every registered service discovery), in the order they are written out.
_SCRAPE_FIELDS = (
    "job_name", "honor_labels", "honor_timestamps", "track_timestamps_staleness", "params", "scrape_interval",
    "scrape_timeout", "scrape_protocols", "fallback_scrape_protocol", "scrape_native_histograms",
    "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb", "scrape_failure_log_file",
    "metrics_path", "scheme", "enable_compression", "body_size_limit", "sample_limit", "target_limit", "label_limit",
    "label_name_length_limit", "label_value_length_limit", "native_histogram_bucket_limit",
    "native_histogram_min_bucket_factor", "keep_dropped_targets", "metric_name_validation_scheme",
    "metric_name_escaping_scheme", "extra_scrape_metrics",
)
_HTTP_CLIENT_FIELDS = (
    "basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file", "tls_config", "follow_redirects",
    "enable_http2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers",
)
_SERVICE_DISCOVERIES = (
    "aws", "azure", "consul", "digitalocean", "dns", "docker", "dockerswarm", "ec2", "ecs", "elasticache", "eureka",
    "file", "gce", "hetzner", "http", "ionos", "kubernetes", "kuma", "lightsail", "linode", "marathon", "msk",
    "nerve", "nomad", "oci", "openstack", "outscale", "ovhcloud", "puppetdb", "rds", "scaleway", "serverset",
    "stackit", "triton", "uyuni", "vultr",
)
SCRAPE_CONFIG_KEYS = (_SCRAPE_FIELDS + _HTTP_CLIENT_FIELDS + tuple("%s_sd_configs" % sd for sd in _SERVICE_DISCOVERIES)
                      + ("static_configs", "relabel_configs", "metric_relabel_configs"))
_KEY_ORDER = {key: index for index, key in enumerate(SCRAPE_CONFIG_KEYS)}

SCRAPE_PROTOCOLS = ("PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0", "OpenMetricsText0.0.1",
                    "OpenMetricsText1.0.0")

_JOB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# Prometheus' duration syntax (prometheus/common model.ParseDuration): units largest first, each at most once.
_TARGET = re.compile(r"^(\[[^\]]+\]|[^:\[\]]+):([0-9]{1,5})$")

TARGET_FIX = ("write it as host:port, e.g. 'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 to 65535); "
              "for URLs (blackbox probes) use a job of your own with relabel_configs in %s" % VAR_JOBS)
DURATION_FIX = "write a number with a unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"


def global_var(key):
    """The variable that error messages name for a key of Prometheus' global block."""
    return GLOBAL_VARS.get(key, "%s[%r]" % (VAR_GLOBAL, key))


def check_duration(variable, value, allow_zero=False):
    """Raise unless value is a Prometheus duration (longer than zero unless allow_zero); return milliseconds."""
    millis = parse_duration(value)
    if millis is None:
        raise bad_input(variable, "%r is not a Prometheus duration" % (value,), DURATION_FIX)
    if millis == 0 and not allow_zero:
        raise bad_input(variable, "%r must be longer than zero" % (value,),
                        "give a duration such as '15s', or leave the key out to use the default")
    return millis


def check_target(variable, target):
    """Raise unless target is host:port with a port from 1 to 65535; return it as a plain str."""
    match = _TARGET.match(target) if isinstance(target, str) else None
    if not match or not valid_host(match.group(1)) or not 1 <= int(match.group(2)) <= 65535:
        raise bad_input(variable, "%r is not a host:port target" % (target,), TARGET_FIX)
    return str(target)


def check_targets(variable, targets):
    """Raise unless targets is a list of host:port targets; return them sorted and deduplicated."""
    if not isinstance(targets, (list, tuple)):
        raise bad_input(variable, "must be a list of host:port targets, got %s" % type(targets).__name__,
                        "set it like ['app1.example.com:8000']")
    return sorted({check_target("%s[%d]" % (variable, index), target) for index, target in enumerate(targets)})


def check_label_name(variable, name):
    """Raise unless name is a label name every PromQL client can select and not reserved (__*)."""
    if not isinstance(name, str) or not _LABEL_NAME.match(name):
        raise bad_input(variable, "%r is not a label name" % (name,),
                        "use letters, digits and '_', not starting with a digit, e.g. 'team'")
    if name.startswith("__"):
        raise bad_input(variable, "%r starts with '__', which Prometheus reserves for internal labels" % (name,),
                        "drop the leading underscores, e.g. %r" % (name.strip("_") or "label",))
    return str(name)


def check_labels(variable, labels):
    """Raise unless labels maps label names to string values; return a plain dict sorted by name."""
    if not isinstance(labels, Mapping):
        raise bad_input(variable, "must be a mapping of label names to values, got %s" % type(labels).__name__,
                        "set it like {'team': 'payments'}")
    result = {}
    for name in sorted(labels, key=str):
        check_label_name("%s[%r]" % (variable, name), name)
        value = labels[name]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise bad_input("%s[%r]" % (variable, name), "must be a string, got %s %r" % (type(value).__name__, value),
                            "quote the value, e.g. 'true' or '1'")
        result[str(name)] = str(value)
    return result


def order_job(job):
    """The job with job_name first and the other keys in Prometheus' order."""
    return {key: job[key] for key in sorted(job, key=lambda key: _KEY_ORDER.get(key, len(_KEY_ORDER)))}


def _check_static_configs(variable, static_configs, check_target_form):
    if not isinstance(static_configs, (list, tuple)):
        raise bad_input(variable, "must be a list of {targets, labels}, got %s" % type(static_configs).__name__,
                        "set it like [{'targets': ['app1:9100'], 'labels': {'team': 'payments'}}]")
    result = []
    for index, static in enumerate(static_configs):
        where = "%s[%d]" % (variable, index)
        if not isinstance(static, Mapping) or not set(static) <= {"targets", "labels"}:
            raise bad_input(where, "%r is not a static config" % (static,),
                            "give only the keys 'targets' and 'labels', e.g. {'targets': ['app1:9100']}")
        targets = static.get("targets") or []
        if check_target_form:
            targets = check_targets("%s['targets']" % where, targets)
        elif not isinstance(targets, (list, tuple)):
            raise bad_input("%s['targets']" % where, "must be a list, got %s" % type(targets).__name__,
                            "set it like ['app1:9100']")
        entry = {"targets": plain(targets)}
        if static.get("labels"):
            entry["labels"] = check_labels("%s['labels']" % where, static["labels"])
        result.append(entry)
    return result


def check_job_durations(variable, job, global_interval=None, global_name=None):
    """Raise unless the job's scrape_interval/scrape_timeout are durations and the timeout fits the interval."""
    interval = timeout = None
    if "scrape_interval" in job:
        interval = check_duration("%s['scrape_interval']" % variable, job["scrape_interval"])
    if "scrape_timeout" in job:
        timeout = check_duration("%s['scrape_timeout']" % variable, job["scrape_timeout"])
    if timeout is None:
        return
    if interval is not None:
        if timeout > interval:
            raise bad_input("%s['scrape_timeout']" % variable,
                            "%r is longer than the scrape_interval %r of job %r, which Prometheus refuses"
                            % (job["scrape_timeout"], job["scrape_interval"], job.get("job_name")),
                            "make scrape_timeout at most scrape_interval")
    elif global_interval is not None and timeout > parse_duration(global_interval):
        raise bad_input("%s['scrape_timeout']" % variable,
                        "%r is longer than the global scrape_interval %r that job %r inherits, which Prometheus "
                        "refuses" % (job["scrape_timeout"], global_interval, job.get("job_name")),
                        "set scrape_interval on the job, shorten scrape_timeout, or raise %s" % global_name)


def check_user_job(variable, job, global_interval=None):
    """Check one scrape config of the user's against Prometheus' schema; return a plain, ordered copy."""
    if not isinstance(job, Mapping):
        raise bad_input(variable, "must be a scrape config (a mapping), got %s" % type(job).__name__,
                        "give a mapping like {'job_name': 'app', 'static_configs': [{'targets': ['app1:8000']}]}")
    for key in job:
        if key not in _KEY_ORDER:
            raise bad_input("%s[%r]" % (variable, key), "is not a scrape_config key Prometheus knows",
                            "check the spelling against Prometheus' scrape_config reference (this check knows the "
                            "keys of Prometheus 3.14)")
    if "job_name" not in job:
        raise bad_input(variable, "has no job_name", "name the job, e.g. job_name: 'app'")
    name = job["job_name"]
    if not isinstance(name, str) or not _JOB_NAME.match(name):
        raise bad_input("%s['job_name']" % variable, "%r is not a usable job name" % (name,),
                        "use letters, digits, '_', '.' or '-', starting with a letter or '_', e.g. 'blackbox-http'")
    check_job_durations(variable, job, global_interval, global_var("scrape_interval"))
    path = job.get("metrics_path")
    if path is not None and (not isinstance(path, str) or not path.startswith("/")):
        raise bad_input("%s['metrics_path']" % variable, "%r does not start with '/'" % (path,),
                        "write the path from the root, e.g. '/metrics'")
    fallback = job.get("fallback_scrape_protocol")
    if fallback is not None and fallback not in SCRAPE_PROTOCOLS:
        raise bad_input("%s['fallback_scrape_protocol']" % variable, "%r is not a scrape protocol" % (fallback,),
                        "use one of %s" % ", ".join(SCRAPE_PROTOCOLS))
    result = plain(job)
    if "static_configs" in job:
        result["static_configs"] = _check_static_configs("%s['static_configs']" % variable, job["static_configs"],
                                                         check_target_form=not job.get("relabel_configs"))
    return order_job(result)


def prometheus_scrape_configs(hostvars, prometheus_host, hosts, prefix="proxy", monitoring_group="monitoring",
                              agents_group="agents", backend_targets=None, extra_jobs=None, extra_targets=None,
                              scrape_interval=None):
    """Return the scrape_configs of the Prometheus on prometheus_host."""
    check_prefix(prefix)
    if scrape_interval is not None:
        check_duration(global_var("scrape_interval"), scrape_interval)

    # component -> {host: target}
    found = {component: {} for dummy, component in GENERATED_JOBS if component}
    for host in sorted(set(hosts)):
        if host not in hostvars:
            raise bad_input("hosts", "%r is not an inventory host" % (host,), "pass inventory hostnames, e.g. "
                            "groups['all']")
        vars_ = hostvars[host]
        for component in host_components_of(vars_, monitoring_group, agents_group):
            if component not in found:
                continue
            if host == prometheus_host:
                found[component][host] = "%s:%d" % (container_name(prefix, component), CONTAINER_PORTS[component])
            else:
                found[component][host] = remote_address(host, vars_, component)

    jobs = []
    for name, component in GENERATED_JOBS:
        if component is None:
            targets = check_targets(VAR_BACKEND, backend_targets or [])
            if targets:
                jobs.append({"job_name": name, "metrics_path": "/metrics", "static_configs": [{"targets": targets}]})
        elif found[component]:
            jobs.append({"job_name": name, "static_configs": [{"targets": [target], "labels": {"host": str(host)}}
                                                              for host, target in sorted(found[component].items())]})

    reserved = {name for name, dummy in GENERATED_JOBS}
    by_name = {job["job_name"]: job for job in jobs}
    if extra_targets is None:
        extra_targets = {}
    if not isinstance(extra_targets, Mapping):
        raise bad_input(VAR_TARGETS, "must map job names to lists of targets, got %s" % type(extra_targets).__name__,
                        "set it like {'node': ['nas.example.com:9100']}")
    extra_checked = {}
    for name in sorted(extra_targets, key=str):
        where = "%s[%r]" % (VAR_TARGETS, name)
        if not isinstance(name, str) or not _JOB_NAME.match(name):
            raise bad_input(where, "%r is not a usable job name" % (name,),
                            "use letters, digits, '_', '.' or '-', starting with a letter or '_', e.g. 'nas'")
        extra_checked[str(name)] = check_targets(where, extra_targets[name])  # merged once the user's jobs are known

    if extra_jobs is None:
        extra_jobs = []
    if not isinstance(extra_jobs, (list, tuple)):
        raise bad_input(VAR_JOBS, "must be a list of scrape configs, got %s" % type(extra_jobs).__name__,
                        "set it like [{'job_name': 'app', 'static_configs': [{'targets': ['app1:8000']}]}]")
    user_jobs = []
    for index, job in enumerate(extra_jobs):
        where = "%s[%d]" % (VAR_JOBS, index)
        job = check_user_job(where, job, scrape_interval)
        name = job["job_name"]
        if name in reserved:
            raise bad_input("%s['job_name']" % where, "%r is a job this collection generates from the inventory"
                            % (name,), "give your job another job_name, or add targets to %r with %s"
                            % (name, VAR_TARGETS))
        if name in by_name:
            raise bad_input("%s['job_name']" % where, "%r is defined twice, which Prometheus refuses" % (name,),
                            "list each job_name once")
        by_name[name] = job
        user_jobs.append(job)

    created = {}
    for name, targets in sorted(extra_checked.items()):
        job = by_name.get(name)
        if job is None:
            job = created[name] = {"job_name": str(name)}
        present = {target for static in job.get("static_configs", []) for target in static.get("targets", [])}
        targets = [target for target in targets if target not in present]
        if targets:
            job.setdefault("static_configs", []).append({"targets": targets})
    static_jobs = dict((job["job_name"], job) for job in jobs)
    static_jobs.update((name, job) for name, job in created.items() if job.get("static_configs"))
    # The seed's jobs in the seed's order (also when only extra targets create one), then the others by name.
    names = [name for name, dummy in GENERATED_JOBS if name in static_jobs]
    names += sorted(name for name in static_jobs if name not in reserved)
    return [order_job(static_jobs[name]) for name in names] + [order_job(job) for job in user_jobs]


class FilterModule(object):
    """Filters for Prometheus' scrape configuration."""

    def filters(self):
        return {"prometheus_scrape_configs": prometheus_scrape_configs}

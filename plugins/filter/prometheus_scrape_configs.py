# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: prometheus_scrape_configs
short_description: Build Prometheus' scrape jobs and their file_sd target files from the fleet
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team
description:
  - "Returns C({scrape_configs: [...], files: {'targets/<job>.json': [...]}}) for the Prometheus on O(prometheus_host):
    the C(scrape_configs) list of C(prometheus.yml) and the content of one C(file_sd) target file per generated job,
    which the prometheus role writes beside C(prometheus.yml). Prometheus watches those files, so adding or removing
    a host changes only its job's file and needs no reload and no restart."
  - "Jobs, in order: one job per component of the catalogue that has metrics, in catalogue order (C(node),
    C(docker) for cAdvisor, C(postgres), C(redis), C(loki), C(jaeger), C(promtail), C(alertmanager), C(prometheus),
    C(grafana), C(backend) for the sample backend), with every instance the fleet has (O(_input), the
    C(observability_fleet) filter's result); the job C(backend) also scrapes O(backend_targets); then the jobs
    O(extra_targets) creates (sorted by name; one named like a job above adds its targets to that job's file); then
    O(extra_jobs) in their order. A job without targets is left out."
  - "Targets come from the fleet's endpoints: on O(prometheus_host) itself a component is scraped by container name
    over the stack network (C(proxy-node-exporter:9100)); on another host at its address and published port
    (C(10.0.0.5:9100)). Every target derived from the fleet carries the labels C(host) (the inventory hostname) and
    C(instance) (C(<inventory hostname>:<published port>)), the same on every Prometheus of an HA pair, so their
    alerts are identical and Alertmanager deduplicates them. Targets you list go into one group without labels.
    Targets are deduplicated within a job and sorted, so the output is stable (idempotent)."
  - "Where the stack's components serve TLS or basic auth (C(observability_web_tls),
    C(observability_web_auth_password)), their jobs get C(scheme: https), C(tls_config.ca_file) and
    C(basic_auth.password_file), both files in the directory above O(targets_dir) (the prometheus role writes them
    there); the password is never written into the job. Targets that O(extra_targets) adds to such a job are scraped
    the same way; give other targets a job of their own."
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
  - "Credentials inline in a job of yours never reach C(prometheus.yml): C(basic_auth.password),
    C(authorization.credentials), C(bearer_token), C(oauth2.client_secret) and C(tls_config.key) are moved to files
    under O(secrets_dir) (named C(scrape_<job_name>_basic_auth_password), C(..._authorization_credentials),
    C(..._bearer_token), C(..._oauth2_client_secret), C(..._tls_key)) and the job names them with the C(*_file) key
    Prometheus reads (prometheus/common's HTTP client configuration; Prometheus trims the file's content). A secret
    is a non-empty string without whitespace around it and not an unexpanded C(${VARIABLE}); a job that sets both
    forms is refused. Credentials inside service discovery configurations are passed through unchanged."
positional: _input, prometheus_host
options:
  prometheus_host:
    description: The inventory hostname of the host this Prometheus runs on (C(inventory_hostname)).
    type: str
    required: true
  targets_dir:
    description: Where the target files are inside the Prometheus container.
    type: str
    default: /etc/prometheus/targets
  backend_targets:
    description: C(host:port) targets of your own instrumented backends (C(prometheus_backend_targets)), scraped at
      C(/metrics) in the job C(backend), beside the sample backends the fleet deploys.
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
      that name, or to a new job when there is none.
    type: dict
    default: {}
  secrets_dir:
    description: The absolute path, as Prometheus sees it, of the directory the secret files of O(extra_jobs) are
      written to.
    type: str
    default: /etc/prometheus/secrets
  scrape_interval:
    description: The global scrape interval (C(prometheus_scrape_interval)). When given, a job of yours that sets
      only C(scrape_timeout) is checked against it. Not written into any job.
    type: str
extends_documentation_fragment:
  - proxy_agent.observability.fleet
"""

EXAMPLES = r"""
- name: Build the scrape jobs of this Prometheus
  ansible.builtin.set_fact:
    __prometheus_scrape: >-
      {{ _observability_fleet | proxy_agent.observability.prometheus_scrape_configs(
           inventory_hostname, backend_targets=prometheus_backend_targets,
           extra_jobs=prometheus_scrape_configs_extra, extra_targets=prometheus_static_targets_extra,
           scrape_interval=prometheus_scrape_interval) }}

# __prometheus_scrape.scrape_configs:
#   - {job_name: node, file_sd_configs: [{files: [/etc/prometheus/targets/node.json]}]}
# __prometheus_scrape.files['targets/node.json']:
#   - {targets: ['proxy-node-exporter:9100'], labels: {host: mon1, instance: 'mon1:9100'}}
#   - {targets: ['10.0.0.5:9100'], labels: {host: app1, instance: 'app1:9100'}}

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
  description: The scrape jobs and the target files.
  type: dict
  contains:
    scrape_configs:
      description: The C(scrape_configs) list of C(prometheus.yml).
      type: list
      elements: dict
    files:
      description: Target file path relative to the configuration directory (C(targets/<job>.json)) to its content,
        a list of target groups (C({targets, labels})); write it as JSON.
      type: dict
    secret_files:
      description: Secret file name (under O(secrets_dir)) to the variable path its value comes from.
      type: dict
      sample: {"scrape_app_basic_auth_password": "prometheus_scrape_configs_extra[0].basic_auth.password"}
    secrets:
      description: Secret file name to the secret value. Write these with C(no_log) and C(diff=false).
      type: dict
"""

import os

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import metrics_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoint_target
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoints
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import instance_label
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import JOB_NAME
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import KEY_ORDER
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import SCRAPE_PROTOCOLS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_job_durations
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_static_configs
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_targets
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import global_var
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import order_job
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import SecretFiles
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import move_http_secrets
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import prometheus_client

VAR_BACKEND = "prometheus_backend_targets"
VAR_JOBS = "prometheus_scrape_configs_extra"
VAR_TARGETS = "prometheus_static_targets_extra"
DEFAULT_METRICS_PATH = "/metrics"

# The jobs this filter generates, in output order: job name -> component scraped. The job "backend" scrapes the
# sample backends the fleet deploys and the user's own backends (backend_targets).
GENERATED_JOBS = tuple(metrics_components())
BACKEND_JOB = "backend"


def check_user_job(variable, job, global_interval=None):
    """Check one scrape config of the user's against Prometheus' schema; return a plain, ordered copy."""
    if not isinstance(job, Mapping):
        raise bad_input(variable, "must be a scrape config (a mapping), got %s" % type(job).__name__,
                        "give a mapping like {'job_name': 'app', 'static_configs': [{'targets': ['app1:8000']}]}")
    for key in job:
        if key not in KEY_ORDER:
            raise bad_input("%s[%r]" % (variable, key), "is not a scrape_config key Prometheus knows",
                            "check the spelling against Prometheus' scrape_config reference (this check knows the "
                            "keys of Prometheus 3.14)")
    if "job_name" not in job:
        raise bad_input(variable, "has no job_name", "name the job, e.g. job_name: 'app'")
    name = job["job_name"]
    if not isinstance(name, str) or not JOB_NAME.match(name):
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
        result["static_configs"] = check_static_configs("%s['static_configs']" % variable, job["static_configs"],
                                                        check_target_form=not job.get("relabel_configs"))
    return order_job(result)


def _generated_groups(fleet, prometheus_host, component):
    """Target groups of one component's job: one per instance, labelled host and instance."""
    metrics = COMPONENTS[component]["metrics"]
    groups = []
    for ep in endpoints(fleet, component, prometheus_host, port=metrics["port"]):
        groups.append({"targets": [endpoint_target(ep)],
                       "labels": {"host": str(ep["host"]),
                                  "instance": instance_label(fleet, ep["host"], component, metrics["port"])}})
    return sorted(groups, key=lambda group: group["labels"]["host"])


def _job(name, targets_dir, component=None, fleet=None, prometheus_host=None):
    job = {"job_name": name}
    if component is not None:
        metrics = COMPONENTS[component]["metrics"]
        if metrics["path"] != DEFAULT_METRICS_PATH:
            job["metrics_path"] = metrics["path"]
        scheme = COMPONENTS[component]["ports"][metrics["port"]]["scheme"]
        if scheme != "http":
            job["scheme"] = scheme
        # TLS and basic auth of the stack's components, from their endpoints.
        eps = endpoints(fleet, component, prometheus_host, port=metrics["port"])
        job.update(prometheus_client(eps, os.path.dirname(targets_dir.rstrip("/"))))
    job["file_sd_configs"] = [{"files": ["%s/%s.json" % (targets_dir.rstrip("/"), name)]}]
    return job


def prometheus_scrape_configs(fleet, prometheus_host, targets_dir="/etc/prometheus/targets", backend_targets=None,
                              extra_jobs=None, extra_targets=None, scrape_interval=None,
                              secrets_dir="/etc/prometheus/secrets"):
    """Return {scrape_configs, files, secret_files, secrets} of the Prometheus on prometheus_host."""
    if not isinstance(fleet, Mapping) or "hosts" not in fleet:
        raise bad_input("_observability_fleet", "is not the stack's fleet",
                        "pass the result of the observability_fleet filter")
    if scrape_interval is not None:
        check_duration(global_var("scrape_interval"), scrape_interval)

    groups = {}  # job name -> target groups
    for name, component in GENERATED_JOBS:
        groups[name] = _generated_groups(fleet, prometheus_host, component)
    own = check_targets(VAR_BACKEND, backend_targets or [])
    present = {target for group in groups[BACKEND_JOB] for target in group["targets"]}
    own = [target for target in own if target not in present]
    if own:
        groups[BACKEND_JOB].append({"targets": own})

    reserved = {name for name, dummy in GENERATED_JOBS}
    if extra_targets is None:
        extra_targets = {}
    if not isinstance(extra_targets, Mapping):
        raise bad_input(VAR_TARGETS, "must map job names to lists of targets, got %s" % type(extra_targets).__name__,
                        "set it like {'node': ['nas.example.com:9100']}")
    extra_checked = {}
    for name in sorted(extra_targets, key=str):
        where = "%s[%r]" % (VAR_TARGETS, name)
        if not isinstance(name, str) or not JOB_NAME.match(name):
            raise bad_input(where, "%r is not a usable job name" % (name,),
                            "use letters, digits, '_', '.' or '-', starting with a letter or '_', e.g. 'nas'")
        extra_checked[str(name)] = check_targets(where, extra_targets[name])

    if extra_jobs is None:
        extra_jobs = []
    if not isinstance(extra_jobs, (list, tuple)):
        raise bad_input(VAR_JOBS, "must be a list of scrape configs, got %s" % type(extra_jobs).__name__,
                        "set it like [{'job_name': 'app', 'static_configs': [{'targets': ['app1:8000']}]}]")
    if not isinstance(secrets_dir, str) or not secrets_dir.startswith("/"):
        raise bad_input("secrets_dir", "%r is not an absolute path" % (secrets_dir,),
                        "give the directory as Prometheus sees it, e.g. /etc/prometheus/secrets")
    secrets = SecretFiles(secrets_dir, owners="jobs")
    user_jobs, user_names = [], {}
    for index, job in enumerate(extra_jobs):
        where = "%s[%d]" % (VAR_JOBS, index)
        job = check_user_job(where, job, scrape_interval)
        job = move_http_secrets(job, where, "scrape_%s_" % job["job_name"], secrets, "Prometheus")
        name = job["job_name"]
        if name in reserved:
            raise bad_input("%s['job_name']" % where, "%r is a job this collection generates from the inventory"
                            % (name,), "give your job another job_name, or add targets to %r with %s"
                            % (name, VAR_TARGETS))
        if name in user_names:
            raise bad_input("%s['job_name']" % where, "%r is defined twice, which Prometheus refuses" % (name,),
                            "list each job_name once")
        user_names[name] = job
        user_jobs.append(job)

    for name, targets in sorted(extra_checked.items()):
        job = user_names.get(name)
        if job is not None:
            # Targets for a job of your own go into its static_configs.
            present = {target for static in job.get("static_configs", []) for target in static.get("targets", [])}
            targets = [target for target in targets if target not in present]
            if targets:
                job.setdefault("static_configs", []).append({"targets": targets})
            continue
        present = {target for group in groups.get(name, []) for target in group["targets"]}
        targets = [target for target in targets if target not in present]
        if targets:
            groups.setdefault(name, []).append({"targets": targets})

    # The generated jobs in catalogue order, then the jobs extra targets create, by name.
    names = [name for name, dummy in GENERATED_JOBS if groups.get(name)]
    names += sorted(name for name in groups if name not in reserved and groups[name])
    components = dict(GENERATED_JOBS)
    scrape_configs = [_job(name, targets_dir, components.get(name), fleet, prometheus_host) for name in names]
    files = {"targets/%s.json" % name: plain(groups[name]) for name in names}
    return {"scrape_configs": [order_job(job) for job in scrape_configs] + [order_job(job) for job in user_jobs],
            "files": files, "secret_files": secrets.sources, "secrets": secrets.values}


class FilterModule(object):
    """Filters for Prometheus' scrape configuration."""

    def filters(self):
        return {"prometheus_scrape_configs": prometheus_scrape_configs}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: promtail_config
short_description: Build Promtail's configuration that ships this host's container logs to Loki
version_added: 0.2.0
author:
  - Proxy Agent Platform DevOps Team
description:
  - Returns the content of Promtail's C(config.yml) as a plain dictionary. Dump it with C(to_nice_yaml).
  - "One scrape job C(docker) finds the host's containers through the Docker socket (C(docker_sd_configs), host
    C(unix:///var/run/docker.sock)) and reads their logs through the Docker API, so containers must use the
    C(json-file) or C(journald) logging driver. Each stream gets these labels, all of few values: C(container_name)
    (the container's name without Docker's leading C(/), so a container C(proxy-backend) is selected by
    C({container_name=\"proxy-backend\"}) as in the seed's LogQL examples), C(service) (the Compose service, when
    the container has the C(com.docker.compose.service) label), C(stream) (C(stdout) or C(stderr)) and C(host)
    (O(_input.host)). The container ID is not a label: it changes whenever a container is recreated."
  - "The pipeline reads JSON log lines such as the backend's structlog output
    (C({\"event\": ..., \"level\": \"info\", \"logger\": ..., \"timestamp\": \"2026-11-25T10:00:00.123456Z\",
    \"request_id\": ...})): a C(json) stage extracts C(timestamp) and the fields of O(_input.labels), a C(labels)
    stage makes those fields labels, and a C(timestamp) stage takes the entry's time from C(timestamp)
    (C(RFC3339Nano), which also reads structlog's C(TimeStamper(fmt=\"iso\")) UTC form). The log line itself is
    not changed, so C(request_id), C(user_id), C(duration), C(status) and the other fields stay in it and are parsed
    at query time (C({container_name=\"proxy-backend\"} | json | status >= 500))."
  - "Lines that are not JSON (other containers, tracebacks) pass through unchanged: the C(json) stage runs with
    C(drop_malformed: false) and extracts nothing from them, no label is added, and the C(timestamp) stage keeps
    the time Docker recorded (C(action_on_failure: skip); the default C(fudge) would move such a line next to the
    previous JSON line's time)."
  - "Checks, each failing with the variable to fix: O(_input.push_url) is an C(http://) or C(https://) URL ending in
    C(/loki/api/v1/push); O(_input.labels) are label names (C([a-zA-Z_][a-zA-Z0-9_]*), not starting with C(__)),
    none of the high-cardinality fields listed in C(HIGH_CARDINALITY) (a value per request or per user makes a new
    stream each time, which Loki's label best practices forbid) and none of the labels set from Docker; a stream
    gets at most 15 labels (Loki 3's C(max_label_names_per_series)); job names in O(_input.extra_scrape_configs) are
    unique and C(docker) is reserved; O(_input.refresh_interval) is a Prometheus duration."
  - Promtail reached end of life on 2026-03-02 (last release 3.6.11); this configuration is in the schema of
    Promtail 2.9 to 3.6.
positional: _input
options:
  _input:
    description: The settings, from the promtail role's variables (named in error messages as given below).
    type: dict
    required: true
    suboptions:
      push_url:
        description: Loki's push endpoint (C(promtail_loki_url)), for example
          C(http://proxy-loki:3100/loki/api/v1/push). Required.
        type: str
      host:
        description: Value of the C(host) label, the inventory hostname (C(inventory_hostname)). Required.
        type: str
      http_port:
        description: Port of Promtail's HTTP server (C(/ready), C(/metrics)) in its container (the catalogue's; not a
          role variable, named C(http_port) in errors).
        type: int
        default: 9080
      labels:
        description: JSON fields of the log lines that become labels (C(promtail_json_labels)). Keep to fields with a
          handful of values.
        type: list
        elements: str
        default: [level, logger]
      containers_filter:
        description:
          - Ship the logs of some containers only (C(promtail_containers_filter)); by default every container's.
          - C(name_prefix) keeps containers whose name starts with it (a C(keep) relabel rule on the container name).
          - C(label) keeps containers with that Docker label, C(key) or C(key=value) (a Docker API filter in
            C(docker_sd_configs)).
        type: dict
        suboptions:
          name_prefix:
            description: Container name prefix, for example C(proxy-).
            type: str
          label:
            description: Docker label, for example C(com.docker.compose.project=proxy).
            type: str
      refresh_interval:
        description: How often the container list is refreshed (C(promtail_docker_refresh_interval)).
        type: str
        default: 5s
      extra_scrape_configs:
        description: Your scrape configs, in Promtail's schema, appended after the C(docker) job
          (C(promtail_scrape_configs_extra)).
        type: list
        elements: dict
        default: []
"""

EXAMPLES = r"""
- name: Build Promtail's configuration
  ansible.builtin.set_fact:
    __promtail_config: >-
      {{ {'push_url': promtail_loki_url, 'host': inventory_hostname, 'labels': promtail_json_labels,
          'containers_filter': promtail_containers_filter,
          'extra_scrape_configs': promtail_scrape_configs_extra}
         | proxy_agent.observability.promtail_config }}

# Only the stack's containers, and the HTTP method as a further label:
# promtail_containers_filter: {name_prefix: proxy-}
# promtail_json_labels: [level, logger, method]
"""

RETURN = r"""
_value:
  description: The content of Promtail's C(config.yml).
  type: dict
"""

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import check_port
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import filter_settings
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import kind as _kind
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import parse_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

# --- Documents this filter follows (Promtail's pages were removed from Loki's documentation in 3.7) --------------
DOC_CONFIGURATION = "https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/"
DOC_STAGES = "https://grafana.com/docs/loki/v3.6.x/send-data/promtail/stages/"
DOC_LABELS = "https://grafana.com/docs/loki/v3.7.x/get-started/labels/bp-labels/"
DOC_DOCKER_FILTERS = "https://docs.docker.com/engine/api/v1.41/#operation/ContainerList"

VAR_URL = "promtail_loki_url"
VAR_HOST = "inventory_hostname"
VAR_LABELS = "promtail_json_labels"
VAR_FILTER = "promtail_containers_filter"
VAR_EXTRA = "promtail_scrape_configs_extra"

# setting -> (variable named in errors, default); http_port, which the role does not set, is named by its key.
SETTINGS = {
    "push_url": (VAR_URL, None),
    "host": (VAR_HOST, None),
    "http_port": ("http_port", COMPONENTS["promtail"]["ports"]["http"]["container"]),
    "labels": (VAR_LABELS, ("level", "logger")),
    "containers_filter": (VAR_FILTER, None),
    "refresh_interval": ("promtail_docker_refresh_interval", "5s"),
    "extra_scrape_configs": (VAR_EXTRA, ()),
}

JOB_NAME = "docker"
DOCKER_HOST = "unix:///var/run/docker.sock"
POSITIONS_FILE = "/var/lib/promtail/positions.yaml"
PUSH_PATH = "/loki/api/v1/push"
URL_EXAMPLE = "http://proxy-loki:3100/loki/api/v1/push"
# The labels the relabel rules set from Docker's metadata; a JSON field of the same name would overwrite them.
DOCKER_LABELS = ("container_name", "service", "stream", "host")
# Loki 3 rejects streams with more labels (validation.max-label-names-per-series, 15 since 3.0:
# https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#changes-to-default-configuration-values-in-30).
MAX_LABELS = 15
# Fields that have a value per request, user, trace or moment, or carry free text: as labels every value would start a
# new stream (https://grafana.com/docs/loki/v3.7.x/get-started/labels/bp-labels/, "Label values must always be
# bounded"). request_id, user_id, duration and status stay in the line and are parsed at query time (| json).
# status has a few dozen values, but combined with the other labels it multiplies the streams of every container for
# a field that queries compare numerically (status >= 500), which a parsed field does as well.
HIGH_CARDINALITY = (
    "request_id", "correlation_id", "trace_id", "span_id", "user_id", "session_id", "task_id", "id",
    "duration", "duration_ms", "elapsed", "latency", "status", "status_code", "path", "url", "endpoint", "query",
    "ip", "client_ip", "remote_addr", "host_ip", "timestamp", "time", "ts", "event", "message", "msg", "error",
    "exception", "exc_info", "stack", "stack_info",
)

_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_JOB_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_CONTAINER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
_DOCKER_LABEL = re.compile(r"^[A-Za-z0-9_.-]+(?:=.*)?$")


def check_push_url(url):
    """Raise naming promtail_loki_url unless url is an http(s) URL of Loki's push API."""
    if not isinstance(url, str) or not url:
        raise bad_input(VAR_URL, "is not set" if url is None else "must be a URL, got %s" % _kind(url),
                        "give the URL of Loki's push API, e.g. %r" % URL_EXAMPLE)
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise bad_input(VAR_URL, "%r is not an http:// or https:// URL" % (url,),
                        "give the URL of Loki's push API, e.g. %r" % URL_EXAMPLE)
    if not parts.path.endswith(PUSH_PATH) or parts.fragment:
        raise bad_input(VAR_URL, "%r is not Loki's push endpoint, whose path ends in %s" % (url, PUSH_PATH),
                        "append %s to Loki's address, e.g. %r" % (PUSH_PATH, URL_EXAMPLE))
    return str(url)


def check_labels(labels):
    """Raise naming promtail_json_labels unless labels are low-cardinality label names; return them as a list."""
    if not isinstance(labels, (list, tuple)):
        raise bad_input(VAR_LABELS, "must be a list of JSON field names, got %s" % _kind(labels),
                        "set it like ['level', 'logger']")
    seen = set()
    for index, name in enumerate(labels):
        where = "%s[%d]" % (VAR_LABELS, index)
        if not isinstance(name, str) or not _LABEL_NAME.match(name):
            raise bad_input(where, "%r is not a label name" % (name,),
                            "use a top-level JSON field whose name is letters, digits and '_', not starting with a "
                            "digit, e.g. 'level'")
        if name.startswith("__"):
            raise bad_input(where, "%r starts with '__', which is reserved for internal labels" % (name,),
                            "use a field name without the leading underscores")
        if name.lower() in HIGH_CARDINALITY:
            raise bad_input(where, "%r has a new value for every request, user or moment (high cardinality): as a "
                            "label each value starts another Loki stream, which bloats the index and slows every "
                            "query (%s)" % (name, DOC_LABELS),
                            "leave it out: it stays in the log line and is parsed at query time, e.g. "
                            "{container_name=\"proxy-backend\"} | json | %s=\"...\"" % name)
        if name in DOCKER_LABELS:
            raise bad_input(where, "%r is a label this configuration sets from Docker; a JSON field of that name "
                            "would overwrite it" % (name,), "leave it out")
        if name in seen:
            raise bad_input(where, "%r is listed twice" % (name,), "list each field once")
        seen.add(name)
    if len(DOCKER_LABELS) + len(labels) > MAX_LABELS:
        raise bad_input(VAR_LABELS, "%d fields plus the %d labels from Docker (%s) exceed the %d labels per stream "
                        "that Loki 3 accepts" % (len(labels), len(DOCKER_LABELS), ", ".join(DOCKER_LABELS),
                                                 MAX_LABELS),
                        "keep at most %d fields" % (MAX_LABELS - len(DOCKER_LABELS)))
    return [str(name) for name in labels]


def _containers_filter(value):
    """(docker_sd filters, relabel rules) for promtail_containers_filter."""
    if value is None:
        return [], []
    if not isinstance(value, Mapping) or not value or set(value) - {"name_prefix", "label"}:
        raise bad_input(VAR_FILTER, "%r is not a containers filter" % (value,),
                        "set name_prefix, label or both, e.g. {'name_prefix': 'proxy-'}, or leave it unset to ship "
                        "every container's logs")
    filters, rules = [], []
    if "label" in value:
        label = value["label"]
        if not isinstance(label, str) or not _DOCKER_LABEL.match(label):
            raise bad_input("%s.label" % VAR_FILTER, "%r is not a Docker label filter" % (label,),
                            "write key or key=value, e.g. 'com.docker.compose.project=proxy'")
        # Docker API ContainerList "label" filter (label=<key> or label=<key>=<value>), in docker_sd_configs.filters:
        # https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/#docker_sd_configs
        filters.append({"name": "label", "values": [str(label)]})
    if "name_prefix" in value:
        prefix = value["name_prefix"]
        if not isinstance(prefix, str) or not _CONTAINER_NAME.match(prefix):
            raise bad_input("%s.name_prefix" % VAR_FILTER, "%r is not the start of a container name" % (prefix,),
                            "use letters, digits, '_', '.' or '-', starting with a letter or digit, e.g. 'proxy-'")
        # A keep rule (https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/#relabel_configs); the
        # regex is anchored at both ends, and Docker's names start with '/'.
        rules.append({"source_labels": ["__meta_docker_container_name"],
                      "regex": "/%s.*" % prefix.replace(".", "\\."), "action": "keep"})
    return filters, rules


def _extra_jobs(value):
    if not isinstance(value, (list, tuple)):
        raise bad_input(VAR_EXTRA, "must be a list of scrape configs, got %s" % _kind(value),
                        "set it like [{'job_name': 'syslog', 'syslog': {'listen_address': '0.0.0.0:1514'}}]")
    names = {JOB_NAME: "the docker job this collection generates"}
    jobs = []
    for index, job in enumerate(value):
        where = "%s[%d]" % (VAR_EXTRA, index)
        if not isinstance(job, Mapping):
            raise bad_input(where, "must be a scrape config (a mapping), got %s" % _kind(job),
                            "give a mapping with a job_name, in Promtail's scrape_configs schema")
        name = job.get("job_name")
        if not isinstance(name, str) or not _JOB_NAME.match(name):
            raise bad_input("%s.job_name" % where, "%r is not a job name" % (name,),
                            "name the job with letters, digits, '_', '.' or '-', e.g. 'syslog'")
        if name in names:
            raise bad_input("%s.job_name" % where, "%r is already the name of %s" % (name, names[name]),
                            "give every job a unique job_name")
        names[name] = where
        jobs.append(plain(job))
    return jobs


def _settings(settings):
    values = filter_settings(settings, SETTINGS, "promtail",
                             "{'push_url': %r, 'host': inventory_hostname}" % URL_EXAMPLE)
    values["http_port"] = check_port(SETTINGS["http_port"][0], values["http_port"])
    host = values["host"]
    if not isinstance(host, str) or not host or "$" in host or re.search(r"\s", host):
        raise bad_input(VAR_HOST, "%r cannot be the host label" % (host,),
                        "pass the inventory hostname, e.g. 'app1'")
    interval = values["refresh_interval"]
    if not parse_duration(interval):  # None (not a duration) or 0
        raise bad_input(SETTINGS["refresh_interval"][0], "%r is not a duration longer than zero" % (interval,),
                        "write a number with a unit, e.g. '5s' or '1m'")
    return values


def promtail_config(settings):
    """Return Promtail's configuration for the given settings."""
    values = _settings(settings)
    push_url = check_push_url(values["push_url"])
    labels = check_labels(values["labels"])
    filters, keep_rules = _containers_filter(values["containers_filter"])
    extra = _extra_jobs(values["extra_scrape_configs"])

    # https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/#docker_sd_configs
    discovery = {"host": DOCKER_HOST, "refresh_interval": values["refresh_interval"]}
    if filters:
        discovery["filters"] = filters
    # https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/#relabel_configs (Prometheus' relabelling:
    # action replace, regex anchored at both ends, replacement $1 unless given)
    relabel = keep_rules + [
        # The documented example: the container name without Docker's leading '/'.
        {"source_labels": ["__meta_docker_container_name"], "regex": "/(.*)", "target_label": "container_name"},
        # The Compose service (meta label of the container label com.docker.compose.service); '(.+)' leaves the label
        # out for containers without it.
        {"source_labels": ["__meta_docker_container_label_com_docker_compose_service"], "regex": "(.+)",
         "target_label": "service"},
        {"source_labels": ["__meta_docker_container_log_stream"], "target_label": "stream"},
        {"target_label": "host", "replacement": values["host"]},
    ]
    # https://grafana.com/docs/loki/v3.6.x/send-data/promtail/stages/json/ (drop_malformed: false keeps non-JSON lines),
    # .../stages/labels/, .../stages/timestamp/ (RFC3339Nano; skip keeps Docker's time when there is none).
    expressions = {"timestamp": "timestamp"}
    expressions.update((name, name) for name in labels)
    stages = [{"json": {"expressions": expressions, "drop_malformed": False}}]
    if labels:
        stages.append({"labels": {name: name for name in labels}})
    stages.append({"timestamp": {"source": "timestamp", "format": "RFC3339Nano", "action_on_failure": "skip"}})

    return {
        # https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/#server (the seed's ports; gRPC 0 is a
        # random port, Promtail serves nothing over gRPC here). health_check_target: false makes /ready report the
        # server itself: by default it answers 500 until some target is tailed, so a host whose containers are all
        # filtered out would never count as deployed.
        "server": {"http_listen_port": values["http_port"], "grpc_listen_port": 0, "health_check_target": False},
        # .../configuration/#positions: in the named volume, so a restart continues where it stopped
        "positions": {"filename": POSITIONS_FILE},
        # .../configuration/#clients
        "clients": [{"url": push_url}],
        # .../configuration/#scrape_configs
        "scrape_configs": [{"job_name": JOB_NAME, "docker_sd_configs": [discovery], "relabel_configs": relabel,
                            "pipeline_stages": stages}] + extra,
    }


class FilterModule(object):
    """Filters for Promtail."""

    def filters(self):
        return {"promtail_config": promtail_config}

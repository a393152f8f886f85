# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of Prometheus configuration pieces, shared by the prometheus_scrape_configs and prometheus_config filters.

Private to the collection (leading underscore).
"""

from __future__ import annotations

import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import parse_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import valid_host

VAR_JOBS = "prometheus_scrape_configs_extra"
VAR_GLOBAL = "global_config"  # the prometheus_config filter's option
# Keys of the global block that the prometheus role takes from variables of their own: errors name those variables.
GLOBAL_VARS = {"scrape_interval": "prometheus_scrape_interval", "evaluation_interval": "prometheus_evaluation_interval",
               "external_labels": "prometheus_external_labels"}

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
KEY_ORDER = {key: index for index, key in enumerate(SCRAPE_CONFIG_KEYS)}

SCRAPE_PROTOCOLS = ("PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0", "OpenMetricsText0.0.1",
                    "OpenMetricsText1.0.0")

JOB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
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
    return {key: job[key] for key in sorted(job, key=lambda key: KEY_ORDER.get(key, len(KEY_ORDER)))}


def check_static_configs(variable, static_configs, check_target_form):
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

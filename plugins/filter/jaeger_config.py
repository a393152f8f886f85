# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: jaeger_config
short_description: Build Jaeger's configuration for the Jaeger family the image runs (v2, or the last 1.x)
version_added: 0.6.0
author:
  - Proxy Agent Platform DevOps Team
description:
  - "Returns how to run Jaeger with Badger storage on its data volume (mounted at C(/badger)): C(family) (2 or 1),
    C(config) (the YAML configuration as a dictionary, v2 only; None for 1.x), C(command), C(env),
    C(extra_ports) (published ports beyond the catalogue's, 1.x only) and C(ready) (the readiness probe's container
    port and path)."
  - "B(Jaeger v2) (C(jaegertracing/jaeger) 2.x, the OTel-collector based C(jaeger) binary, shaped like upstream's
    C(cmd/jaeger/config-badger.yaml)): extensions C(jaeger_storage) (one Badger backend C(main), C(ephemeral: false),
    key and value directories under C(/badger), span TTL O(_input.span_ttl)), C(jaeger_query) (UI and API on
    C(0.0.0.0:16686)) and C(healthcheckv2) (C(use_v2: true), HTTP C(0.0.0.0:13133), path C(/status)); the OTLP
    receiver on C(0.0.0.0:4317) (gRPC) and C(0.0.0.0:4318) (HTTP), given explicitly because the collector binds to
    localhost by default; the C(batch) processor; the C(jaeger_storage_exporter); the collector's own metrics on a
    Prometheus reader at C(0.0.0.0:14269). The container ports are the catalogue's. Passed with C(--config); without
    it the image runs in-memory all-in-one."
  - "B(Jaeger 1.x) (C(jaegertracing/all-in-one) 1.76.0, the last; v1 reached its end of life on 2025-12-31): the
    seed's layout, configured through environment variables (Jaeger 1.x reads every flag from the environment, dots
    and dashes as underscores): C(SPAN_STORAGE_TYPE=badger), C(BADGER_EPHEMERAL=false), C(BADGER_DIRECTORY_KEY),
    C(BADGER_DIRECTORY_VALUE), C(BADGER_SPAN_STORE_TTL), Zipkin on C(:9411) (C(COLLECTOR_ZIPKIN_HOST_PORT), as the
    seed), OTLP on 4317/4318 (on by default), the admin server (health at C(/), metrics) on 14269. The seed's agent
    ports (5775, 6831, 6832, 5778) are gone: upstream removed jaeger-agent, and all-in-one 1.76 exposes 4317, 4318,
    14268, 14250, 9411 and 16686."
  - "Checks, each naming the variable: O(version) is a Jaeger 1.x or 2.x version; the span TTL is a Go duration
    (C(168h), C(72h30m)); the log level is known; options of one family are refused with the other
    (C(jaeger_config_overrides) with 1.x; C(jaeger_v1_env) and C(jaeger_v1_ports) with v2);
    O(_input.overrides) is a mapping and leaves the receivers, extensions and pipeline the stack relies on in
    place."
positional: _input, version, bind
options:
  _input:
    description: The jaeger role's settings.
    type: dict
    required: true
    suboptions:
      span_ttl:
        description: How long spans are kept, a Go duration (C(jaeger_span_ttl)).
        type: str
        default: 168h
      log_level:
        description: Log level, one of C(debug), C(info), C(warn), C(error) (C(jaeger_log_level)).
        type: str
        default: info
      overrides:
        description: v2 only. Deep-merged into the YAML configuration last (C(jaeger_config_overrides)).
        type: dict
        default: {}
      v1_env:
        description: 1.x only. Extra environment variables (C(jaeger_v1_env)).
        type: dict
        default: {}
      v1_ports:
        description: 1.x only. Extra container ports published like OTLP, C(port) or C(port/udp)
          (C(jaeger_v1_ports)).
        type: list
        elements: str
        default: ["14268", "14250", "9411"]
  version:
    description: The Jaeger version the image runs (C(jaeger_version)), e.g. C(2.20.0) or C(1.76.0).
    type: str
    required: true
  bind:
    description: Where the host publishes Jaeger's OTLP port (the fleet's binding); 1.x's extra ports are bound there
      too. None publishes none of them.
    type: str
"""

EXAMPLES = r"""
- name: Jaeger's configuration
  ansible.builtin.set_fact:
    jaeger_run: "{{ {'span_ttl': '168h'} | proxy_agent.observability.jaeger_config('2.20.0') }}"
"""

RETURN = r"""
_value:
  description: C(family), C(config), C(command), C(env), C(extra_ports) (Docker's C(bind:port:port[/udp])),
    C(ready) (C(port), C(path)), C(flags_check) (C(entrypoint) and C(args) of the 1.x binary's flags check; None
    for v2, whose binary is the catalogue's).
  type: dict
"""

import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import deep_merge
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import filter_settings
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import kind
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import check_port
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import port_spec
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import parse_go_duration

SETTINGS = {
    "span_ttl": ("jaeger_span_ttl", "168h"),
    "log_level": ("jaeger_log_level", "info"),
    "overrides": ("jaeger_config_overrides", {}),
    "v1_env": ("jaeger_v1_env", {}),
    "v1_ports": ("jaeger_v1_ports", ("14268", "14250", "9411")),
}
V2_ONLY = ("overrides",)
V1_ONLY = ("v1_env", "v1_ports")
LOG_LEVELS = ("debug", "info", "warn", "error")
CONFIG_PATH = "/etc/jaeger/config.yaml"
DATA = COMPONENTS["jaeger"]["volume"]["path"]
STORE = "main"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_PORT = re.compile(r"^(\d+)(?:/(tcp|udp))?$")


def _plain_value(value):
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return value


def _port(name):
    return COMPONENTS["jaeger"]["ports"][name]["container"]


def family(version):
    """The Jaeger family (1 or 2) of a version string; refused naming jaeger_version otherwise."""
    match = _VERSION.match(str(version)) if isinstance(version, str) else None
    if not match or match.group(1) not in ("1", "2"):
        raise bad_input("jaeger_version", "%r is not a Jaeger 1.x or 2.x version" % (version,),
                        "set jaeger_version to the version the image runs, e.g. '2.20.0' (jaegertracing/jaeger) or "
                        "'1.76.0' (jaegertracing/all-in-one); it is read from the image tag when the tag is one")
    return int(match.group(1))


def _v2_config(settings):
    config = {
        "service": {
            "extensions": ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            "pipelines": {"traces": {"receivers": ["otlp"], "processors": ["batch"],
                                     "exporters": ["jaeger_storage_exporter"]}},
            "telemetry": {
                "resource": {"service.name": "jaeger"},
                "metrics": {"level": "detailed", "readers": [
                    {"pull": {"exporter": {"prometheus": {"host": "0.0.0.0", "port": _port("admin")}}}}]},
                "logs": {"level": settings["log_level"]},
            },
        },
        "extensions": {
            # healthcheckv2 answers /status by default (upstream's configs set only the endpoint).
            "healthcheckv2": {"use_v2": True, "http": {"endpoint": "0.0.0.0:%d" % _port("health")}},
            "jaeger_query": {"storage": {"traces": STORE}, "http": {"endpoint": "0.0.0.0:%d" % _port("ui")}},
            "jaeger_storage": {"backends": {STORE: {"badger": {
                "directories": {"keys": DATA + "/keys", "values": DATA + "/values"},
                "ephemeral": False,
                "ttl": {"spans": settings["span_ttl"]},
            }}}},
        },
        "receivers": {"otlp": {"protocols": {
            "grpc": {"endpoint": "0.0.0.0:%d" % _port("otlp_grpc")},
            "http": {"endpoint": "0.0.0.0:%d" % _port("otlp_http")},
        }}},
        "processors": {"batch": {}},
        "exporters": {"jaeger_storage_exporter": {"trace_storage": STORE}},
    }
    overrides = settings["overrides"]
    if not isinstance(overrides, Mapping):
        raise bad_input("jaeger_config_overrides", "must be a mapping, got %s" % kind(overrides),
                        "give a mapping in Jaeger v2's configuration schema, e.g. {'processors': {'batch': "
                        "{'timeout': '2s'}}}")
    merged = deep_merge(config, overrides)
    _check_kept(merged)
    return merged


def _check_kept(config):
    """What the stack relies on must survive the overrides: the OTLP receiver in the traces pipeline, the query
    extension, the health check and the Badger store."""
    try:
        pipeline = config["service"]["pipelines"]["traces"]
        extensions = config["service"]["extensions"]
        ok = ("otlp" in pipeline["receivers"] and "otlp" in config["receivers"]
              and all(name in extensions and name in config["extensions"]
                      for name in ("jaeger_storage", "jaeger_query", "healthcheckv2")))
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise bad_input("jaeger_config_overrides", "removes what the stack relies on (the otlp receiver of the traces "
                        "pipeline, or the jaeger_storage, jaeger_query or healthcheckv2 extension)",
                        "override settings inside them, not the lists that name them")


def _v1(settings):
    env = {
        "SPAN_STORAGE_TYPE": "badger",
        "BADGER_EPHEMERAL": "false",
        "BADGER_DIRECTORY_KEY": DATA + "/keys",
        "BADGER_DIRECTORY_VALUE": DATA + "/values",
        "BADGER_SPAN_STORE_TTL": settings["span_ttl"],
        "COLLECTOR_ZIPKIN_HOST_PORT": ":9411",
        "COLLECTOR_OTLP_ENABLED": "true",
        "LOG_LEVEL": settings["log_level"],
        "ADMIN_HTTP_HOST_PORT": ":%d" % _port("admin"),
        "QUERY_HTTP_SERVER_HOST_PORT": ":%d" % _port("ui"),
        "COLLECTOR_OTLP_GRPC_HOST_PORT": ":%d" % _port("otlp_grpc"),
        "COLLECTOR_OTLP_HTTP_HOST_PORT": ":%d" % _port("otlp_http"),
    }
    extra = settings["v1_env"]
    if not isinstance(extra, Mapping):
        raise bad_input("jaeger_v1_env", "must be a mapping of environment variables, got %s" % kind(extra),
                        "set it like {'QUERY_MAX_CLOCK_SKEW_ADJUSTMENT': '1s'}")
    for name, value in extra.items():
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise bad_input("jaeger_v1_env", "%r is not an environment variable name" % (name,),
                            "use upper-case letters, digits and '_', as Jaeger 1.x reads its flags (dots and dashes "
                            "become '_')")
        env[name] = str(value).lower() if isinstance(value, bool) else str(value)
    ports = settings["v1_ports"]
    if not isinstance(ports, (list, tuple)):
        raise bad_input("jaeger_v1_ports", "must be a list of ports, got %s" % kind(ports),
                        "set it like ['14268', '9411', '6831/udp']")
    extra_ports = []
    catalogue = {port["container"] for port in COMPONENTS["jaeger"]["ports"].values()}
    for item in ports:
        match = _PORT.match(str(item))
        if not match:
            raise bad_input("jaeger_v1_ports", "%r is not a port" % (item,), "write 'PORT' or 'PORT/udp', e.g. '9411'")
        port = check_port("jaeger_v1_ports", match.group(1))
        if port in catalogue:
            raise bad_input("jaeger_v1_ports", "%d is one of the catalogue's Jaeger ports, which are published "
                            "already" % port, "leave it out, or move it with observability_published_ports")
        extra_ports.append({"port": port, "protocol": match.group(2) or "tcp"})
    return env, extra_ports


# The 1.x image's binary (jaegertracing/all-in-one: ENTRYPOINT /go/bin/all-in-one-linux) parses its flags with cobra as
# v2 does; the catalogue's flags check names v2's binary.
V1_FLAGS_CHECK = {"entrypoint": "/go/bin/all-in-one-linux", "args": ["--help"]}


def jaeger_config(settings, version, bind=None):
    """Return how to run the Jaeger of this version: family, config, command, env, extra_ports, ready, flags_check."""
    values = filter_settings(settings, SETTINGS, "jaeger", "{'span_ttl': '168h'}", allow_none=True)
    major = family(version)
    if (parse_go_duration(values["span_ttl"]) or 0) <= 0:  # Go's time.ParseDuration, above zero
        raise bad_input("jaeger_span_ttl", "%r is not a Go duration above zero" % (values["span_ttl"],),
                        "write hours and minutes as Go does, e.g. '168h' (7 days) or '72h30m'; Go has no 'd' unit")
    if values["log_level"] not in LOG_LEVELS:
        raise bad_input("jaeger_log_level", "%r is not a log level" % (values["log_level"],),
                        "use one of %s" % ", ".join(LOG_LEVELS))
    own, other = (V2_ONLY, V1_ONLY) if major == 2 else (V1_ONLY, V2_ONLY)
    for key in other:
        value = settings.get(key) if isinstance(settings, Mapping) else None
        # A family's options at their defaults are not in use.
        default = SETTINGS[key][1]
        if value is not None and _plain_value(value) != (list(default) if isinstance(default, tuple) else default):
            raise bad_input(SETTINGS[key][0], "is an option of Jaeger %s, but the image runs Jaeger %s (%s)"
                            % ("1.x" if major == 2 else "v2", version, "jaegertracing/jaeger" if major == 2
                               else "jaegertracing/all-in-one"),
                            "remove it, or use %s" % ", ".join(SETTINGS[name][0] for name in own))
    if major == 2:
        return {"family": 2, "config": _v2_config(values), "command": ["--config=%s" % CONFIG_PATH], "env": {},
                "extra_ports": [], "ready": {"port": _port("health"), "path": "/status"}, "flags_check": None}
    env, extra_ports = _v1(values)
    published = [port_spec(bind, item["port"], item["port"], item["protocol"]) for item in extra_ports] if bind else []
    return {"family": 1, "config": None, "command": [], "env": env, "extra_ports": published,
            "ready": {"port": _port("admin"), "path": "/"}, "flags_check": V1_FLAGS_CHECK}


class FilterModule(object):
    """Jaeger's configuration."""

    def filters(self):
        return {"jaeger_config": jaeger_config}

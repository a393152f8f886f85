# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The component catalogue: one definition per stack component, read by every filter, the site playbook (through
the fleet), scripts/local_images_vars.py and the tests.

Adding a component means one entry here and one role of the same name (tests/unit/test_catalogue.py fails when a
role has no entry or an entry no role). Private to the collection (leading underscore): it may change at any time.

Entry keys:
  placement   the stack-wide setting observability_<placement>_group names the inventory group whose hosts run the
              component when the inventory does not decide otherwise (monitoring, agents, postgres, redis, backend)
  instances   "each": every host of that group runs one; "one": only the first host of the group (inventory order)
              does, and no two hosts may run it (its storage is local and it does not cluster)
  image       key of the component's image in observability_images (the sample backend's is the base image its
              own image is built on, on the host)
  user        the upstream image's user:group, which the container runs as
  volume      the data volume's mount path and the UID that owns its content (None: no data)
  config      where the configuration directory is mounted in the container (None: flags only)
  checks      the upstream checker, run from the very image that will be deployed on the staged directory
  flags_check  the component's binary in the image and the arguments that, appended to the container's command,
              make it parse every flag and exit 0 without starting: the help where it exits 0 (kingpin's and Go's
              flag parsers refuse an unknown flag before printing it), else the binary's own check mode (Loki's and
              Promtail's -help exits 2); None where upstream's parser was not confirmed to behave so, or where the
              role passes no flags (Grafana) or runs images with different binaries (Jaeger 2.x and 1.x)
  reload      how a running instance applies a new configuration: "signal" (SIGHUP), "restart" or "none"
  verify      what proves the running instance loaded the rendered configuration, from its own metrics page:
                  success: the metric that is 1 after a successful (re)load;
                  time: the metric holding the time of the last successful (re)load (a reload must advance it);
                  hash: {metric, file}, the metric holding a hash of the loaded file's bytes (Alertmanager's
                  md5-based alertmanager_config_hash) and that file in the config directory
  ports       named ports, the first one the component's main port:
                container   the port inside the container
                host        the default published port (observability_published_ports overrides it)
                protocols   transport protocols published
                scheme      how a client speaks to it without TLS (https when the component has `web` and TLS is on)
                ui          a port people open in a browser (bound to observability_ui_publish_address when no other
                            host needs it)
                consumers   (component, selection) pairs that connect to it: "all" instances (Prometheus scrapes
                            every exporter), the "preferred" one (the instance on the consumer's own host, else the
                            first one), or the "others" (cluster peers)
                publish     "always", or "when_consumed": published only where some host consumes it
  ready       the HTTP readiness probe: port name and path
  metrics     the scrape job: name, port name and path (Prometheus scrapes every instance)
  datasource  the Grafana datasource type the component provides
  web         how the component serves TLS and basic auth (observability_web_tls, observability_web_auth_password):
              {"kind": "web_config"}: exporter-toolkit's --web.config.file; {"kind": "flags"}: flags of its own
              (redis_exporter); None: neither (its ports' scheme stays http). With TLS on, the scheme of the ports of
              a component that has one becomes https (_endpoints.py)
"""

from __future__ import annotations

import os
import re

import yaml

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

_SCRAPED = (("prometheus", "all"),)
# The component whose hosts stand for "the hosts whose applications the stack watches" among a port's consumers: every
# watched host runs node-exporter.
APP_HOSTS = "node_exporter"


def _port(container, host=None, protocols=("tcp",), ui=False, consumers=_SCRAPED, publish="always", scheme="http"):
    return {"container": container, "host": container if host is None else host, "protocols": protocols,
            "scheme": scheme, "ui": ui, "consumers": consumers, "publish": publish}


# In deploy order: collectors first, then Loki and Jaeger before the Promtails and backends that push to them, then
# Alertmanager before the Prometheus that sends to it and scrapes everything above, then Grafana, which shows them
# all, and last the sample backend, which every pipeline watches. The scrape jobs follow the same order.
COMPONENTS = {
    "node_exporter": {
        "placement": "agents", "instances": "each", "image": "node_exporter", "user": "65534:65534",
        # The configuration directory holds only the web configuration (TLS, basic auth), when there is one.
        "volume": None, "config": "/etc/node_exporter", "checks": (),
        "flags_check": {"entrypoint": "/bin/node_exporter", "args": ("--help",)}, "reload": "restart", "verify": None,
        "ports": {"metrics": _port(9100)},
        "ready": {"port": "metrics", "path": "/metrics"},
        "metrics": {"job": "node", "port": "metrics", "path": "/metrics"},
        "datasource": None,
        "web": {"kind": "web_config"},
    },
    "cadvisor": {
        "placement": "agents", "instances": "each", "image": "cadvisor", "user": "0:0",
        "volume": None, "config": None, "checks": (),
        # cmd/cadvisor.go (v0.60.5) runs Go's flag.Parse() first: an unknown flag exits 2, -help (undefined, so
        # flag.ErrHelp) exits 0; the image's entrypoint script only adds -logtostderr.
        "flags_check": {"entrypoint": "/usr/bin/cadvisor", "args": ("--help",)}, "reload": "none", "verify": None,
        "ports": {"http": _port(8080)},
        "ready": {"port": "http", "path": "/healthz"},
        "metrics": {"job": "docker", "port": "http", "path": "/metrics"},
        "datasource": None,
        "web": None,
    },
    "postgres_exporter": {
        "placement": "postgres", "instances": "each", "image": "postgres_exporter", "user": "65534:65534",
        "volume": None, "config": "/etc/postgres_exporter", "checks": (),
        "flags_check": {"entrypoint": "/bin/postgres_exporter", "args": ("--help",)}, "reload": "restart",
        "verify": None,
        "ports": {"metrics": _port(9187)},
        "ready": {"port": "metrics", "path": "/metrics"},
        "metrics": {"job": "postgres", "port": "metrics", "path": "/metrics"},
        "datasource": None,
        "web": {"kind": "web_config"},
    },
    "redis_exporter": {
        "placement": "redis", "instances": "each", "image": "redis_exporter", "user": "59000:59000",
        "volume": None, "config": "/etc/redis_exporter", "checks": (),
        "flags_check": {"entrypoint": "/redis_exporter", "args": ("--help",)}, "reload": "restart", "verify": None,
        "ports": {"metrics": _port(9121)},
        "ready": {"port": "metrics", "path": "/health"},
        "metrics": {"job": "redis", "port": "metrics", "path": "/metrics"},
        "datasource": None,
        "web": {"kind": "flags"},
    },
    "loki": {
        "placement": "monitoring", "instances": "one", "image": "loki", "user": "10001:10001",
        "volume": {"path": "/loki", "owner": 10001}, "config": "/etc/loki",
        "checks": ({"entrypoint": "/usr/bin/loki", "args": ("-verify-config", "-config.file=/etc/loki/loki.yaml")},),
        # -help exits 2 (pkg/util/cfg/files.go ConfigFileLoader, 2.9.0 to 3.7.6), so -verify-config: every flag is
        # parsed before the config file is read (an unknown one exits 2), then file and flags are validated and
        # cmd/loki/main.go exits 0 before loki.New (nothing started, bound or opened).
        "flags_check": {"entrypoint": "/usr/bin/loki", "args": ("-verify-config",)}, "reload": "restart",
        "verify": None,
        "ports": {"http": _port(3100, consumers=(("prometheus", "all"), ("promtail", "preferred"),
                                                 ("grafana", "preferred")))},
        "ready": {"port": "http", "path": "/ready"},
        "metrics": {"job": "loki", "port": "http", "path": "/metrics"},
        "datasource": "loki",
        "web": None,
    },
    # Jaeger v2 (the OTel-collector based `jaeger` binary) with Badger on its volume; one instance, as Badger is local
    # storage. The pinned 1.x all-in-one keeps the same port names (roles/jaeger maps them to its flags).
    "jaeger": {
        "placement": "monitoring", "instances": "one", "image": "jaeger", "user": "10001:10001",
        "volume": {"path": "/badger", "owner": 10001}, "config": "/etc/jaeger",
        "checks": ({"entrypoint": "/cmd/jaeger/jaeger-linux", "args": ("validate", "--config=/etc/jaeger/config.yaml")},),
        # cobra (spf13/cobra command.go execute): every flag is parsed before --help is acted on, an unknown one fails
        # (cmd/jaeger/main.go exits 1), --help exits 0 without reading the config. The 1.x all-in-one has another
        # binary: roles/jaeger passes it (jaeger_config's flags_check).
        "flags_check": {"entrypoint": "/cmd/jaeger/jaeger-linux", "args": ("--help",)}, "reload": "restart",
        "verify": None,
        "ports": {
            # The query service: UI and HTTP API, no login (see the README).
            "ui": _port(16686, ui=True, consumers=(("grafana", "preferred"),)),
            # Traces from the applications of every host the stack watches (node-exporter's hosts, APP_HOSTS) and
            # from the sample backends.
            "otlp_grpc": _port(4317, consumers=(("backend", "preferred"), (APP_HOSTS, "preferred"))),
            "otlp_http": _port(4318, consumers=(("backend", "preferred"), (APP_HOSTS, "preferred"))),
            # healthcheckv2 (v2) answers /status; only the play and the operator on the host probe it.
            "health": _port(13133, consumers=()),
            # Jaeger's own metrics: the collector telemetry's Prometheus reader (v2), the admin server (1.x).
            "admin": _port(14269, consumers=_SCRAPED),
        },
        "ready": {"port": "health", "path": "/status"},
        "metrics": {"job": "jaeger", "port": "admin", "path": "/metrics"},
        "datasource": "jaeger",
        "web": None,
    },
    "promtail": {
        "placement": "agents", "instances": "each", "image": "promtail", "user": "0:0",
        "volume": {"path": "/var/lib/promtail", "owner": 0}, "config": "/etc/promtail",
        "checks": ({"entrypoint": "/usr/bin/promtail",
                    "args": ("-check-syntax", "-config.file=/etc/promtail/promtail.yml")},),
        # As Loki's (-help exits 2): clients/cmd/promtail/main.go (2.9.0 to 3.6.11) parses every flag (an unknown
        # one exits 2) and reads the config file, and -check-syntax exits 0 before promtail.New.
        "flags_check": {"entrypoint": "/usr/bin/promtail", "args": ("-check-syntax",)}, "reload": "restart",
        "verify": None,
        "ports": {"http": _port(9080)},
        "ready": {"port": "http", "path": "/ready"},
        "metrics": {"job": "promtail", "port": "http", "path": "/metrics"},
        "datasource": None,
        "web": None,
    },
    "alertmanager": {
        "placement": "monitoring", "instances": "each", "image": "alertmanager", "user": "65534:65534",
        "volume": {"path": "/alertmanager", "owner": 65534}, "config": "/etc/alertmanager",
        "checks": ({"entrypoint": "/bin/amtool", "args": ("check-config", "/etc/alertmanager/alertmanager.yml")},),
        "flags_check": {"entrypoint": "/bin/alertmanager", "args": ("--help",)}, "reload": "signal",
        "verify": {"success": "alertmanager_config_last_reload_successful",
                   "time": "alertmanager_config_last_reload_success_timestamp_seconds",
                   "hash": {"metric": "alertmanager_config_hash", "file": "alertmanager.yml"}},
        "ports": {
            "http": _port(9093, ui=True, consumers=(("prometheus", "all"), ("grafana", "preferred"))),
            # Gossip between the cluster's peers (memberlist: TCP and UDP). A single Alertmanager runs with
            # clustering off and does not publish it.
            "cluster": _port(9094, protocols=("tcp", "udp"), consumers=(("alertmanager", "others"),),
                             publish="when_consumed", scheme="tcp"),
        },
        "ready": {"port": "http", "path": "/-/ready"},
        "metrics": {"job": "alertmanager", "port": "http", "path": "/metrics"},
        "datasource": "alertmanager",
        "web": {"kind": "web_config"},
    },
    "prometheus": {
        "placement": "monitoring", "instances": "each", "image": "prometheus", "user": "65534:65534",
        "volume": {"path": "/prometheus", "owner": 65534}, "config": "/etc/prometheus",
        "checks": ({"entrypoint": "/bin/promtool", "args": ("check", "config", "/etc/prometheus/prometheus.yml")},),
        "flags_check": {"entrypoint": "/bin/prometheus", "args": ("--help",)}, "reload": "signal",
        "verify": {"success": "prometheus_config_last_reload_successful",
                   "time": "prometheus_config_last_reload_success_timestamp_seconds", "hash": None},
        "ports": {"http": _port(9090, ui=True, consumers=(("prometheus", "all"), ("grafana", "preferred")))},
        "ready": {"port": "http", "path": "/-/ready"},
        "metrics": {"job": "prometheus", "port": "http", "path": "/metrics"},
        "datasource": "prometheus",
        "web": {"kind": "web_config"},
    },
    "grafana": {
        "placement": "monitoring", "instances": "each", "image": "grafana", "user": "472:0",
        "volume": {"path": "/var/lib/grafana", "owner": 472}, "config": "/etc/grafana", "checks": (),
        # The seed publishes Grafana's 3000 on 3001.
        "flags_check": None, "reload": "restart", "verify": None,
        "ports": {"http": _port(3000, host=3001, ui=True)},
        "ready": {"port": "http", "path": "/api/health"},
        "metrics": {"job": "grafana", "port": "http", "path": "/metrics"},
        "datasource": None,
        "web": None,
    },
    # The seed's instrumented sample backend (roles/backend): its image is built on the host from the base image.
    "backend": {
        "placement": "backend", "instances": "each", "image": "backend", "user": "10000:10000",
        # The configuration directory holds the database URL (a secret file): read at start, so a change restarts.
        "volume": None, "config": "/etc/backend", "checks": (),
        "flags_check": None, "reload": "restart", "verify": None,
        "ports": {"http": _port(8000, ui=True)},
        "ready": {"port": "http", "path": "/health"},
        "metrics": {"job": "backend", "port": "http", "path": "/metrics"},
        "datasource": None,
        "web": None,
    },
}

COMPONENT_NAMES = tuple(sorted(COMPONENTS))
PLACEMENTS = ("monitoring", "agents", "postgres", "redis", "backend")

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_ROLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "roles", "observability")
_DEFAULTS_FILE = os.path.join(_ROLE_DIR, "defaults", "main.yml")
_VARS_FILE = os.path.join(_ROLE_DIR, "vars", "main.yml")
_defaults_cache = {}


def _role_vars():
    with open(_VARS_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


# Labels the collection puts on what it creates (containers, volumes, the network), written once in the observability
# role's vars/main.yml, where the roles read them too.
_LABELS = _role_vars()
LABEL_MANAGED = _LABELS["_observability_label_managed"]
LABEL_COMPONENT = _LABELS["_observability_label_component"]


def group_variable(placement):
    """The stack-wide setting that names the inventory group of a placement."""
    return "observability_%s_group" % placement


def stack_defaults():
    """The plain (non-templated) defaults of the observability role, read from its defaults/main.yml.

    Other hosts' role defaults are not in hostvars, so code that reads another host's settings falls back to these:
    defaults/main.yml stays the one place they are written."""
    if not _defaults_cache:
        with open(_DEFAULTS_FILE, encoding="utf-8") as handle:
            values = yaml.safe_load(handle) or {}
        _defaults_cache.update({key: value for key, value in values.items()
                                if not (isinstance(value, str) and "{{" in value)})
    return _defaults_cache


def container_name(prefix, component):
    """The container of a component: <prefix>-<component with '-' for '_'>."""
    return "%s-%s" % (prefix, network_alias(component))


def network_alias(component):
    """The component's alias on the stack network (and the last part of its container name)."""
    return component.replace("_", "-")


def volume_name(prefix, component):
    """The data volume of a component: <prefix>_<component>_data."""
    return "%s_%s_data" % (prefix, component)


def main_port(component):
    """The name of a component's main port (its first)."""
    return next(iter(COMPONENTS[component]["ports"]))


def metrics_components():
    """(job name, component) of every component Prometheus scrapes, in catalogue order."""
    return [(entry["metrics"]["job"], name) for name, entry in COMPONENTS.items() if entry["metrics"]]


def datasource_components():
    """(datasource type, component) of every component Grafana shows, in catalogue order."""
    return [(entry["datasource"], name) for name, entry in COMPONENTS.items() if entry["datasource"]]


def check_prefix(prefix, variable="observability_prefix"):
    """Raise unless prefix is usable in container and volume names."""
    if not isinstance(prefix, str) or not _PREFIX.match(prefix):
        raise bad_input(variable, "%r cannot start container and volume names" % (prefix,),
                        "use 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or digit, "
                        "e.g. 'proxy'")
    return prefix


def check_components(components, variable="observability_components"):
    """Raise unless components is a list of known component names without duplicates; return it."""
    if not isinstance(components, (list, tuple)):
        raise bad_input(variable, "must be a list of component names, got %s" % type(components).__name__,
                        "set it like ['prometheus', 'node_exporter']")
    seen = set()
    for name in components:
        if name not in COMPONENTS:
            raise bad_input(variable, "%r is not a component of this stack" % (name,),
                            "use names from: %s" % ", ".join(COMPONENT_NAMES))
        if name in seen:
            raise bad_input(variable, "%r is listed twice" % (name,), "list each component once")
        seen.add(name)
    return list(components)


def in_catalogue_order(components):
    """The components sorted in catalogue (deploy) order."""
    order = {name: index for index, name in enumerate(COMPONENTS)}
    return sorted(components, key=order.__getitem__)

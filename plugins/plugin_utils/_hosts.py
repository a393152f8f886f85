# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the stack's components run and how other hosts reach them, from the inventory's hostvars.

Private to the collection (leading underscore): shared by prometheus_scrape_configs and service_url.
"""

from __future__ import annotations

import ipaddress
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.filter.host_components import host_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import check_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

# The port each component listens on inside its container (the upstream default).
CONTAINER_PORTS = {
    "prometheus": 9090, "alertmanager": 9093, "node_exporter": 9100, "cadvisor": 8080, "postgres_exporter": 9187,
    "redis_exporter": 9121, "grafana": 3000, "loki": 3100, "promtail": 9080, "jaeger": 16686,
}

_HOST_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$")


def container_name(prefix, component):
    """The container of a component: <prefix>-<component with '-' for '_'>."""
    return "%s-%s" % (prefix, component.replace("_", "-"))


def valid_host(host):
    """Whether host is a host name, an IPv4 address or a bracketed IPv6 address."""
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    return bool(_HOST_NAME.match(host))


def host_components_of(vars_, monitoring_group, agents_group):
    """The components a host runs: its observability_components, else derived from its groups."""
    if "observability_components" in vars_:
        return check_components(vars_["observability_components"])
    return host_components(vars_.get("group_names", []), monitoring_group, agents_group,
                           extra=vars_.get("observability_extra_components", []))


def remote_address(host, vars_, component, default_port=None):
    """address:published port of a component on another host, checked, naming the variable it came from.

    The port is the host's own <component>_host_port, else its observability_published_ports entry, else
    default_port, else the container port."""
    if vars_.get("observability_scrape_address"):
        address, source = vars_["observability_scrape_address"], "observability_scrape_address"
    elif vars_.get("ansible_host"):
        address, source = vars_["ansible_host"], "ansible_host"
    else:
        address, source = host, "inventory_hostname"
    port = default_port if default_port is not None else CONTAINER_PORTS[component]
    published = vars_.get("observability_published_ports") or {}
    if not isinstance(published, Mapping):
        raise bad_input("observability_published_ports", "on host %s must map components to ports, got %s"
                        % (host, type(published).__name__), "set it like {'node_exporter': 19100}")
    variable = None
    if vars_.get("%s_host_port" % component) is not None:
        # The role's own variable, set for that host in the inventory, wins as it does in the role.
        variable = "%s_host_port" % component
        port = vars_[variable]
    elif component in published:
        variable = "observability_published_ports[%r]" % component
        port = published[component]
    if variable is not None and (isinstance(port, bool) or not isinstance(port, (int, str))
                                 or not str(port).isdigit() or not 1 <= int(port) <= 65535):
        raise bad_input(variable, "%r on host %s is not a port" % (port, host), "give a port from 1 to 65535")
    address = str(address)
    try:
        address = "[%s]" % ipaddress.IPv6Address(address)
    except ValueError:
        pass
    if not valid_host(address):
        raise bad_input(source, "%r on host %s is not a host name or IP address" % (address, host),
                        "set %s on host %s to the name or address the stack reaches it at, without scheme or port"
                        % (source, host))
    return "%s:%d" % (address, int(port))

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Endpoints: how one host reaches a component instance, as structured data, from the fleet (_fleet.py).

An endpoint is a plain dict:
  component, host       the instance
  port_name             the catalogue's name of the port
  scheme                http (https once TLS comes)
  address, port         what the client connects to: on the client's own host the container's name and port over the
                        stack network; on another host that host's address and published port
  path                  path prefix of the API ("" for the root)
  local                 whether the client runs on the instance's host
  tls, basic_auth       room for credentials (None until the stack has them)
Every URL and target the collection writes is made here, by endpoint_url and endpoint_target. Private.
"""

from __future__ import annotations

import ipaddress

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import container_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import main_port
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

SELECTIONS = ("all", "preferred", "others")


def _bracket(address):
    try:
        if ipaddress.ip_address(address).version == 6:
            return "[%s]" % address
    except ValueError:
        pass
    return address


def check_fleet(fleet):
    """Raise unless fleet looks like the observability_fleet filter's result."""
    if not isinstance(fleet, Mapping) or not {"order", "hosts", "instances"} <= set(fleet):
        raise bad_input("_observability_fleet", "is not the stack's fleet (got %s)" % type(fleet).__name__,
                        "build it with the proxy_agent.observability.observability_fleet filter (the observability "
                        "role does, once per run)")
    return fleet


def endpoint(fleet, component, host, from_host, port=None):
    """The endpoint of component's instance on host, as from_host reaches it ("" or None: from another host)."""
    record = fleet["hosts"][host]
    port = port or main_port(component)
    spec = COMPONENTS[component]["ports"][port]
    slot = record["ports"][component][port]
    local = bool(from_host) and from_host == host
    if local:
        address, number = container_name(record["prefix"], component), slot["container"]
    else:
        address, number = record["address"], slot["host"]
    return {"component": component, "host": host, "port_name": port, "scheme": spec["scheme"], "address": address,
            "port": number, "path": "", "local": local, "tls": None, "basic_auth": None}


def endpoints(fleet, component, from_host, port=None, select="all"):
    """Endpoints of component's instances, as from_host reaches them, in fleet order.

    select: "all" instances, the "preferred" one (from_host's own, else the first: a list of at most one), or the
    "others" (every instance but from_host's own, for cluster peers)."""
    check_fleet(fleet)
    if component not in COMPONENTS:
        raise bad_input("component", "%r is not a component of this stack" % (component,),
                        "use one of %s" % ", ".join(sorted(COMPONENTS)))
    if port is not None and port not in COMPONENTS[component]["ports"]:
        raise bad_input("port", "%r is not a port of %s" % (port, component),
                        "use one of %s" % ", ".join(COMPONENTS[component]["ports"]))
    if select not in SELECTIONS:
        raise bad_input("select", "%r is not a selection" % (select,), "use one of %s" % ", ".join(SELECTIONS))
    hosts = list(fleet["instances"].get(component, []))
    if select == "preferred":
        hosts = [from_host] if from_host in hosts else hosts[:1]
    elif select == "others":
        hosts = [host for host in hosts if host != from_host]
    return [endpoint(fleet, component, host, from_host, port) for host in hosts]


def endpoint_target(ep):
    """address:port of an endpoint (IPv6 addresses in brackets), as Prometheus and Alertmanager write targets."""
    return "%s:%d" % (_bracket(ep["address"]), ep["port"])


def endpoint_url(ep, path=""):
    """The URL of an endpoint, with path appended (after the endpoint's own path prefix)."""
    return "%s://%s%s%s" % (ep["scheme"], endpoint_target(ep), ep.get("path") or "", path)


def instance_label(fleet, host, component, port=None):
    """The `instance` label of a scrape target: <inventory host>:<published port>, the same on every Prometheus."""
    port = port or main_port(component)
    return "%s:%d" % (host, fleet["hosts"][host]["ports"][component][port]["host"])


def port_spec(bind, host_port, container_port, protocol="tcp"):
    """Docker's published port: "bind:host port:container port[/udp]"."""
    spec = "%s:%d:%d" % (_bracket(bind), host_port, container_port)
    return spec if protocol == "tcp" else "%s/%s" % (spec, protocol)


def published_ports(fleet, host, component):
    """Docker's published_ports of a component on host: "bind:host port:container port[/udp]" for every published
    port."""
    result = []
    for name, slot in fleet["hosts"][host]["ports"][component].items():
        if slot.get("bind") is None:
            continue
        for protocol in slot["protocols"]:
            result.append(port_spec(slot["bind"], slot["host"], slot["container"], protocol))
    return result

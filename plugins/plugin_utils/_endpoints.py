# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Endpoints: how one host reaches a component instance, as structured data, from the fleet (_fleet.py).

An endpoint is a plain dict:
  component, host       the instance
  port_name             the catalogue's name of the port
  scheme                http, or https where the instance serves TLS (catalogue `web`, observability_web_tls)
  address, port         what the client connects to: on the client's own host the container's name and port over the
                        stack network; on another host that host's address and published port
  path                  path prefix of the API ("" for the root)
  local                 whether the client runs on the instance's host
  tls                   None, or {ca_file}: verify the server with the stack's CA certificate, which each client keeps
                        in its own configuration directory under the name ca_file (_web.CA_FILE)
  basic_auth            None, or {username, password_file}: the stack's user, whose password each client keeps in
                        its own configuration directory under the name password_file (_web.PASSWORD_FILE)
Every URL and target the collection writes is made here, by endpoint_url and endpoint_target. Private.
"""

from __future__ import annotations

import ipaddress

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import container_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import main_port
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import network_alias
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import CA_FILE
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import PASSWORD_FILE

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


def _own_address(bind):
    """The address the host itself reaches a port published on bind at (loopback for every interface)."""
    try:
        parsed = ipaddress.ip_address(bind)
    except ValueError:
        return bind
    if parsed.is_unspecified:
        return "::1" if parsed.version == 6 else "127.0.0.1"
    return str(parsed)


def endpoint(fleet, component, host, from_host, port=None, published=False):
    """The endpoint of component's instance on host, as from_host reaches it ("" or None: from another host).

    published: from_host is host itself, outside the stack network (the play on the host): it connects to the
    published port where it is bound, an address the instance's certificate names."""
    record = fleet["hosts"][host]
    port = port or main_port(component)
    spec = COMPONENTS[component]["ports"][port]
    slot = record["ports"][component][port]
    local = bool(from_host) and from_host == host
    if local and published and slot.get("bind"):
        address, number = _own_address(slot["bind"]), slot["host"]
    elif local:
        address, number = container_name(record["prefix"], component), slot["container"]
    else:
        address, number = record["address"], slot["host"]
    web = (record.get("web") or {}) if COMPONENTS[component].get("web") and spec["scheme"] == "http" else {}
    tls = {"ca_file": CA_FILE} if web.get("tls") else None
    basic_auth = {"username": web["username"], "password_file": PASSWORD_FILE} if web.get("username") else None
    return {"component": component, "host": host, "port_name": port, "scheme": "https" if tls else spec["scheme"],
            "address": address, "port": number, "path": "", "local": local, "tls": tls, "basic_auth": basic_auth}


def endpoints(fleet, component, from_host, port=None, select="all", published=False):
    """Endpoints of component's instances, as from_host reaches them, in fleet order.

    select: "all" instances, the "preferred" one (from_host's own, else the first: a list of at most one), or the
    "others" (every instance but from_host's own, for cluster peers). published: see endpoint()."""
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
    return [endpoint(fleet, component, host, from_host, port, published) for host in hosts]


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


def certificate_names(fleet, host):
    """Every name and address a client reaches the host's components at, for their certificate's subject alternative
    names: (DNS names, IP addresses). The containers' names and aliases on the stack network, the host's fleet address
    and inventory name, the addresses its ports are published on, and loopback."""
    record = fleet["hosts"][host]
    served = [component for component in record["components"] if COMPONENTS[component].get("web")]
    if not served:
        return [], []
    names, addresses = ["localhost", host], ["127.0.0.1", "::1"]
    for component in served:
        names += [container_name(record["prefix"], component), network_alias(component)]
    candidates = [record["address"], record.get("ip") or ""]
    for named in record["ports"].values():
        candidates += [_own_address(slot["bind"]) for slot in named.values() if slot.get("bind")]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            addresses.append(str(ipaddress.ip_address(candidate.strip("[]"))))
        except ValueError:
            names.append(candidate)
    unique = []
    return ([name for name in names if not (name in unique or unique.append(name))],
            [address for address in addresses if not (address in unique or unique.append(address))])


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

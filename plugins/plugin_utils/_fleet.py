# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet: which host runs which component, at which address, publishing which port on which interface.

Built once per run from the inventory (hostvars and groups) and the catalogue, as plain data; every consumer (scrape
targets, Prometheus' Alertmanagers, Alertmanager's peers, Promtail's push URL, Grafana's datasources, the
containers' published ports) reads it through plugin_utils/_endpoints.py. Private to the collection.

A host's settings are read from its hostvars (inventory, extra vars, facts); role defaults are not in another host's
hostvars, so the observability role's plain defaults stand in for what a host does not set (_catalogue.stack_defaults).
"""

from __future__ import annotations

import ipaddress
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import APP_HOSTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENT_NAMES
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import PLACEMENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import check_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import check_prefix
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import group_variable
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import in_catalogue_order
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import main_port
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import stack_defaults
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_bind_address
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import check_tls

VAR_PORTS = "observability_published_ports"

# The stack-wide settings the fleet reads from each host; a host must not set them where other hosts cannot see them
# (play vars, role parameters), or the two would disagree about it (check_local).
FLEET_SETTINGS = ("observability_prefix", "observability_extra_components", VAR_PORTS, "observability_address",
                  "observability_interface", "observability_publish_address", "observability_ui_publish_address",
                  "observability_web_tls", "observability_web_auth_username") \
    + tuple(group_variable(placement) for placement in PLACEMENTS)

_HOST_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def _setting(vars_, name):
    value = vars_.get(name) if name in vars_ else None
    return stack_defaults().get(name) if value is None else value


def valid_host(host):
    """Whether host is a host name, an IPv4 address or a bracketed IPv6 address."""
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    return bool(_HOST_NAME.match(host))


def is_loopback(address):
    """Whether an address (IP or name) only reaches the host itself."""
    address = address.strip("[]")
    if address.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _is_unspecified(address):
    try:
        return ipaddress.ip_address(address.strip("[]")).is_unspecified
    except ValueError:
        return False


def _check_address(variable, host, address, allow_unspecified=False):
    if not isinstance(address, str) or not address.strip():
        raise bad_input(variable, "%r on host %s is not an address" % (address, host),
                        "set it to the host's IP address or DNS name, without scheme or port")
    address = address.strip()
    try:
        address = str(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        if not valid_host(address):
            raise bad_input(variable, "%r on host %s is not a host name or IP address" % (address, host),
                            "set it to the host's IP address or DNS name, without scheme or port")
    if _is_unspecified(address) and not allow_unspecified:
        raise bad_input(variable, "%r on host %s is not an address other hosts can connect to" % (address, host),
                        "set it to the host's own IP address on the network the stack's hosts share")
    return address


def _facts(vars_):
    facts = vars_.get("ansible_facts") if "ansible_facts" in vars_ else None
    return facts if isinstance(facts, Mapping) else {}


def _facts_ip(vars_):
    """(the host's IPv4 address from its facts, where it came from): observability_interface's, else the default
    IPv4 address; (None, why) when the facts do not have it."""
    facts = _facts(vars_)
    interface = _setting(vars_, "observability_interface")
    if interface:
        found = facts.get(_interface_key(interface))
        found = found.get("ipv4") if isinstance(found, Mapping) else None
        return (found.get("address") if isinstance(found, Mapping) else None), "observability_interface (%s)" \
            % interface
    found = facts.get("default_ipv4")
    return (found.get("address") if isinstance(found, Mapping) else None), "its default IPv4 address (facts)"


def _address(host, vars_):
    """(address peers reach the host at, the variable or fact it came from)."""
    explicit = vars_.get("observability_address") if "observability_address" in vars_ else None
    if explicit:
        return _check_address("observability_address", host, explicit), "observability_address"
    interface = _setting(vars_, "observability_interface")
    found, source = _facts_ip(vars_)
    if interface and not found:
        raise bad_input("observability_interface", "%r has no IPv4 address in the facts of host %s%s"
                        % (interface, host, "" if _facts(vars_) else " (no facts were gathered for it)"),
                        "name an interface of %s that has the address the other hosts reach (`ip -br addr`), "
                        "or set observability_address on it" % host)
    if found:
        return _check_address("observability_interface" if interface else "observability_address", host,
                              str(found)), source
    if vars_.get("ansible_host") if "ansible_host" in vars_ else None:
        return _check_address("ansible_host", host, str(vars_["ansible_host"])), "ansible_host"
    return _check_address("observability_address", host, host), "its inventory name"


def _bind_setting(host, vars_, name, default):
    """A setting that holds the address ports are published on, checked whether a port uses it yet or not: an IP
    address (Docker binds to nothing else), else default when it is empty."""
    value = _setting(vars_, name)
    return check_bind_address(name, value, host) if value else default


def _own_ip(address, vars_):
    """The IP address ports for other hosts are bound to by default: the address itself when it is one, else the
    host's address from its facts, else None."""
    try:
        return str(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        found = _facts_ip(vars_)[0]
        return str(found) if found else None


def _host_ports(host, vars_, components):
    """{component: {port name: host port}} of the host's components, checked."""
    for component in COMPONENT_NAMES:
        renamed = "%s_host_port" % component
        if renamed in vars_ and vars_.get(renamed) is not None:
            raise bad_input(renamed, "on host %s is no longer used: every host port is set in %s, which all hosts of "
                            "the stack can see" % (host, VAR_PORTS),
                            "replace it with %s: {%s: %s}" % (VAR_PORTS, component, vars_.get(renamed)))
    overrides = _setting(vars_, VAR_PORTS) or {}
    if not isinstance(overrides, Mapping):
        raise bad_input(VAR_PORTS, "on host %s must map components to host ports, got %s"
                        % (host, type(overrides).__name__), "set it like {'grafana': 3001, 'alertmanager': "
                        "{'http': 9093, 'cluster': 9094}}")
    for name in overrides:
        if name not in COMPONENTS:
            raise bad_input(VAR_PORTS, "%r (on host %s) is not a component of this stack" % (name, host),
                            "use names from: %s" % ", ".join(COMPONENT_NAMES))
    result = {}
    for component in components:
        ports = COMPONENTS[component]["ports"]
        given = overrides.get(component)
        if given is None:
            given = {}
        elif not isinstance(given, Mapping):
            given = {main_port(component): given}
        for name in given:
            if name not in ports:
                raise bad_input("%s[%r]" % (VAR_PORTS, component), "%r (on host %s) is not a port of %s"
                                % (name, host, component), "use the port names %s, or a number for the main "
                                "port (%s)" % (", ".join(ports), main_port(component)))
        result[component] = {}
        for name, spec in ports.items():
            value = given.get(name, spec["host"])
            variable = "%s[%r]" % (VAR_PORTS, component) if name == main_port(component) \
                else "%s[%r][%r]" % (VAR_PORTS, component, name)
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
                raise bad_input(variable, "%r on host %s is not a port" % (value, host),
                                "give an integer from 1 to 65535")
            result[component][name] = value
    return result


def _check_port_clash(host, record):
    """Refuse two published ports of a host on one host port and protocol."""
    taken = {}
    for component, named in record["ports"].items():
        for name, slot in named.items():
            if slot.get("bind") is None:
                continue
            for protocol in slot["protocols"]:
                key = (slot["host"], protocol)
                if key in taken:
                    other = taken[key]
                    free = slot["host"] + 10000 if slot["host"] < 55535 else slot["host"] - 10000
                    setting = "{%s: %d}" % (component, free) if name == main_port(component) \
                        else "{%s: {%s: %d}}" % (component, name, free)
                    raise bad_input(VAR_PORTS, "%s and %s both publish host port %d/%s on host %s"
                                    % ("%s (%s)" % other, "%s (%s)" % (component, name), slot["host"], protocol,
                                       host),
                                    "give each component its own port, e.g. %s: %s" % (VAR_PORTS, setting))
                taken[key] = (component, name)


def _group_names(vars_):
    """The host's groups, with "all", which Ansible leaves out of group_names, since every host is in it."""
    return set(vars_.get("group_names") or []) | {"all"}


def host_runs_components(vars_):
    """Whether the host's groups or settings give it any component (before the fleet is built)."""
    if "observability_components" in vars_ and vars_.get("observability_components") is not None:
        return bool(vars_.get("observability_components"))
    if _setting(vars_, "observability_extra_components"):
        return True
    names = _group_names(vars_)
    return any(_setting(vars_, group_variable(placement)) in names for placement in PLACEMENTS)


def host_has_address(vars_):
    """Whether the host's address is known without gathering facts: set, or in facts gathered before."""
    if "observability_address" in vars_ and vars_.get("observability_address"):
        return True
    return bool(_facts_ip(vars_)[0])


def _interface_key(interface):
    """The key of an interface's facts (Ansible replaces '-', '.' and ':' in interface names with '_')."""
    return str(interface).replace("-", "_").replace(".", "_").replace(":", "_")


def _components(host, vars_):
    """(components from settings, derived singletons this host is a candidate for, whether it was explicit)."""
    explicit = vars_.get("observability_components") if "observability_components" in vars_ else None
    extra = check_components(list(_setting(vars_, "observability_extra_components") or []),
                             "observability_extra_components")
    if explicit is not None:
        return check_components(explicit), [], extra
    names = _group_names(vars_)
    result, candidates = [], []
    for component, entry in COMPONENTS.items():
        group = _setting(vars_, group_variable(entry["placement"]))
        if group in names:
            (candidates if entry["instances"] == "one" else result).append(component)
    return [c for c in result if c not in extra] + extra, candidates, extra


def build_fleet(hostvars, groups):
    """The fleet as plain data: {'order': [host, ...], 'hosts': {host: record}, 'instances': {component: [host]}}.

    A record: address (peers reach the host there), address_from, prefix, components (catalogue order), and ports
    {component: {port name: {container, host, protocols, bind (None: not published), remote}}}."""
    order = [host for host in groups.get("all", []) if host in hostvars]
    placed, candidates, explicit_one, vars_of = {}, {}, {}, {}
    for host in order:
        vars_ = hostvars[host]
        components, maybe, extra = _components(host, vars_)
        if not components and not maybe:
            continue
        vars_of[host] = vars_
        placed[host] = components
        for component in maybe:
            candidates.setdefault(component, []).append(host)
        for component in components:
            if COMPONENTS[component]["instances"] == "one":
                variable = "observability_extra_components" if component in extra else "observability_components"
                explicit_one.setdefault(component, []).append((host, variable))

    # A component of which there is one: where the inventory puts it, else on the first host of its group.
    for component, entry in COMPONENTS.items():
        if entry["instances"] != "one":
            continue
        holders = explicit_one.get(component, [])
        if len(holders) > 1:
            raise bad_input(holders[1][1], "%s runs on %s and %s, but the stack runs one %s (its storage is on its "
                            "host and it does not cluster)" % (component, holders[0][0], holders[1][0], component),
                            "list %s for one host only" % component)
        if holders or not candidates.get(component):
            continue
        group = _setting(vars_of[candidates[component][0]], group_variable(entry["placement"]))
        ranked = {host: index for index, host in enumerate(groups.get(group, []))}
        first = min(candidates[component], key=lambda host: ranked.get(host, len(ranked)))
        placed[first].append(component)

    fleet = {"order": [], "hosts": {}, "instances": {name: [] for name in COMPONENTS}}
    for host in order:
        if not placed.get(host):
            continue
        vars_ = vars_of[host]
        components = in_catalogue_order(placed[host])
        address, source = _address(host, vars_)
        ports = _host_ports(host, vars_, components)
        fleet["order"].append(host)
        fleet["hosts"][host] = {
            "address": address, "address_from": source,
            "prefix": check_prefix(_setting(vars_, "observability_prefix")),
            "components": components,
            "publish_address": _bind_setting(host, vars_, "observability_publish_address", ""),
            "ip": _own_ip(address, vars_),
            "ui_publish_address": _bind_setting(host, vars_, "observability_ui_publish_address", "127.0.0.1"),
            # How the host's components that serve a web configuration (catalogue `web`) are reached: over TLS, and
            # with the stack's user (None: no basic auth). The password itself stays out of the fleet.
            "web": {"tls": check_tls(_setting(vars_, "observability_web_tls") or False),
                    "username": (str(_setting(vars_, "observability_web_auth_username"))
                                 if _setting(vars_, "observability_web_auth_password") else None)},
            "ports": {component: {name: {"container": COMPONENTS[component]["ports"][name]["container"],
                                         "host": port,
                                         "protocols": list(COMPONENTS[component]["ports"][name]["protocols"])}
                                  for name, port in named.items()}
                      for component, named in ports.items()},
        }
        for component in components:
            fleet["instances"][component].append(host)
    _bind(fleet)
    for host in fleet["order"]:
        _check_port_clash(host, fleet["hosts"][host])
    return plain(fleet)


def _consumers(fleet, component, port):
    """Hosts other than the instance's own that connect to this port of each instance: {host: [consumer hosts]}."""
    instances = fleet["instances"][component]
    result = {host: [] for host in instances}
    for consumer, selection in COMPONENTS[component]["ports"][port]["consumers"]:
        users = fleet["instances"][consumer]
        if selection in ("all", "others"):
            for host in instances:
                if len(users) - (1 if host in fleet["hosts"] and consumer in fleet["hosts"][host]["components"]
                                 else 0) > 0:
                    result[host].append(next(user for user in users if user != host))
        elif selection == "preferred" and instances:
            remote = [user for user in users if component not in fleet["hosts"][user]["components"]]
            if remote:
                result[instances[0]].append(remote[0])
    return result


def _bind(fleet):
    """Decide each published port's bind address; refuse a loopback-only port that another host needs."""
    for component, entry in COMPONENTS.items():
        for port, spec in entry["ports"].items():
            consumed = _consumers(fleet, component, port)
            for host, users in consumed.items():
                record = fleet["hosts"][host]
                slot = record["ports"][component][port]
                slot["remote"] = bool(users)
                if users:
                    slot["bind"] = _remote_bind(record, host, component, port, slot, users[0], fleet)
                elif spec["publish"] == "when_consumed":
                    slot["bind"] = None
                elif spec["ui"]:
                    slot["bind"] = _check_address("observability_ui_publish_address", host,
                                                  record["ui_publish_address"], allow_unspecified=True)
                else:
                    slot["bind"] = "127.0.0.1"


def _remote_bind(record, host, component, port, slot, consumer, fleet):
    """The IP address a port that another host connects to is bound to; refused when it is a loopback address or a
    name (Docker binds published ports to IP addresses only)."""
    who = "%s on host %s connects to its %s port %d" % (
        _consumer_name(component, port, consumer, fleet), consumer, component, slot["host"])
    if record["publish_address"]:
        variable = "observability_publish_address"
        bind = _check_address(variable, host, record["publish_address"], allow_unspecified=True)
        source = variable
    else:
        variable, bind, source = "observability_address", record["ip"] or record["address"], record["address_from"]
    if is_loopback(bind):
        fix = ("set observability_publish_address on host %s to the address of an interface the other hosts reach "
               "(or 0.0.0.0 for every interface)" % host) if variable == "observability_publish_address" else \
            ("set observability_address (or observability_interface) on host %s to an address of it that the other "
             "hosts reach" % host)
        raise bad_input(variable, "on host %s is %r (from %s), which only %s itself reaches, but %s"
                        % (host, bind, source, host, who), fix)
    try:
        ipaddress.ip_address(bind.strip("[]"))
    except ValueError:
        raise bad_input("observability_publish_address", "on host %s is not set and its address %r (from %s) is a "
                        "name, with no IP address in its facts, but Docker binds published ports to IP addresses "
                        "only, and %s" % (host, bind, source, who),
                        "set observability_publish_address on host %s to the IP address of the interface the other "
                        "hosts reach it on (or 0.0.0.0 for every interface), or gather its facts" % host)
    return bind.strip("[]")


def _consumer_name(component, port, consumer_host, fleet):
    for consumer, dummy in COMPONENTS[component]["ports"][port]["consumers"]:
        if consumer in fleet["hosts"][consumer_host]["components"]:
            return "an application" if consumer == APP_HOSTS else consumer
    return "a component"


def check_local(fleet, hostvars, host, local):
    """Refuse settings this host resolves differently from what the other hosts see in its hostvars."""
    vars_ = hostvars[host]
    for name, value in sorted(local.items()):
        if name == "observability_components":
            seen = fleet["hosts"].get(host, {}).get("components", [])
            if sorted(value or []) != sorted(seen):
                raise bad_input(name, "is set for host %s where the other hosts cannot see it (play vars, role "
                                "parameters or include_vars): it says %s, the inventory says %s"
                                % (host, list(value or []), list(seen)),
                                "set it in the inventory (host_vars or group_vars) or as an extra var, so every host "
                                "of the stack agrees on what %s runs" % host)
            continue
        if name not in FLEET_SETTINGS:
            continue
        seen = _setting(vars_, name)
        if _normal(value) != _normal(seen):
            raise bad_input(name, "is set for host %s where the other hosts cannot see it (play vars, role "
                            "parameters or include_vars): it is %r there, %r in the inventory" % (host, value, seen),
                            "set it in the inventory (host_vars or group_vars) or as an extra var, so every host of "
                            "the stack agrees on it")


def _normal(value):
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    return value

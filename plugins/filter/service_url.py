# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: service_url
short_description: The URL at which one host reaches a stack component, found in the inventory
version_added: 0.3.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Returns C(http://<address>:<port>) of O(component) as seen from O(from_host), so that no URL is typed by hand
    (Promtail's Loki push URL, Grafana's datasources).
  - On the same host the component is reached by its container name on the stack network
    (C(http://proxy-loki:3100)).
  - Otherwise the first host of O(hosts) (by inventory name) that runs the component is used, at its
    C(observability_scrape_address), else C(ansible_host), else its inventory name, and at its published port
    (the host's C(<component>_host_port), else its C(observability_published_ports) entry, else O(default_port)).
    Published ports are bound to 127.0.0.1 unless C(observability_publish_address) opens them on that host.
  - Which components a host runs comes from its C(observability_components), else from its groups.
  - Fails naming O(variable) when no host runs the component.
positional: component, from_host, hosts
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  component:
    description: The component to reach, for example C(loki).
    type: str
    required: true
  from_host:
    description: The inventory name of the host that connects.
    type: str
    required: true
  default_port:
    description: Published port when the component's host sets none (the stack default for the component).
    type: int
  variable:
    description: The variable to name in an error, the one a user sets to give the URL by hand.
    type: str
    default: observability_components
extends_documentation_fragment:
  - proxy_agent.observability.inventory
"""

EXAMPLES = r"""
- name: Where Promtail pushes
  ansible.builtin.set_fact:
    promtail_push: "{{ hostvars | proxy_agent.observability.service_url('loki', inventory_hostname, groups['all'])
                       ~ '/loki/api/v1/push' }}"
"""

RETURN = r"""
_value:
  description: C(http://<address>:<port>), without a trailing slash.
  type: str
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import check_prefix
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import CONTAINER_PORTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import container_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import host_components_of
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import remote_address


def service_url(hostvars, component, from_host, hosts, prefix="proxy", monitoring_group="monitoring",
                agents_group="agents", default_port=None, variable="observability_components"):
    """Return http://address:port of component as reached from from_host."""
    if component not in COMPONENTS:
        raise bad_input("component", "%r is not a component of this stack" % (component,),
                        "use one of %s" % ", ".join(sorted(COMPONENTS)))
    check_prefix(prefix)
    if from_host not in hostvars:
        raise bad_input("from_host", "%r is not an inventory host" % (from_host,), "pass inventory_hostname")
    if component in host_components_of(hostvars[from_host], monitoring_group, agents_group):
        return "http://%s:%d" % (container_name(prefix, component), CONTAINER_PORTS[component])
    for host in sorted(set(hosts)):
        if host not in hostvars:
            raise bad_input("hosts", "%r is not an inventory host" % (host,), "pass inventory hostnames, e.g. "
                            "groups['all']")
        if component in host_components_of(hostvars[host], monitoring_group, agents_group):
            return "http://" + remote_address(host, hostvars[host], component, default_port)
    raise bad_input(variable, "no host runs %s, so %s has nothing to connect to" % (component, from_host),
                    "put a host in the %r group (or add %r to a host's observability_components), or set %s "
                    "to the URL of a %s you run elsewhere" % (monitoring_group, component, variable, component))


class FilterModule(object):
    """Where the stack's components are reached."""

    def filters(self):
        return {"service_url": service_url}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: observability_fleet
short_description: Which host runs which component, where other hosts reach it, and which ports it publishes where
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Builds the stack's fleet once from the inventory, as plain data that every other filter reads (scrape targets,
    Alertmanager peers, Promtail's Loki, Grafana's datasources, each container's published ports):
    C({order: [host, ...], hosts: {host: record}, instances: {component: [host, ...]}})."
  - "Placement: a host runs what its C(observability_components) lists; otherwise every component of the catalogue
    whose placement group it is in (C(observability_monitoring_group): Prometheus, Alertmanager, Grafana, Loki;
    C(observability_agents_group): node-exporter, cAdvisor, Promtail; C(observability_postgres_group):
    postgres-exporter; C(observability_redis_group): redis-exporter), plus its C(observability_extra_components).
    Loki runs once: on the first host of the monitoring group (inventory order) unless one host lists it; two hosts
    running it are refused."
  - "Address: the address other hosts reach a host at is its C(observability_address), else the IPv4 address of its
    C(observability_interface), else its default IPv4 address from the facts, else C(ansible_host), else its
    inventory name. Containers do not resolve other hosts' inventory names, so facts (or an explicit address) are
    what works everywhere."
  - "Ports: each component's named ports come from the catalogue, published on the host at the catalogue's port
    unless C(observability_published_ports) gives another (C({grafana: 3001}) for a main port,
    C({alertmanager: {cluster: 9094}}) by name). A port that a component on another host connects to is bound to
    the host's C(observability_publish_address), else its address; a port used only on its own host stays on
    127.0.0.1 (UI ports on C(observability_ui_publish_address)); the Alertmanager cluster port is published only
    when there is a second Alertmanager. Refused, naming the variable: a loopback-only port that another host needs,
    two ports of a host on one host port, a port outside 1 to 65535, the old C(<component>_host_port) variables."
  - "Settings are read from each host's hostvars (inventory, extra vars, facts), falling back to the observability
    role's defaults: a stack-wide setting must be set where every host sees it (see the C(fleet_host) filter,
    which refuses a host whose own view differs)."
positional: groups
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  groups:
    description: C(groups), the inventory's groups and their hosts in inventory order.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Build the fleet once for the whole run
  ansible.builtin.set_fact:
    _observability_fleet: "{{ hostvars | proxy_agent.observability.observability_fleet(groups) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The fleet.
  type: dict
  contains:
    order:
      description: The hosts that run a component, in inventory order.
      type: list
      elements: str
    instances:
      description: Component to the hosts that run it, in inventory order.
      type: dict
    hosts:
      description:
        - "Host to its record: C(address) and C(address_from) (where the address came from), C(prefix),
          C(components) (catalogue order), C(publish_address), C(ui_publish_address), and C(ports)
          (C({component: {port name: {container, host, protocols, bind, remote}}}); C(bind) is None for a port that
          is not published, C(remote) tells whether another host connects to it)."
      type: dict
"""

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet


def observability_fleet(hostvars, groups):
    """Return the fleet built from hostvars and groups."""
    if not isinstance(groups, Mapping) or "all" not in groups:
        raise bad_input("groups", "must be the inventory's groups (the magic variable groups)", "pass groups")
    return build_fleet(hostvars, groups)


class FilterModule(object):
    """The stack's fleet."""

    def filters(self):
        return {"observability_fleet": observability_fleet}

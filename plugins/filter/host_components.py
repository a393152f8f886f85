# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: host_components
short_description: The stack components a host runs, from its inventory groups
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Hosts in the monitoring group run the central services (Prometheus, Alertmanager, Grafana, Loki, Jaeger);
    hosts in the agents group run the per-host collectors (node-exporter, cAdvisor, Promtail). A host in both runs
    both sets. postgres-exporter and redis-exporter run only where a host lists them in O(extra).
options:
  _input:
    description: The host's groups (C(group_names)).
    type: list
    elements: str
    required: true
  monitoring_group:
    description: The group of monitoring hosts (C(observability_monitoring_group)).
    type: str
    default: monitoring
  agents_group:
    description: The group of agent hosts (C(observability_agents_group)).
    type: str
    default: agents
  extra:
    description: Components to add on this host (C(observability_extra_components)).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Show what this host runs
  ansible.builtin.debug:
    msg: "{{ group_names | proxy_agent.observability.host_components(extra=['postgres_exporter']) }}"
"""

RETURN = r"""
_value:
  description: Component names, central services first.
  type: list
  elements: str
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import check_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import default_components


def host_components(group_names, monitoring_group="monitoring", agents_group="agents", extra=None):
    """Return the components a host runs by default, plus extra."""
    result = []
    if monitoring_group in group_names:
        result.extend(default_components("monitoring"))
    if agents_group in group_names:
        result.extend(default_components("agents"))
    for name in check_components(list(extra or []), "observability_extra_components"):
        if name not in result:
            result.append(name)
    return result


class FilterModule(object):
    """Filters for component placement."""

    def filters(self):
        return {"host_components": host_components}

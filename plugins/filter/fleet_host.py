# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_host
short_description: One host's record of the fleet, after checking that the host sees its settings as the others do
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Returns the record of O(host) in the fleet (see P(proxy_agent.observability.observability_fleet#filter)), or
    an empty record (no components) for a host that runs nothing.
  - "The fleet reads every host's settings from its hostvars, which hold the inventory, extra vars and facts but not
    play vars, role parameters or include_vars. O(local) are the values the host itself resolves for the stack-wide
    settings (C(observability_prefix), C(observability_published_ports), C(observability_address), the group names,
    C(observability_components), ...); one that differs from what the fleet read means it was set where the other
    hosts cannot see it, and they would write wrong targets and URLs for it. That is refused, naming the variable."
positional: hostvars, host
options:
  hostvars:
    description: C(hostvars).
    type: dict
    required: true
  host:
    description: The host (C(inventory_hostname)).
    type: str
    required: true
  local:
    description: The host's own values of the stack-wide settings, variable name to value.
    type: dict
    default: {}
extends_documentation_fragment:
  - proxy_agent.observability.fleet
"""

EXAMPLES = r"""
- name: Check this host's view of the stack
  ansible.builtin.set_fact:
    __observability_host: >-
      {{ _observability_fleet | proxy_agent.observability.fleet_host(hostvars, inventory_hostname,
           local={'observability_prefix': observability_prefix}) }}
"""

RETURN = r"""
_value:
  description: The host's record (C(address), C(prefix), C(components), C(ports), ...).
  type: dict
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import check_fleet
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import check_local


def fleet_host(fleet, hostvars, host, local=None):
    """Return host's record of the fleet, refusing settings the other hosts cannot see."""
    check_fleet(fleet)
    check_local(fleet, hostvars, host, dict(local or {}))
    return fleet["hosts"].get(host, {"components": [], "ports": {}})


class FilterModule(object):
    """One host of the fleet."""

    def filters(self):
        return {"fleet_host": fleet_host}

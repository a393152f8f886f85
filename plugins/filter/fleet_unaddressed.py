# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_unaddressed
short_description: Hosts of the stack whose address is not known yet
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Of O(hosts), those that run a component of the stack (see P(proxy_agent.observability.fleet_member#filter)) but
    set no C(observability_address) and have no gathered facts to take it from (C(default_ipv4), or the interface
    C(observability_interface) names).
  - The observability role gathers the network facts of these hosts when a run is limited to other hosts, so that
    the fleet has every host's real address.
positional: hosts
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: The hosts to look at (those outside the play).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Hosts whose address must be gathered
  ansible.builtin.debug:
    msg: "{{ hostvars | proxy_agent.observability.fleet_unaddressed(groups['all'] | difference(ansible_play_hosts_all)) }}"
"""

RETURN = r"""
_value:
  description: The host names, in the given order.
  type: list
  elements: str
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import host_has_address
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import host_runs_components


def fleet_unaddressed(hostvars, hosts):
    """Return the hosts of the stack among hosts whose address is not known."""
    result = []
    for host in hosts:
        if host not in hostvars:
            continue
        vars_ = hostvars[host]
        if host_runs_components(vars_) and not host_has_address(vars_):
            result.append(host)
    return result


class FilterModule(object):
    """Hosts without a known address."""

    def filters(self):
        return {"fleet_unaddressed": fleet_unaddressed}

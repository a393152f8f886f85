# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_member
short_description: Whether a host runs any component of the stack, from its groups and settings
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - True when the host's C(observability_components) lists a component, or its C(observability_extra_components)
    does, or it is in one of the placement groups (C(observability_monitoring_group), C(observability_agents_group),
    C(observability_postgres_group), C(observability_redis_group)). The site playbook groups such hosts before it
    gathers facts, so hosts of a shared inventory that run nothing are never contacted.
options:
  _input:
    description: The host's variables (C(hostvars[inventory_hostname])).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Group the hosts of the stack
  ansible.builtin.group_by:
    key: observability_stack
  when: hostvars[inventory_hostname] | proxy_agent.observability.fleet_member
"""

RETURN = r"""
_value:
  description: Whether the host runs a component.
  type: bool
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import host_runs_components


def fleet_member(host_vars):
    """Return whether a host runs any component."""
    return host_runs_components(host_vars)


class FilterModule(object):
    """Membership of the stack."""

    def filters(self):
        return {"fleet_member": fleet_member}

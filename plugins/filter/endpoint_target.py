# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: endpoint_target
short_description: The address:port of an endpoint of the fleet
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - C(<address>:<port>) of an endpoint from P(proxy_agent.observability.fleet_endpoints#filter), with an IPv6
    address in brackets, as flags such as Alertmanager's C(--cluster.peer) take it.
options:
  _input:
    description: The endpoint.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The other Alertmanagers of the cluster
  ansible.builtin.debug:
    msg: >-
      {{ _observability_fleet | proxy_agent.observability.fleet_endpoints('alertmanager', inventory_hostname,
           port='cluster', select='others') | map('proxy_agent.observability.endpoint_target') | list }}
"""

RETURN = r"""
_value:
  description: The target.
  type: str
"""

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoint_target as _target
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input


def endpoint_target(endpoint):
    """Return address:port of endpoint."""
    if not isinstance(endpoint, Mapping) or not {"address", "port"} <= set(endpoint):
        raise bad_input("endpoint", "%r is not an endpoint" % (endpoint,), "pass an item of fleet_endpoints")
    return _target(endpoint)


class FilterModule(object):
    """Targets of endpoints."""

    def filters(self):
        return {"endpoint_target": endpoint_target}

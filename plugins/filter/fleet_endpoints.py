# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_endpoints
short_description: How one host reaches the instances of a component, as structured endpoints
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Returns one endpoint per instance of O(component) in the fleet, in inventory order, as O(from_host) reaches it:
    C({component, host, port_name, scheme, address, port, path, local, tls, basic_auth}). On O(from_host) itself the
    address is the container's name on the stack network and the port the container's; on another host the host's
    address and published port."
  - "Where the instance serves TLS (C(observability_web_tls), components with a web configuration) C(scheme) is
    V(https) and C(tls) is C({ca_file}); where the stack has a password (C(observability_web_auth_password))
    C(basic_auth) is C({username, password_file}); both None otherwise. The file names are relative to the client's
    own configuration directory, where the client keeps the CA certificate and the password."
  - Make URLs with P(proxy_agent.observability.endpoint_url#filter); never build them by hand.
positional: component, from_host
options:
  component:
    description: The component, for example C(alertmanager).
    type: str
    required: true
  from_host:
    description: The host that connects (C(inventory_hostname)); empty for a host outside the fleet.
    type: str
    required: true
  port:
    description: The catalogue's name of the port (default the component's main port), for example C(cluster).
    type: str
  select:
    description: V(all) instances, the V(preferred) one (O(from_host)'s own, else the first; at most one), or the
      V(others) (all but O(from_host)'s own, for cluster peers).
    type: str
    choices: [all, preferred, others]
    default: all
  published:
    description:
      - For O(from_host)'s own instance, the address and port where it is published on the host (loopback when
        published on every interface) instead of the container on the stack network. This is how the play on the
        host itself connects to it, at an address its certificate names.
    type: bool
    default: false
extends_documentation_fragment:
  - proxy_agent.observability.fleet
"""

EXAMPLES = r"""
- name: Where Promtail pushes
  ansible.builtin.debug:
    msg: >-
      {{ _observability_fleet | proxy_agent.observability.fleet_endpoints('loki', inventory_hostname,
           select='preferred') | map('proxy_agent.observability.endpoint_url', '/loki/api/v1/push') | list }}
"""

RETURN = r"""
_value:
  description: The endpoints.
  type: list
  elements: dict
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoints


def fleet_endpoints(fleet, component, from_host, port=None, select="all", published=False):
    """Return the endpoints of component's instances as from_host reaches them."""
    return endpoints(fleet, component, from_host, port=port, select=select, published=bool(published))


class FilterModule(object):
    """Endpoints of the fleet."""

    def filters(self):
        return {"fleet_endpoints": fleet_endpoints}

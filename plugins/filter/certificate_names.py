# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: certificate_names
short_description: The subject alternative names of a host's certificate
version_added: 0.8.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Every name and address a client reaches the components of O(host) at, as C(DNS:<name>) and C(IP:<address>)
    entries for the certificate the internal CA signs: C(localhost), the inventory name, the containers' names and
    network aliases of its components that serve TLS (Prometheus on the same host reaches them over the stack
    network by name), the host's address in the fleet, the addresses its ports are published on, C(127.0.0.1) and
    C(::1). Empty when the host runs no component that serves TLS."
positional: host
options:
  host:
    description: The host (C(inventory_hostname)).
    type: str
    required: true
extends_documentation_fragment:
  - proxy_agent.observability.fleet
"""

EXAMPLES = r"""
- name: The names of this host's certificate
  ansible.builtin.debug:
    msg: "{{ _observability_fleet | proxy_agent.observability.certificate_names(inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The subject alternative names, DNS names first, each once.
  type: list
  elements: str
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import certificate_names as _names
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import check_fleet
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input


def certificate_names(fleet, host):
    """Return the subject alternative names of host's certificate."""
    check_fleet(fleet)
    if host not in fleet["hosts"]:
        raise bad_input("observability_components", "host %s runs no component of the stack" % (host,),
                        "put it into a group that places components, or leave TLS to the hosts that run them")
    names, addresses = _names(fleet, host)
    return ["DNS:%s" % name for name in names] + ["IP:%s" % address for address in addresses]


class FilterModule(object):
    """Certificate names of the fleet's hosts."""

    def filters(self):
        return {"certificate_names": certificate_names}

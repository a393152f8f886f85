# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: docker_network_spec
short_description: Check the stack network settings and shape them for community.docker.docker_network
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Checks the network name, driver, subnet and gateway, and returns the arguments for
    M(community.docker.docker_network).
  - A subnet must be a network in CIDR notation with no host bits set; a gateway must be a usable host address
    inside it.
options:
  _input:
    description: The network name (C(observability_network_name)).
    type: str
    required: true
  driver:
    description: The network driver (C(docker_host_network_driver)).
    type: str
    default: bridge
  subnet:
    description: The subnet in CIDR notation, or empty to let Docker choose (C(docker_host_network_subnet)).
    type: str
    default: ""
  gateway:
    description: The gateway address, or empty to let Docker choose (C(docker_host_network_gateway)).
    type: str
    default: ""
  labels:
    description: Labels to set on the network.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Create the stack network
  community.docker.docker_network: "{{ 'proxy-network' | proxy_agent.observability.docker_network_spec(subnet='172.30.0.0/24') }}"
"""

RETURN = r"""
_value:
  description: Arguments for M(community.docker.docker_network).
  type: dict
"""

import ipaddress
import re

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

DRIVERS = ("bridge", "overlay", "macvlan", "ipvlan")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def docker_network_spec(name, driver="bridge", subnet="", gateway="", labels=None):
    """Return community.docker.docker_network arguments for the stack network, or raise naming the variable."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise bad_input("observability_network_name", "%r is not a valid Docker network name" % (name,),
                        "use letters, digits, '_', '.' and '-', starting with a letter or digit, e.g. 'proxy-network'")
    if driver not in DRIVERS:
        raise bad_input("docker_host_network_driver", "%r is not a network driver this role supports" % (driver,),
                        "use one of %s" % ", ".join(DRIVERS))
    spec = {"name": name, "driver": driver, "labels": dict(labels or {})}
    if subnet in (None, ""):
        if gateway not in (None, ""):
            raise bad_input("docker_host_network_gateway", "is set (%r) but docker_host_network_subnet is empty"
                            % (gateway,), "set docker_host_network_subnet too, or leave both empty")
        return spec
    try:
        network = ipaddress.ip_network(subnet, strict=True)
    except ValueError:
        raise bad_input("docker_host_network_subnet", "%r is not a network in CIDR notation" % (subnet,),
                        "write it like '172.30.0.0/24', with the host bits zero")
    ipam = {"subnet": str(network)}
    if gateway not in (None, ""):
        try:
            address = ipaddress.ip_address(gateway)
        except ValueError:
            raise bad_input("docker_host_network_gateway", "%r is not an IP address" % (gateway,),
                            "write it like '172.30.0.1'")
        hosts = network.num_addresses > 2 and address not in (network.network_address, network.broadcast_address)
        if address not in network or not hosts:
            raise bad_input("docker_host_network_gateway", "%s is not a usable host address in %s" % (address, network),
                            "pick an address inside docker_host_network_subnet, e.g. %s" % next(network.hosts()))
        ipam["gateway"] = str(address)
    spec["ipam_config"] = [ipam]
    return spec


class FilterModule(object):
    """Filters for the stack network."""

    def filters(self):
        return {"docker_network_spec": docker_network_spec}

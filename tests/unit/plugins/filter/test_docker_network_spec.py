# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.docker_network_spec import docker_network_spec


def test_without_subnet_docker_chooses_the_range():
    assert docker_network_spec("proxy-network") == {"name": "proxy-network", "driver": "bridge", "labels": {}}


def test_subnet_and_gateway_become_ipam_config():
    spec = docker_network_spec("proxy-network", subnet="172.30.0.0/24", gateway="172.30.0.1", labels={"a": "b"})
    assert spec == {"name": "proxy-network", "driver": "bridge", "labels": {"a": "b"},
                    "ipam_config": [{"subnet": "172.30.0.0/24", "gateway": "172.30.0.1"}]}


def test_ipv6_subnet_is_accepted():
    assert docker_network_spec("n", subnet="fd00:30::/64")["ipam_config"] == [{"subnet": "fd00:30::/64"}]


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "-bad"}, "observability_network_name: '-bad' is not a valid Docker network name. Fix: use letters, "
                       "digits, '_', '.' and '-', starting with a letter or digit, e.g. 'proxy-network'"),
    ({"driver": "weave"}, "docker_host_network_driver: 'weave' is not a network driver this role supports. "
                          "Fix: use one of bridge, overlay, macvlan, ipvlan"),
    ({"subnet": "172.30.0.0/33"}, "docker_host_network_subnet: '172.30.0.0/33' is not a network in CIDR notation. "
                                  "Fix: write it like '172.30.0.0/24', with the host bits zero"),
    ({"subnet": "172.30.0.1/24"}, "docker_host_network_subnet: '172.30.0.1/24' is not a network in CIDR notation. "
                                  "Fix: write it like '172.30.0.0/24', with the host bits zero"),
    ({"subnet": "proxy"}, "docker_host_network_subnet: 'proxy' is not a network in CIDR notation. "
                          "Fix: write it like '172.30.0.0/24', with the host bits zero"),
    ({"gateway": "172.30.0.1"}, "docker_host_network_gateway: is set ('172.30.0.1') but docker_host_network_subnet "
                                "is empty. Fix: set docker_host_network_subnet too, or leave both empty"),
    ({"subnet": "172.30.0.0/24", "gateway": "172.31.0.1"},
     "docker_host_network_gateway: 172.31.0.1 is not a usable host address in 172.30.0.0/24. "
     "Fix: pick an address inside docker_host_network_subnet, e.g. 172.30.0.1"),
    ({"subnet": "172.30.0.0/24", "gateway": "172.30.0.255"},
     "docker_host_network_gateway: 172.30.0.255 is not a usable host address in 172.30.0.0/24. "
     "Fix: pick an address inside docker_host_network_subnet, e.g. 172.30.0.1"),
    ({"subnet": "172.30.0.0/24", "gateway": "gw"},
     "docker_host_network_gateway: 'gw' is not an IP address. Fix: write it like '172.30.0.1'"),
])
def test_bad_network_settings_are_rejected_naming_the_variable(kwargs, message):
    name = kwargs.pop("name", "proxy-network")
    with pytest.raises(AnsibleFilterError) as exc:
        docker_network_spec(name, **kwargs)
    assert str(exc.value) == message

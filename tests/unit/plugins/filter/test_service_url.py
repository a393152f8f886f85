# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""service_url: the URL at which a host reaches a component, from the inventory."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.service_url import service_url

HOSTVARS = {
    "mon1": {"group_names": ["agents", "monitoring"], "ansible_host": "10.0.0.1"},
    "mon2": {"group_names": ["monitoring"], "ansible_host": "10.0.0.9"},
    "app1": {"group_names": ["agents"], "ansible_host": "10.0.0.2"},
}
HOSTS = ["app1", "mon2", "mon1"]


def test_same_host_uses_the_container_name_on_the_stack_network():
    assert service_url(HOSTVARS, "loki", "mon1", HOSTS) == "http://proxy-loki:3100"
    assert service_url(HOSTVARS, "loki", "mon1", HOSTS, prefix="obs") == "http://obs-loki:3100"


def test_other_host_uses_the_first_monitoring_host_by_name_at_its_published_port():
    assert service_url(HOSTVARS, "loki", "app1", HOSTS) == "http://10.0.0.1:3100"
    assert service_url(HOSTVARS, "grafana", "app1", HOSTS, default_port=3001) == "http://10.0.0.1:3001"


def test_the_remote_hosts_own_port_and_scrape_address_win():
    hostvars = {k: dict(v) for k, v in HOSTVARS.items()}
    hostvars["mon1"].update(loki_host_port=13100, observability_scrape_address="mon1.internal")
    assert service_url(hostvars, "loki", "app1", HOSTS) == "http://mon1.internal:13100"
    hostvars["mon1"] = {"group_names": ["monitoring"], "observability_published_ports": {"loki": 23100}}
    assert service_url(hostvars, "loki", "app1", HOSTS, default_port=3100) == "http://mon1:23100"


def test_observability_components_decides_over_groups():
    hostvars = {k: dict(v) for k, v in HOSTVARS.items()}
    hostvars["mon1"]["observability_components"] = ["prometheus"]
    assert service_url(hostvars, "loki", "app1", HOSTS) == "http://10.0.0.9:3100"


@pytest.mark.parametrize("args, kwargs, message", [
    ((HOSTVARS, "loki", "app1", ["app1"]), {"variable": "promtail_loki_url"},
     "promtail_loki_url: no host runs loki, so app1 has nothing to connect to. Fix: put a host in the 'monitoring' "
     "group (or add 'loki' to a host's observability_components), or set promtail_loki_url to the URL of a loki you "
     "run elsewhere"),
    ((HOSTVARS, "kibana", "app1", HOSTS), {},
     "component: 'kibana' is not a component of this stack. Fix: use one of alertmanager, cadvisor, grafana, jaeger, "
     "loki, node_exporter, postgres_exporter, prometheus, promtail, redis_exporter"),
    ((HOSTVARS, "loki", "db9", HOSTS), {}, "from_host: 'db9' is not an inventory host. Fix: pass inventory_hostname"),
    ((HOSTVARS, "loki", "app1", ["app1", "db9"]), {}, "hosts: 'db9' is not an inventory host"),
    ((dict(HOSTVARS, mon1=dict(HOSTVARS["mon1"], loki_host_port="31oo")), "loki", "app1", HOSTS), {},
     "loki_host_port: '31oo' on host mon1 is not a port. Fix: give a port from 1 to 65535"),
])
def test_bad_input_names_the_variable(args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        service_url(*args, **kwargs)
    assert str(error.value).startswith(message)

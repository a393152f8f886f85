# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""published_ports: every enabled component gets a valid host port of its own."""
from __future__ import annotations

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.published_ports import published_ports

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
with open(os.path.join(ROOT, "roles", "observability", "defaults", "main.yml"), encoding="utf-8") as _handle:
    PORTS = yaml.safe_load(_handle)["observability_published_ports"]

ALL = ["prometheus", "alertmanager", "grafana", "loki", "jaeger", "node_exporter", "cadvisor", "promtail",
       "postgres_exporter", "redis_exporter"]


def test_the_default_ports_are_the_seeds_and_all_distinct():
    assert published_ports(ALL, PORTS) == {
        "prometheus": 9090, "alertmanager": 9093, "grafana": 3001, "loki": 3100, "jaeger": 16686,
        "node_exporter": 9100, "cadvisor": 8080, "promtail": 9080, "postgres_exporter": 9187,
        "redis_exporter": 9121,
    }


def test_only_enabled_components_are_returned_and_checked():
    ports = dict(PORTS, grafana=9090, loki="not a port")
    assert published_ports(["prometheus", "node_exporter"], ports) == {"prometheus": 9090, "node_exporter": 9100}


def test_a_role_port_replaces_the_stack_entry_and_digit_strings_count():
    assert published_ports(["prometheus", "node_exporter"], PORTS, overrides={"prometheus": "19090"}) == \
        {"prometheus": 19090, "node_exporter": 9100}


def test_an_override_for_a_component_that_is_not_enabled_is_checked_too():
    assert published_ports(["prometheus"], PORTS, overrides={"redis_exporter": 9121}) == \
        {"prometheus": 9090, "redis_exporter": 9121}


def test_no_components_need_no_ports():
    assert published_ports([], {}) == {}


@pytest.mark.parametrize("components, ports, overrides, message", [
    (["prometheus", "alertmanager"], dict(PORTS, alertmanager=9090), None,
     "observability_published_ports: alertmanager and prometheus both publish host port 9090. "
     "Fix: give each component its own port"),
    (["prometheus", "alertmanager", "node_exporter"], PORTS, {"prometheus": 9093},
     "prometheus_host_port: alertmanager and prometheus both publish host port 9093. "
     "Fix: give each component its own port: change prometheus_host_port, or unset it to use "
     "observability_published_ports['prometheus']"),
    (["prometheus", "alertmanager"], PORTS, {"prometheus": 9099, "alertmanager": "9099"},
     "alertmanager_host_port / prometheus_host_port: alertmanager and prometheus both publish host port 9099. "
     "Fix: give each component its own port: change alertmanager_host_port or prometheus_host_port, or unset "
     "them to use observability_published_ports"),
    # A role port equal to the stack's is the stack's: the stack mapping is what to fix.
    (["prometheus", "alertmanager"], dict(PORTS, alertmanager=9090), {"prometheus": 9090, "alertmanager": 9090},
     "observability_published_ports: alertmanager and prometheus both publish host port 9090. "
     "Fix: give each component its own port"),
    (["node_exporter"], PORTS, {"cadvisor": 9100},
     "cadvisor_host_port: cadvisor and node_exporter both publish host port 9100. "
     "Fix: give each component its own port: change cadvisor_host_port, or unset it to use "
     "observability_published_ports['cadvisor']"),
    (["prometheus", "loki"], {"prometheus": 9090}, None,
     "observability_published_ports: has no host port for the enabled component 'loki'. "
     "Fix: add an entry for it (a mapping you set replaces the whole default one)"),
    (["prometheus"], dict(PORTS, prometheus="9090/tcp"), None,
     "observability_published_ports['prometheus']: '9090/tcp' is not a port. Fix: give an integer from 1 to 65535"),
    (["prometheus"], dict(PORTS, prometheus=0), None,
     "observability_published_ports['prometheus']: 0 is not a port. Fix: give an integer from 1 to 65535"),
    (["prometheus"], dict(PORTS, prometheus=65536), None,
     "observability_published_ports['prometheus']: 65536 is not a port. Fix: give an integer from 1 to 65535"),
    (["prometheus"], dict(PORTS, prometheus=True), None,
     "observability_published_ports['prometheus']: True is not a port. Fix: give an integer from 1 to 65535"),
    (["prometheus"], dict(PORTS, prometheus=9090.0), None,
     "observability_published_ports['prometheus']: 9090.0 is not a port. Fix: give an integer from 1 to 65535"),
    (["prometheus"], PORTS, {"prometheus": None},
     "prometheus_host_port: None is not a port. Fix: give an integer from 1 to 65535"),
    (["prometheus"], dict(PORTS, promethus=9091), None,
     "observability_published_ports: 'promethus' is not a component of this stack. Fix: use names from: "
     "alertmanager, cadvisor, grafana, jaeger, loki, node_exporter, postgres_exporter, prometheus, promtail, "
     "redis_exporter"),
    (["prometheus"], [9090], None,
     "observability_published_ports: must map components to host ports, got list. "
     "Fix: set it like {'prometheus': 9090, 'node_exporter': 9100}"),
    (["prometheus", "prometheus"], PORTS, None,
     "observability_components: 'prometheus' is listed twice. Fix: list each component once"),
])
def test_bad_ports_are_rejected_naming_both_components_and_the_variable(components, ports, overrides, message):
    with pytest.raises(AnsibleFilterError) as exc:
        published_ports(components, ports, overrides=overrides)
    assert str(exc.value) == message

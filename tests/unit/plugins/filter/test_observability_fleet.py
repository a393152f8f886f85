# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""observability_fleet and the filters around it on Ansible's own objects: inventories loaded by InventoryManager,
variables read through the lazy HostVars, facts set by the VariableManager, as in a play."""
from __future__ import annotations

import json
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.proxy_agent.observability.plugins.filter.component_spec import component_spec
from ansible_collections.proxy_agent.observability.plugins.filter.endpoint_target import endpoint_target
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_endpoints import fleet_endpoints
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_host import fleet_host
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_member import fleet_member
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_unaddressed import fleet_unaddressed
from ansible_collections.proxy_agent.observability.plugins.filter.observability_fleet import observability_fleet
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_scrape_configs import (
    prometheus_scrape_configs,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
MULTI_HOST = os.path.join(ROOT, "inventory", "multi-host", "hosts.yml")
AGENTS = ["node_exporter", "cadvisor", "promtail"]
# The private network's address (eth1) of each host of inventory/multi-host, and a default address it must not use.
ETH1 = {"mon1": "10.1.0.1", "mon2": "10.1.0.2", "app1": "10.1.0.3", "app2": "10.1.0.4", "db1": "10.1.0.5",
        "cache1": "10.1.0.6"}

SMALL = """
all:
  children:
    central:
      hosts:
        mon2:
        mon1:
    agents:
      hosts:
        mon1:
        app1:
          observability_published_ports: {node_exporter: 19100}
"""
SMALL_GROUP_VARS = """
observability_prefix: obs
observability_monitoring_group: "{{ 'cent' ~ 'ral' }}"
"""


def load(sources, facts):
    """(hostvars, groups) of an inventory, with facts set for its hosts as a play's fact gathering would."""
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=sources)
    variables = VariableManager(loader=loader, inventory=inventory)
    for name, host_facts in facts.items():
        variables.set_host_facts(name, host_facts)
    return HostVars(inventory=inventory, variable_manager=variables, loader=loader), inventory.get_groups_dict()


def default_ipv4(address):
    return {"default_ipv4": {"address": address}}


def full(name):
    return "%s.example.internal" % name


def multi_host_facts(**changes):
    facts = {full(name): dict(default_ipv4("192.0.2.%d" % number), eth1={"ipv4": {"address": ETH1[name]}})
             for number, name in enumerate(ETH1, 1)}
    facts.update({full(name): value for name, value in changes.items()})
    return facts


@pytest.fixture(name="small")
def small_inventory(tmp_path):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "hosts.yml").write_text(SMALL)
    (tmp_path / "group_vars" / "all.yml").write_text(SMALL_GROUP_VARS)
    return load([str(tmp_path / "hosts.yml")], {"mon1": default_ipv4("10.0.0.1"), "mon2": default_ipv4("10.0.0.2"),
                                                "app1": default_ipv4("10.0.0.3")})


@pytest.fixture(name="multi_host")
def multi_host_inventory():
    return load([MULTI_HOST], multi_host_facts())


# A small inventory of our own


def test_hostvars_give_placement_addresses_and_ports_with_templated_group_vars(small):
    result = observability_fleet(*small)
    assert result["order"] == ["mon2", "mon1", "app1"]
    assert {name: (record["address"], record["prefix"], record["components"])
            for name, record in result["hosts"].items()} == {
        "mon2": ("10.0.0.2", "obs", ["loki", "jaeger", "alertmanager", "prometheus", "grafana"]),
        "mon1": ("10.0.0.1", "obs", ["node_exporter", "cadvisor", "promtail", "alertmanager", "prometheus",
                                     "grafana"]),
        "app1": ("10.0.0.3", "obs", AGENTS)}
    assert result["hosts"]["app1"]["ports"]["node_exporter"]["metrics"] == \
        {"container": 9100, "host": 19100, "protocols": ["tcp"], "bind": "10.0.0.3", "remote": True}


def test_loki_and_jaeger_run_on_the_first_host_of_the_templated_monitoring_group(small):
    result = observability_fleet(*small)
    assert result["instances"]["loki"] == ["mon2"]
    assert result["instances"]["jaeger"] == ["mon2"]


def test_the_scrape_configs_of_a_fleet_from_hostvars_are_plain_data(small):
    result = prometheus_scrape_configs(observability_fleet(*small), "mon1")
    assert result["files"]["targets/node.json"] == [
        {"targets": ["10.0.0.3:19100"], "labels": {"host": "app1", "instance": "app1:19100"}},
        {"targets": ["obs-node-exporter:9100"], "labels": {"host": "mon1", "instance": "mon1:9100"}}]
    assert yaml.safe_load(yaml.safe_dump(result)) == json.loads(json.dumps(result))


def test_the_fleet_from_hostvars_is_plain_data(small):
    fleet = observability_fleet(*small)
    assert yaml.safe_load(yaml.safe_dump(fleet)) == fleet


def test_fleet_host_reads_the_same_settings_through_hostvars(small):
    hostvars, groups = small
    result = observability_fleet(hostvars, groups)
    local = {"observability_prefix": "obs", "observability_monitoring_group": "central",
             "observability_published_ports": {"node_exporter": 19100}, "observability_components": AGENTS}
    assert fleet_host(result, hostvars, "app1", local=local)["address"] == "10.0.0.3"
    with pytest.raises(AnsibleFilterError) as exc:
        fleet_host(result, hostvars, "app1", local=dict(local, observability_prefix="proxy"))
    assert str(exc.value) == (
        "observability_prefix: is set for host app1 where the other hosts cannot see it (play vars, role parameters or "
        "include_vars): it is 'proxy' there, 'obs' in the inventory. Fix: set it in the inventory (host_vars or "
        "group_vars) or as an extra var, so every host of the stack agrees on it")


@pytest.mark.parametrize("groups", [{"central": ["mon1"]}, ["mon1"], None])
def test_observability_fleet_refuses_what_is_not_the_groups_variable(small, groups):
    with pytest.raises(AnsibleFilterError) as exc:
        observability_fleet(small[0], groups)
    assert str(exc.value) == "groups: must be the inventory's groups (the magic variable groups). Fix: pass groups"


def test_the_group_all_places_the_collectors_on_every_host(tmp_path):
    (tmp_path / "hosts.yml").write_text(
        "all:\n  vars:\n    observability_agents_group: all\n  hosts:\n    web1:\n"
        "  children:\n    monitoring:\n      hosts:\n        mon1:\n")
    hostvars, groups = load([str(tmp_path / "hosts.yml")], {"web1": default_ipv4("10.0.0.2"),
                                                            "mon1": default_ipv4("10.0.0.1")})
    result = observability_fleet(hostvars, groups)
    assert result["instances"]["node_exporter"] == ["web1", "mon1"]
    assert fleet_member(hostvars["web1"]) is True


# inventory/multi-host, as documented in its hosts.yml


def test_the_multi_host_inventory_places_an_ha_pair_loki_and_jaeger_once_and_the_exporters(multi_host):
    result = observability_fleet(*multi_host)
    central = ["alertmanager", "prometheus", "grafana"]
    assert {name.split(".")[0]: record["components"] for name, record in result["hosts"].items()} == {
        "mon1": ["node_exporter", "cadvisor", "loki", "jaeger", "promtail"] + central,
        "mon2": AGENTS + central,
        "app1": AGENTS,
        "app2": AGENTS,
        "db1": ["node_exporter", "cadvisor", "postgres_exporter", "promtail"],
        "cache1": ["node_exporter", "cadvisor", "redis_exporter", "promtail"]}


def test_the_multi_host_inventory_reaches_every_host_at_its_eth1_address(multi_host):
    result = observability_fleet(*multi_host)
    assert {name.split(".")[0]: (record["address"], record["address_from"])
            for name, record in result["hosts"].items()} == \
        {name: (address, "observability_interface (eth1)") for name, address in ETH1.items()}


def test_the_multi_host_alertmanagers_peer_with_each_other(multi_host):
    result = observability_fleet(*multi_host)
    assert [endpoint_target(ep) for ep in fleet_endpoints(result, "alertmanager", full("mon1"), port="cluster",
                                                          select="others")] == ["10.1.0.2:9094"]
    assert [endpoint_target(ep) for ep in fleet_endpoints(result, "alertmanager", full("mon2"), port="cluster",
                                                          select="others")] == ["10.1.0.1:9094"]
    assert component_spec(result, full("mon2"), "alertmanager")["published_ports"] == \
        ["10.1.0.2:9093:9093", "10.1.0.2:9094:9094", "10.1.0.2:9094:9094/udp"]


def test_the_multi_host_ports_are_bound_to_the_eth1_addresses(multi_host):
    result = observability_fleet(*multi_host)
    # Only Jaeger's health port (probed on its host) is used by no other host: it stays on the loopback. Its OTLP
    # ports take the traces of the applications of every watched host.
    local = {("jaeger", "health")}
    for name, address in ETH1.items():
        ports = result["hosts"][full(name)]["ports"]
        assert {(component, port): slot["bind"] for component, named in ports.items()
                for port, slot in named.items()} == {
            (component, port): "127.0.0.1" if (component, port) in local else address
            for component, named in ports.items() for port in named}, name
    assert {port: slot["bind"] for port, slot in result["hosts"][full("mon1")]["ports"]["jaeger"].items()} == {
        "ui": "10.1.0.1", "otlp_grpc": "10.1.0.1", "otlp_http": "10.1.0.1", "health": "127.0.0.1",
        "admin": "10.1.0.1"}
    assert component_spec(result, full("db1"), "postgres_exporter")["published_ports"] == ["10.1.0.5:9187:9187"]


def test_a_multi_host_host_without_the_interface_in_its_facts_is_refused():
    hostvars, groups = load([MULTI_HOST], multi_host_facts(db1=default_ipv4("192.0.2.5")))
    with pytest.raises(AnsibleFilterError) as exc:
        observability_fleet(hostvars, groups)
    assert str(exc.value) == (
        "observability_interface: 'eth1' has no IPv4 address in the facts of host db1.example.internal. Fix: name an "
        "interface of db1.example.internal that has the address the other hosts reach (`ip -br addr`), or set "
        "observability_address on it")


def test_every_multi_host_host_is_a_member_and_needs_its_address_gathered_before_facts():
    hostvars, groups = load([MULTI_HOST], {})
    assert [name for name in groups["all"] if fleet_member(hostvars[name])] == groups["all"]
    assert fleet_unaddressed(hostvars, groups["all"]) == groups["all"]


def test_no_multi_host_host_needs_its_address_gathered_once_facts_are_there(multi_host):
    hostvars, groups = multi_host
    assert fleet_unaddressed(hostvars, groups["all"]) == []

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet: placement, addresses, published ports and bind addresses, from hostvars and groups; and the filters
fleet_host, fleet_member and fleet_unaddressed that read a host's settings the same way."""
from __future__ import annotations

import ipaddress

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.fleet_host import fleet_host
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_member import fleet_member
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_unaddressed import fleet_unaddressed
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import host_runs_components

MONITORING = ["loki", "jaeger", "alertmanager", "prometheus", "grafana"]
AGENTS = ["node_exporter", "cadvisor", "promtail"]
ALL_ON_ONE = ["node_exporter", "cadvisor", "loki", "jaeger", "promtail", "alertmanager", "prometheus", "grafana"]
NAMES = ("alertmanager, backend, cadvisor, grafana, jaeger, loki, node_exporter, postgres_exporter, prometheus, "
         "promtail, redis_exporter")


def host(*groups, address=None, **settings):
    """A host's variables: its groups, a default IPv4 address in its facts, settings."""
    vars_ = {"group_names": list(groups)}
    if address:
        vars_["ansible_facts"] = {"default_ipv4": {"address": address}}
    vars_.update(settings)
    return vars_


def inventory(**hosts):
    """(hostvars, groups), the groups in the order the hosts are given."""
    groups = {"all": list(hosts)}
    for name, vars_ in hosts.items():
        for group in vars_.get("group_names", []):
            groups.setdefault(group, []).append(name)
    return hosts, groups


def fleet(**hosts):
    return build_fleet(*inventory(**hosts))


def pair():
    """mon1 runs the central services and the collectors, app1 the collectors."""
    return fleet(mon1=host("monitoring", "agents", address="10.0.0.1"), app1=host("agents", address="10.0.0.2"))


def binds(result, name):
    """{component: {port: bind}} of a host."""
    return {component: {port: slot["bind"] for port, slot in ports.items()}
            for component, ports in result["hosts"][name]["ports"].items()}


def is_ip(address):
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def refused(call):
    with pytest.raises(AnsibleFilterError) as exc:
        call()
    return str(exc.value)


# Placement


def test_monitoring_hosts_run_the_central_services_and_agents_the_collectors_in_catalogue_order():
    result = pair()
    assert result["order"] == ["mon1", "app1"]
    assert result["hosts"]["mon1"]["components"] == ALL_ON_ONE
    assert result["hosts"]["app1"]["components"] == AGENTS


def test_instances_list_the_hosts_of_every_catalogue_component_in_inventory_order():
    assert pair()["instances"] == {
        "node_exporter": ["mon1", "app1"], "cadvisor": ["mon1", "app1"], "postgres_exporter": [],
        "redis_exporter": [], "loki": ["mon1"], "jaeger": ["mon1"], "promtail": ["mon1", "app1"],
        "alertmanager": ["mon1"], "prometheus": ["mon1"], "grafana": ["mon1"], "backend": []}


def test_group_names_set_in_hostvars_place_the_components():
    groups = {"observability_monitoring_group": "central", "observability_agents_group": "collectors"}
    result = fleet(mon1=host("central", address="10.0.0.1", **groups),
                   app1=host("collectors", "monitoring", address="10.0.0.2", **groups))
    assert result["hosts"]["mon1"]["components"] == MONITORING
    assert result["hosts"]["app1"]["components"] == AGENTS


def test_hosts_of_the_sample_backend_group_run_the_backend_last():
    result = fleet(mon1=host("monitoring", address="10.0.0.1"),
                   app1=host("agents", "sample_backend", address="10.0.0.2"),
                   app2=host("sample_backend", address="10.0.0.3"),
                   web1=host("backend", address="10.0.0.4"))
    assert result["instances"]["backend"] == ["app1", "app2"]
    assert result["hosts"]["app1"]["components"] == AGENTS + ["backend"]
    assert result["hosts"]["app2"]["components"] == ["backend"]
    assert "web1" not in result["hosts"]  # the group "backend" is not the sample backend's
    assert "backend" not in result["hosts"]["mon1"]["components"]


def test_a_custom_backend_group_places_the_sample_backend():
    settings = {"observability_backend_group": "apps"}
    result = fleet(mon1=host("monitoring", address="10.0.0.1", **settings),
                   app1=host("apps", address="10.0.0.2", **settings),
                   app2=host("sample_backend", address="10.0.0.3", **settings))
    assert result["instances"]["backend"] == ["app1"]
    assert result["order"] == ["mon1", "app1"]
    assert result["hosts"]["app1"]["components"] == ["backend"]


def test_postgres_and_redis_groups_place_their_exporters():
    result = fleet(db1=host("agents", "postgres", address="10.0.0.3"), cache1=host("redis", address="10.0.0.4"))
    assert result["hosts"]["db1"]["components"] == ["node_exporter", "cadvisor", "postgres_exporter", "promtail"]
    assert result["hosts"]["cache1"]["components"] == ["redis_exporter"]


def test_extra_components_are_added_once_in_catalogue_order():
    result = fleet(app1=host("agents", address="10.0.0.2",
                             observability_extra_components=["redis_exporter", "node_exporter"]))
    assert result["hosts"]["app1"]["components"] == ["node_exporter", "cadvisor", "redis_exporter", "promtail"]


def test_observability_components_replaces_groups_and_extra_components():
    result = fleet(mon1=host("monitoring", "agents", address="10.0.0.1",
                             observability_components=["grafana", "prometheus"],
                             observability_extra_components=["redis_exporter"]))
    assert result["hosts"]["mon1"]["components"] == ["prometheus", "grafana"]
    assert result["instances"]["loki"] == []
    assert result["instances"]["jaeger"] == []


def test_hosts_without_components_are_left_out():
    hostvars, groups = inventory(mon1=host("monitoring", address="10.0.0.1"), web1=host("web"),
                                 app1=host("agents", address="10.0.0.2", observability_components=[]))
    groups["all"].append("gone")  # in groups, not in hostvars
    result = build_fleet(hostvars, groups)
    assert result["order"] == ["mon1"] and sorted(result["hosts"]) == ["mon1"]


def test_loki_and_jaeger_run_only_on_the_first_host_of_the_monitoring_group_in_that_groups_order():
    hostvars = {"mon2": host("monitoring", address="10.0.0.2"), "mon1": host("monitoring", address="10.0.0.1")}
    result = build_fleet(hostvars, {"all": ["mon2", "mon1"], "monitoring": ["mon1", "mon2"]})
    assert result["instances"]["loki"] == ["mon1"]
    assert result["instances"]["jaeger"] == ["mon1"]
    assert result["hosts"]["mon1"]["components"] == MONITORING
    assert result["hosts"]["mon2"]["components"] == ["alertmanager", "prometheus", "grafana"]
    assert result["instances"]["prometheus"] == ["mon2", "mon1"]


def test_jaeger_runs_once_in_an_ha_pair_and_its_ports_are_published_for_the_other_host():
    result = fleet(mon1=host("monitoring", address="10.0.0.1"), mon2=host("monitoring", address="10.0.0.2"))
    assert result["instances"]["jaeger"] == ["mon1"]
    assert "jaeger" not in result["hosts"]["mon2"]["components"]
    # mon2's Grafana reads the UI, mon2's Prometheus scrapes the admin port; mon2 is no watched host (no agents) and
    # runs no sample backend, so nothing sends it traces, and only mon1 itself probes the health port.
    assert binds(result, "mon1")["jaeger"] == {"ui": "10.0.0.1", "otlp_grpc": "127.0.0.1", "otlp_http": "127.0.0.1",
                                               "health": "127.0.0.1", "admin": "10.0.0.1"}


@pytest.mark.parametrize("setting", [{"observability_extra_components": ["loki"]},
                                     {"observability_components": ["loki", "promtail"]}])
def test_a_host_that_lists_loki_runs_it_instead_of_the_first_monitoring_host(setting):
    result = fleet(mon1=host("monitoring", address="10.0.0.1"), logs=host("agents", address="10.0.0.5", **setting))
    assert result["instances"]["loki"] == ["logs"]
    assert "loki" not in result["hosts"]["mon1"]["components"]
    assert result["instances"]["jaeger"] == ["mon1"]


@pytest.mark.parametrize("setting", [{"observability_extra_components": ["jaeger"]},
                                     {"observability_components": ["jaeger"]}])
def test_a_host_that_lists_jaeger_runs_it_instead_of_the_first_monitoring_host(setting):
    result = fleet(mon1=host("monitoring", address="10.0.0.1"),
                   traces=host("agents", address="10.0.0.5", **setting))
    assert result["instances"]["jaeger"] == ["traces"]
    assert result["hosts"]["mon1"]["components"] == ["loki", "alertmanager", "prometheus", "grafana"]


def test_two_hosts_listing_jaeger_are_refused():
    message = refused(lambda: fleet(mon1=host("monitoring", address="10.0.0.1", observability_components=["jaeger"]),
                                    mon2=host("monitoring", address="10.0.0.2",
                                              observability_extra_components=["jaeger"])))
    assert message == (
        "observability_extra_components: jaeger runs on mon1 and mon2, but the stack runs one jaeger (its storage is "
        "on its host and it does not cluster). Fix: list jaeger for one host only")


@pytest.mark.parametrize("variable, setting", [
    ("observability_components", {"observability_components": ["loki"]}),
    ("observability_extra_components", {"observability_extra_components": ["loki"]}),
])
def test_two_hosts_listing_loki_are_refused(variable, setting):
    message = refused(lambda: fleet(mon1=host("monitoring", address="10.0.0.1", observability_components=["loki"]),
                                    logs=host("agents", address="10.0.0.5", **setting)))
    assert message == (
        "%s: loki runs on mon1 and logs, but the stack runs one loki (its storage is on its host and it does not "
        "cluster). Fix: list loki for one host only" % variable)


@pytest.mark.parametrize("settings, message", [
    ({"observability_components": ["node-exporter"]},
     "observability_components: 'node-exporter' is not a component of this stack. Fix: use names from: " + NAMES),
    ({"observability_components": "prometheus"},
     "observability_components: must be a list of component names, got str. "
     "Fix: set it like ['prometheus', 'node_exporter']"),
    ({"observability_extra_components": ["tempo"]},
     "observability_extra_components: 'tempo' is not a component of this stack. Fix: use names from: " + NAMES),
    ({"observability_prefix": "Proxy Stack"},
     "observability_prefix: 'Proxy Stack' cannot start container and volume names. Fix: use 1 to 32 lower-case "
     "letters, digits, '_' or '-', starting with a letter or digit, e.g. 'proxy'"),
])
def test_bad_component_settings_are_refused_naming_the_variable(settings, message):
    assert refused(lambda: fleet(app1=host("agents", address="10.0.0.2", **settings))) == message


# Addresses


@pytest.mark.parametrize("settings, address, source", [
    ({"observability_address": "10.9.0.2", "observability_interface": "eth1", "ansible_host": "app1.example"},
     "10.9.0.2", "observability_address"),
    ({"observability_interface": "eth1", "ansible_host": "app1.example"}, "10.1.0.2", "observability_interface (eth1)"),
    ({"observability_interface": "br-lan"}, "10.2.0.2", "observability_interface (br-lan)"),
    ({"observability_interface": "eth0.100"}, "10.3.0.2", "observability_interface (eth0.100)"),
    ({"ansible_host": "app1.example"}, "192.0.2.2", "its default IPv4 address (facts)"),
    ({"observability_address": "[2001:db8::2]"}, "2001:db8::2", "observability_address"),
])
def test_the_address_is_the_setting_else_the_interface_else_the_default_ipv4_fact(settings, address, source):
    facts = {"default_ipv4": {"address": "192.0.2.2"}, "eth1": {"ipv4": {"address": "10.1.0.2"}},
             "br_lan": {"ipv4": {"address": "10.2.0.2"}}, "eth0_100": {"ipv4": {"address": "10.3.0.2"}}}
    record = fleet(app1=host("agents", ansible_facts=facts, **settings))["hosts"]["app1"]
    assert (record["address"], record["address_from"]) == (address, source)


@pytest.mark.parametrize("settings, address, source", [
    ({"ansible_host": "app1.example"}, "app1.example", "ansible_host"),
    ({"ansible_facts": {"default_ipv4": {}}, "ansible_host": "10.0.0.2"}, "10.0.0.2", "ansible_host"),
    ({}, "app1", "its inventory name"),
])
def test_without_facts_the_address_is_ansible_host_else_the_inventory_name(settings, address, source):
    record = fleet(app1=host("agents", **settings))["hosts"]["app1"]
    assert (record["address"], record["address_from"]) == (address, source)


@pytest.mark.parametrize("name, settings, message", [
    ("app1", {"observability_address": "http://10.0.0.2"},
     "observability_address: 'http://10.0.0.2' on host app1 is not a host name or IP address. Fix: set it to the "
     "host's IP address or DNS name, without scheme or port"),
    ("app1", {"observability_address": "10.0.0.2:9100"},
     "observability_address: '10.0.0.2:9100' on host app1 is not a host name or IP address. Fix: set it to the "
     "host's IP address or DNS name, without scheme or port"),
    ("app1", {"observability_address": "0.0.0.0"},
     "observability_address: '0.0.0.0' on host app1 is not an address other hosts can connect to. Fix: set it to the "
     "host's own IP address on the network the stack's hosts share"),
    ("app1", {"ansible_host": "::"},
     "ansible_host: '::' on host app1 is not an address other hosts can connect to. Fix: set it to the host's own IP "
     "address on the network the stack's hosts share"),
    ("app1", {"ansible_facts": {"default_ipv4": {"address": "0.0.0.0"}}},
     "observability_address: '0.0.0.0' on host app1 is not an address other hosts can connect to. Fix: set it to the "
     "host's own IP address on the network the stack's hosts share"),
    ("app 1", {},
     "observability_address: 'app 1' on host app 1 is not a host name or IP address. Fix: set it to the host's IP "
     "address or DNS name, without scheme or port"),
    ("app1", {"observability_interface": "eth1"},
     "observability_interface: 'eth1' has no IPv4 address in the facts of host app1 (no facts were gathered for it). "
     "Fix: name an interface of app1 that has the address the other hosts reach (`ip -br addr`), or set "
     "observability_address on it"),
    ("app1", {"observability_interface": "eth1", "ansible_facts": {"default_ipv4": {"address": "10.0.0.2"},
                                                                   "eth1": {"ipv6": [{"address": "fe80::1"}]}}},
     "observability_interface: 'eth1' has no IPv4 address in the facts of host app1. Fix: name an interface of app1 "
     "that has the address the other hosts reach (`ip -br addr`), or set observability_address on it"),
])
def test_bad_addresses_are_refused_naming_the_variable(name, settings, message):
    assert refused(lambda: fleet(**{name: host("agents", **settings)})) == message


# Published ports


def test_published_ports_default_to_the_catalogue():
    ports = pair()["hosts"]["mon1"]["ports"]
    assert {component: {name: (slot["container"], slot["host"], slot["protocols"]) for name, slot in named.items()}
            for component, named in ports.items()} == {
        "node_exporter": {"metrics": (9100, 9100, ["tcp"])}, "cadvisor": {"http": (8080, 8080, ["tcp"])},
        "loki": {"http": (3100, 3100, ["tcp"])},
        "jaeger": {"ui": (16686, 16686, ["tcp"]), "otlp_grpc": (4317, 4317, ["tcp"]),
                   "otlp_http": (4318, 4318, ["tcp"]), "health": (13133, 13133, ["tcp"]),
                   "admin": (14269, 14269, ["tcp"])},
        "promtail": {"http": (9080, 9080, ["tcp"])},
        "alertmanager": {"http": (9093, 9093, ["tcp"]), "cluster": (9094, 9094, ["tcp", "udp"])},
        "prometheus": {"http": (9090, 9090, ["tcp"])}, "grafana": {"http": (3000, 3001, ["tcp"])}}
    backend = fleet(app1=host("sample_backend", address="10.0.0.2"))["hosts"]["app1"]["ports"]
    assert backend == {"backend": {"http": {"container": 8000, "host": 8000, "protocols": ["tcp"],
                                            "bind": "127.0.0.1", "remote": False}}}


def test_a_number_sets_jaegers_main_port_the_ui_and_a_mapping_its_other_ports():
    published = {"jaeger": 26686}
    ports = fleet(mon1=host("monitoring", address="10.0.0.1",
                            observability_published_ports=published))["hosts"]["mon1"]["ports"]["jaeger"]
    assert {name: slot["host"] for name, slot in ports.items()} == {
        "ui": 26686, "otlp_grpc": 4317, "otlp_http": 4318, "health": 13133, "admin": 14269}
    published = {"jaeger": {"otlp_grpc": 14317, "admin": "24269"}}
    ports = fleet(mon1=host("monitoring", address="10.0.0.1",
                            observability_published_ports=published))["hosts"]["mon1"]["ports"]["jaeger"]
    assert {name: slot["host"] for name, slot in ports.items()} == {
        "ui": 16686, "otlp_grpc": 14317, "otlp_http": 4318, "health": 13133, "admin": 24269}
    assert refused(lambda: fleet(mon1=host("monitoring", address="10.0.0.1",
                                           observability_published_ports={"jaeger": {"grpc": 14250}}))) == (
        "observability_published_ports['jaeger']: 'grpc' (on host mon1) is not a port of jaeger. Fix: use the port "
        "names ui, otlp_grpc, otlp_http, health, admin, or a number for the main port (ui)")


def test_a_number_sets_the_main_port_and_a_mapping_sets_ports_by_name():
    published = {"grafana": 3000, "prometheus": "19090", "alertmanager": {"cluster": 19094},
                 "redis_exporter": 19121}  # a component the host does not run is ignored
    ports = fleet(mon1=host("monitoring", address="10.0.0.1",
                            observability_published_ports=published))["hosts"]["mon1"]["ports"]
    assert (ports["grafana"]["http"]["host"], ports["prometheus"]["http"]["host"]) == (3000, 19090)
    assert (ports["alertmanager"]["http"]["host"], ports["alertmanager"]["cluster"]["host"]) == (9093, 19094)
    assert ports["grafana"]["http"]["container"] == 3000 and "redis_exporter" not in ports


@pytest.mark.parametrize("published, message", [
    ({"node_exporter": 0},
     "observability_published_ports['node_exporter']: 0 on host app1 is not a port. Fix: give an integer from 1 to "
     "65535"),
    ({"node_exporter": 65536},
     "observability_published_ports['node_exporter']: 65536 on host app1 is not a port. Fix: give an integer from 1 "
     "to 65535"),
    ({"node_exporter": True},
     "observability_published_ports['node_exporter']: True on host app1 is not a port. Fix: give an integer from 1 "
     "to 65535"),
    ({"node_exporter": 9100.0},
     "observability_published_ports['node_exporter']: 9100.0 on host app1 is not a port. Fix: give an integer from 1 "
     "to 65535"),
    ({"node_exporter": "9100/tcp"},
     "observability_published_ports['node_exporter']: '9100/tcp' on host app1 is not a port. Fix: give an integer "
     "from 1 to 65535"),
    ({"node_exporter": {"metrics": "91oo"}},
     "observability_published_ports['node_exporter']: '91oo' on host app1 is not a port. Fix: give an integer from 1 "
     "to 65535"),
    ({"node_exporter": {"http": 9100}},
     "observability_published_ports['node_exporter']: 'http' (on host app1) is not a port of node_exporter. Fix: use "
     "the port names metrics, or a number for the main port (metrics)"),
    ({"node-exporter": 9100},
     "observability_published_ports: 'node-exporter' (on host app1) is not a component of this stack. Fix: use names "
     "from: " + NAMES),
    ([9100],
     "observability_published_ports: on host app1 must map components to host ports, got list. Fix: set it like "
     "{'grafana': 3001, 'alertmanager': {'http': 9093, 'cluster': 9094}}"),
])
def test_bad_published_ports_are_refused_naming_the_variable(published, message):
    assert refused(lambda: fleet(app1=host("agents", address="10.0.0.2",
                                           observability_published_ports=published))) == message


def test_a_bad_port_that_is_not_the_main_port_is_named_by_its_port_name():
    message = refused(lambda: fleet(mon1=host("monitoring", address="10.0.0.1",
                                              observability_published_ports={"alertmanager": {"cluster": 70000}})))
    assert message == ("observability_published_ports['alertmanager']['cluster']: 70000 on host mon1 is not a port. "
                       "Fix: give an integer from 1 to 65535")


@pytest.mark.parametrize("component", ["node_exporter", "grafana", "alertmanager"])
def test_the_old_host_port_variables_are_refused_naming_the_replacement(component):
    settings = {"%s_host_port" % component: 19100}
    message = refused(lambda: fleet(app1=host("agents", address="10.0.0.2", **settings)))
    assert message == (
        "%s_host_port: on host app1 is no longer used: every host port is set in observability_published_ports, which "
        "all hosts of the stack can see. Fix: replace it with observability_published_ports: {%s: 19100}"
        % (component, component))


@pytest.mark.parametrize("published, message", [
    ({"grafana": 9090},
     "observability_published_ports: prometheus (http) and grafana (http) both publish host port 9090/tcp on host "
     "mon1. Fix: give each component its own port, e.g. observability_published_ports: {grafana: 19090}"),
    ({"loki": 9100},
     "observability_published_ports: node_exporter (metrics) and loki (http) both publish host port 9100/tcp on host "
     "mon1. Fix: give each component its own port, e.g. observability_published_ports: {loki: 19100}"),
    ({"grafana": 60000, "prometheus": 60000},
     "observability_published_ports: prometheus (http) and grafana (http) both publish host port 60000/tcp on host "
     "mon1. Fix: give each component its own port, e.g. observability_published_ports: {grafana: 50000}"),
])
def test_two_ports_of_one_host_on_one_host_port_are_refused(published, message):
    assert refused(lambda: fleet(mon1=host("monitoring", "agents", address="10.0.0.1",
                                           observability_published_ports=published))) == message


def test_ports_clash_only_within_one_protocol(monkeypatch):
    monkeypatch.setitem(COMPONENTS["alertmanager"]["ports"]["cluster"], "protocols", ("udp",))
    result = fleet(mon1=host("monitoring", address="10.0.0.1",
                             observability_published_ports={"alertmanager": {"cluster": 9093}}))
    assert result["hosts"]["mon1"]["ports"]["alertmanager"]["cluster"]["host"] == 9093


def test_the_same_host_port_on_two_hosts_is_no_clash():
    result = fleet(mon1=host("monitoring", address="10.0.0.1", observability_published_ports={"grafana": 9100}),
                   app1=host("agents", address="10.0.0.2"))
    assert result["hosts"]["mon1"]["ports"]["grafana"]["http"]["host"] == 9100
    assert result["hosts"]["app1"]["ports"]["node_exporter"]["metrics"]["host"] == 9100


def test_the_fix_for_a_clash_of_a_named_port_moves_that_port():
    message = refused(lambda: fleet(mon1=host("monitoring", "agents", address="10.0.0.1",
                                              observability_published_ports={"alertmanager": {"cluster": 9100}}),
                                    mon2=host("monitoring", address="10.0.0.2")))
    assert message == (
        "observability_published_ports: node_exporter (metrics) and alertmanager (cluster) both publish host port "
        "9100/tcp on host mon1. Fix: give each component its own port, e.g. observability_published_ports: "
        "{alertmanager: {cluster: 19100}}")


# Bind addresses


def test_on_a_single_host_every_port_stays_on_the_loopback_and_the_cluster_port_is_not_published():
    result = fleet(mon1=host("monitoring", "agents", address="10.0.0.1"))
    assert binds(result, "mon1") == {
        "node_exporter": {"metrics": "127.0.0.1"}, "cadvisor": {"http": "127.0.0.1"}, "loki": {"http": "127.0.0.1"},
        "jaeger": {"ui": "127.0.0.1", "otlp_grpc": "127.0.0.1", "otlp_http": "127.0.0.1", "health": "127.0.0.1",
                   "admin": "127.0.0.1"},
        "promtail": {"http": "127.0.0.1"}, "alertmanager": {"http": "127.0.0.1", "cluster": None},
        "prometheus": {"http": "127.0.0.1"}, "grafana": {"http": "127.0.0.1"}}
    assert not any(slot["remote"] for ports in result["hosts"]["mon1"]["ports"].values() for slot in ports.values())


def test_on_a_single_host_the_ui_ports_are_on_the_ui_publish_address():
    result = fleet(mon1=host("monitoring", "agents", address="10.0.0.1", observability_ui_publish_address="0.0.0.0"))
    assert {component: ports for component, ports in binds(result, "mon1").items()
            if "0.0.0.0" in ports.values()} == {
        "jaeger": {"ui": "0.0.0.0", "otlp_grpc": "127.0.0.1", "otlp_http": "127.0.0.1", "health": "127.0.0.1",
                   "admin": "127.0.0.1"},
        "alertmanager": {"http": "0.0.0.0", "cluster": None}, "prometheus": {"http": "0.0.0.0"},
        "grafana": {"http": "0.0.0.0"}}
    assert binds(result, "mon1")["node_exporter"] == {"metrics": "127.0.0.1"}
    backend = fleet(app1=host("sample_backend", address="10.0.0.2", observability_ui_publish_address="0.0.0.0"))
    assert binds(backend, "app1") == {"backend": {"http": "0.0.0.0"}}


def test_ports_that_other_hosts_consume_are_bound_to_the_hosts_address():
    result = pair()
    assert binds(result, "app1") == {"node_exporter": {"metrics": "10.0.0.2"}, "cadvisor": {"http": "10.0.0.2"},
                                     "promtail": {"http": "10.0.0.2"}}
    # Promtail on app1 pushes to Loki and app1's applications (a watched host) send traces to Jaeger's OTLP ports;
    # nothing on app1 reads mon1's Jaeger UI, Prometheus, Alertmanager or Grafana.
    assert binds(result, "mon1") == {
        "node_exporter": {"metrics": "127.0.0.1"}, "cadvisor": {"http": "127.0.0.1"}, "loki": {"http": "10.0.0.1"},
        "jaeger": {"ui": "127.0.0.1", "otlp_grpc": "10.0.0.1", "otlp_http": "10.0.0.1", "health": "127.0.0.1",
                   "admin": "127.0.0.1"},
        "promtail": {"http": "127.0.0.1"}, "alertmanager": {"http": "127.0.0.1", "cluster": None},
        "prometheus": {"http": "127.0.0.1"}, "grafana": {"http": "127.0.0.1"}}
    assert result["hosts"]["mon1"]["ports"]["loki"]["http"]["remote"] is True
    assert result["hosts"]["mon1"]["ports"]["prometheus"]["http"]["remote"] is False


def test_a_sample_backend_on_another_host_makes_jaegers_otlp_ports_remote_and_is_scraped_there():
    result = fleet(mon1=host("monitoring", address="10.0.0.1"),
                   app1=host("sample_backend", address="10.0.0.2"), app2=host("sample_backend", address="10.0.0.3"))
    assert binds(result, "mon1")["jaeger"] == {"ui": "127.0.0.1", "otlp_grpc": "10.0.0.1", "otlp_http": "10.0.0.1",
                                               "health": "127.0.0.1", "admin": "127.0.0.1"}
    assert result["hosts"]["mon1"]["ports"]["jaeger"]["otlp_grpc"]["remote"] is True
    assert binds(result, "app1") == {"backend": {"http": "10.0.0.2"}}
    assert binds(result, "app2") == {"backend": {"http": "10.0.0.3"}}
    # A backend beside Jaeger sends to it over the stack network: nothing published for it.
    beside = fleet(mon1=host("monitoring", "sample_backend", address="10.0.0.1"))
    assert binds(beside, "mon1")["jaeger"]["otlp_grpc"] == "127.0.0.1"
    assert binds(beside, "mon1")["backend"] == {"http": "127.0.0.1"}


def test_ports_that_other_hosts_consume_are_bound_to_the_publish_address_when_set():
    result = fleet(mon1=host("monitoring", address="10.0.0.1"),
                   app1=host("agents", address="10.0.0.2", observability_publish_address="0.0.0.0"))
    assert binds(result, "app1") == {"node_exporter": {"metrics": "0.0.0.0"}, "cadvisor": {"http": "0.0.0.0"},
                                     "promtail": {"http": "0.0.0.0"}}
    assert result["hosts"]["app1"]["address"] == "10.0.0.2"


def test_a_grafana_on_another_host_makes_prometheus_and_alertmanager_remote():
    result = fleet(mon1=host("monitoring", address="10.0.0.1"),
                   graf=host("monitoring", address="10.0.0.3", observability_components=["grafana"]))
    assert binds(result, "mon1")["prometheus"] == {"http": "10.0.0.1"}
    assert binds(result, "mon1")["alertmanager"] == {"http": "10.0.0.1", "cluster": None}
    # mon1's Grafana is read by nobody else; graf's is scraped by mon1's Prometheus.
    assert binds(result, "mon1")["grafana"] == {"http": "127.0.0.1"}
    assert binds(result, "graf") == {"grafana": {"http": "10.0.0.3"}}


def test_a_consumer_of_the_preferred_instance_on_another_host_reads_only_the_first_instance():
    result = fleet(mon1=host("monitoring", address="10.0.0.1", observability_components=["alertmanager"]),
                   mon2=host("monitoring", address="10.0.0.2", observability_components=["alertmanager"]),
                   graf=host("monitoring", address="10.0.0.3", observability_components=["grafana"]))
    assert binds(result, "mon1")["alertmanager"] == {"http": "10.0.0.1", "cluster": "10.0.0.1"}
    assert binds(result, "mon2")["alertmanager"] == {"http": "127.0.0.1", "cluster": "10.0.0.2"}


def test_the_alertmanager_cluster_port_is_published_only_with_two_alertmanagers():
    result = fleet(mon1=host("monitoring", address="10.0.0.1"), mon2=host("monitoring", address="10.0.0.2"))
    for name, address in (("mon1", "10.0.0.1"), ("mon2", "10.0.0.2")):
        cluster = result["hosts"][name]["ports"]["alertmanager"]["cluster"]
        assert (cluster["bind"], cluster["protocols"], cluster["remote"]) == (address, ["tcp", "udp"], True)
    single = fleet(mon1=host("monitoring", address="10.0.0.1"), app1=host("agents", address="10.0.0.2"))
    assert single["hosts"]["mon1"]["ports"]["alertmanager"]["cluster"]["bind"] is None


@pytest.mark.parametrize("name, settings, message", [
    ("app1", {"ansible_host": "127.0.0.1"},
     "observability_address: on host app1 is '127.0.0.1' (from ansible_host), which only app1 itself reaches, but "
     "prometheus on host mon1 connects to its node_exporter port 9100. Fix: set observability_address (or "
     "observability_interface) on host app1 to an address of it that the other hosts reach"),
    ("localhost", {},
     "observability_address: on host localhost is 'localhost' (from its inventory name), which only localhost itself "
     "reaches, but prometheus on host mon1 connects to its node_exporter port 9100. Fix: set observability_address "
     "(or observability_interface) on host localhost to an address of it that the other hosts reach"),
    ("app1", {"observability_address": "10.0.0.2", "observability_publish_address": "127.0.0.1"},
     "observability_publish_address: on host app1 is '127.0.0.1' (from observability_publish_address), which only "
     "app1 itself reaches, but prometheus on host mon1 connects to its node_exporter port 9100. Fix: set "
     "observability_publish_address on host app1 to the address of an interface the other hosts reach (or 0.0.0.0 "
     "for every interface)"),
    ("app1", {"observability_address": "10.0.0.2", "observability_publish_address": "[::1]"},
     "observability_publish_address: on host app1 is '::1' (from observability_publish_address), which only app1 "
     "itself reaches, but prometheus on host mon1 connects to its node_exporter port 9100. Fix: set "
     "observability_publish_address on host app1 to the address of an interface the other hosts reach (or 0.0.0.0 "
     "for every interface)"),
    ("app1", {"observability_address": "10.0.0.2", "observability_publish_address": "https://10.0.0.2"},
     "observability_publish_address: on host app1 is 'https://10.0.0.2', which is not an IP address, and Docker binds "
     "published ports to IP addresses only. Fix: set it to an IPv4 or IPv6 address of app1: 127.0.0.1 (this host "
     "only), the address of one of its interfaces, or 0.0.0.0 (every interface)"),
])
def test_a_loopback_port_that_another_host_consumes_is_refused_naming_the_variable(name, settings, message):
    assert refused(lambda: fleet(mon1=host("monitoring", address="10.0.0.1"),
                                 **{name: host("agents", **settings)})) == message


def test_a_host_on_the_loopback_is_fine_when_no_other_host_consumes_its_ports():
    result = fleet(localhost=host("monitoring", "agents", ansible_host="127.0.0.1"))
    assert result["hosts"]["localhost"]["address"] == "127.0.0.1"
    assert binds(result, "localhost")["loki"] == {"http": "127.0.0.1"}


def test_the_fix_for_a_loopback_address_suggests_only_values_the_fleet_accepts():
    message = refused(lambda: fleet(mon1=host("monitoring", address="10.0.0.1"),
                                    app1=host("agents", ansible_host="127.0.0.1")))
    assert message.startswith("observability_address: ")
    assert "0.0.0.0" not in message.split(". Fix: ")[1]


@pytest.mark.parametrize("settings", [
    {"ansible_host": "app1.example.internal"},
    {"observability_address": "10.0.0.2", "observability_publish_address": "app1.example.internal"},
])
def test_a_port_for_other_hosts_is_never_bound_to_a_name(settings):
    message = refused(lambda: fleet(mon1=host("monitoring", address="10.0.0.1"), app1=host("agents", **settings)))
    assert message.startswith("observability_publish_address: on host app1 ")
    assert "Docker binds published ports to IP addresses only" in message


def test_a_name_as_address_binds_the_ip_address_from_the_facts():
    result = fleet(mon1=host("monitoring", address="10.0.0.1"),
                   app1=host("agents", observability_address="app1.example.internal",
                             ansible_facts={"default_ipv4": {"address": "10.0.0.2"}}))
    assert result["hosts"]["app1"]["address"] == "app1.example.internal"
    assert binds(result, "app1")["node_exporter"] == {"metrics": "10.0.0.2"}


# fleet_host: the host's own view of the stack-wide settings


def test_fleet_host_returns_the_hosts_record():
    result = pair()
    assert fleet_host(result, {"mon1": {}, "app1": {}}, "app1") is result["hosts"]["app1"]


def test_fleet_host_gives_a_host_outside_the_fleet_an_empty_record():
    assert fleet_host(pair(), {"web1": {}}, "web1") == {"components": [], "ports": {}}


def test_fleet_host_accepts_local_settings_equal_to_the_inventorys():
    hostvars, groups = inventory(mon1=host("monitoring", "agents", address="10.0.0.1",
                                           observability_published_ports={"grafana": 3000}))
    result = build_fleet(hostvars, groups)
    local = {"observability_prefix": "proxy",  # the default, which the inventory does not set
             "observability_address": "",  # empty and unset are the same
             "observability_published_ports": {"grafana": 3000},
             "observability_components": list(reversed(ALL_ON_ONE)),  # the order does not matter
             "observability_backend_group": "sample_backend",  # the default, which the inventory does not set
             "grafana_admin_user": "admin"}  # not a fleet setting
    assert fleet_host(result, hostvars, "mon1", local=local)["address"] == "10.0.0.1"


@pytest.mark.parametrize("local, message", [
    ({"observability_prefix": "obs"},
     "observability_prefix: is set for host mon1 where the other hosts cannot see it (play vars, role parameters or "
     "include_vars): it is 'obs' there, 'proxy' in the inventory. Fix: set it in the inventory (host_vars or "
     "group_vars) or as an extra var, so every host of the stack agrees on it"),
    ({"observability_published_ports": {"grafana": 3000}},
     "observability_published_ports: is set for host mon1 where the other hosts cannot see it (play vars, role "
     "parameters or include_vars): it is {'grafana': 3000} there, {} in the inventory. Fix: set it in the inventory "
     "(host_vars or group_vars) or as an extra var, so every host of the stack agrees on it"),
    ({"observability_monitoring_group": "central"},
     "observability_monitoring_group: is set for host mon1 where the other hosts cannot see it (play vars, role "
     "parameters or include_vars): it is 'central' there, 'monitoring' in the inventory. Fix: set it in the inventory "
     "(host_vars or group_vars) or as an extra var, so every host of the stack agrees on it"),
    ({"observability_backend_group": "apps"},
     "observability_backend_group: is set for host mon1 where the other hosts cannot see it (play vars, role "
     "parameters or include_vars): it is 'apps' there, 'sample_backend' in the inventory. Fix: set it in the "
     "inventory (host_vars or group_vars) or as an extra var, so every host of the stack agrees on it"),
    ({"observability_components": ["prometheus"]},
     "observability_components: is set for host mon1 where the other hosts cannot see it (play vars, role parameters "
     "or include_vars): it says ['prometheus'], the inventory says ['node_exporter', 'cadvisor', 'loki', 'jaeger', "
     "'promtail', 'alertmanager', 'prometheus', 'grafana']. Fix: set it in the inventory (host_vars or group_vars) "
     "or as an extra var, so every host of the stack agrees on what mon1 runs"),
])
def test_fleet_host_refuses_a_local_setting_that_differs_from_the_inventorys(local, message):
    hostvars, groups = inventory(mon1=host("monitoring", "agents", address="10.0.0.1"))
    assert refused(lambda: fleet_host(build_fleet(hostvars, groups), hostvars, "mon1", local=local)) == message


def test_fleet_host_refuses_what_is_not_a_fleet():
    assert refused(lambda: fleet_host({"mon1": {}}, {"mon1": {}}, "mon1")) == (
        "_observability_fleet: is not the stack's fleet (got dict). Fix: build it with the "
        "proxy_agent.observability.observability_fleet filter (the observability role does, once per run)")


# fleet_member and fleet_unaddressed: before the fleet is built


@pytest.mark.parametrize("vars_, member", [
    (host("monitoring"), True),
    (host("agents"), True),
    (host("postgres"), True),
    (host("redis"), True),
    (host("sample_backend"), True),
    (host("apps", observability_backend_group="apps"), True),
    (host("sample_backend", observability_backend_group="apps"), False),
    (host("central", observability_monitoring_group="central"), True),
    (host("monitoring", observability_monitoring_group="central"), False),
    (host("web", observability_extra_components=["node_exporter"]), True),
    (host("web", observability_components=["node_exporter"]), True),
    (host("monitoring", observability_components=[]), False),
    (host("monitoring", observability_components=None), True),
    (host("web"), False),
    ({}, False),
])
def test_fleet_member_tells_whether_groups_or_settings_give_a_host_components(vars_, member):
    assert fleet_member(vars_) is member
    assert host_runs_components(vars_) is member


def test_fleet_member_agrees_with_the_fleet():
    hosts = {"mon1": host("monitoring", address="10.0.0.1"), "web1": host("web", address="10.0.0.5"),
             "db1": host("postgres", address="10.0.0.3"), "off": host("agents", observability_components=[])}
    assert [name for name, vars_ in hosts.items() if fleet_member(vars_)] == fleet(**hosts)["order"]


def test_fleet_unaddressed_lists_the_stack_hosts_whose_address_needs_facts():
    hostvars = {
        "set": host("agents", observability_address="10.0.0.1"),
        "facts": host("agents", address="10.0.0.2"),
        "iface": host("agents", observability_interface="eth-1",
                      ansible_facts={"eth_1": {"ipv4": {"address": "10.0.0.3"}}}),
        "iface_missing": host("agents", address="10.0.0.4", observability_interface="eth1"),
        "only_ansible_host": host("agents", ansible_host="10.0.0.5"),
        "no_default": host("agents", ansible_facts={"default_ipv4": {}}),
        "web": host("web"),
    }
    assert fleet_unaddressed(hostvars, list(hostvars) + ["gone"]) == ["iface_missing", "only_ansible_host",
                                                                      "no_default"]

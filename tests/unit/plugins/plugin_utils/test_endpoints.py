# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Endpoints: how a host reaches a component instance of the fleet; the filters fleet_endpoints, endpoint_url,
endpoint_target and component_spec."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.component_spec import component_spec
from ansible_collections.proxy_agent.observability.plugins.filter.endpoint_target import endpoint_target
from ansible_collections.proxy_agent.observability.plugins.filter.endpoint_url import endpoint_url
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_endpoints import fleet_endpoints
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import instance_label
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import published_ports
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet

NOT_A_FLEET = ("_observability_fleet: is not the stack's fleet (got dict). Fix: build it with the "
               "proxy_agent.observability.observability_fleet filter (the observability role does, once per run)")


def host(*groups, address, **settings):
    return dict({"group_names": list(groups), "ansible_facts": {"default_ipv4": {"address": address}}}, **settings)


def stack(**settings):
    """An HA pair mon1, mon2 (mon1 publishes Grafana on 3000 and reads settings from `settings`) and app1 on IPv6."""
    hostvars = {"mon1": host("monitoring", "agents", address="10.0.0.1",
                             **dict({"observability_published_ports": {"grafana": 3000}}, **settings)),
                "mon2": host("monitoring", "agents", address="10.0.0.2"),
                "app1": host("agents", address="10.0.0.3", observability_address="2001:db8::3")}
    return build_fleet(hostvars, {"all": ["mon1", "mon2", "app1"], "monitoring": ["mon1", "mon2"],
                                  "agents": ["mon1", "mon2", "app1"]})


FLEET = stack()


def endpoint(component, host_, address, port, local, port_name="http", scheme="http"):
    return {"component": component, "host": host_, "port_name": port_name, "scheme": scheme, "address": address,
            "port": port, "path": "", "local": local, "tls": None, "basic_auth": None}


def refused(call):
    with pytest.raises(AnsibleFilterError) as exc:
        call()
    return str(exc.value)


# fleet_endpoints


def test_on_its_own_host_a_client_reaches_the_container_by_name_at_the_container_port():
    assert fleet_endpoints(FLEET, "grafana", "mon1", select="preferred") == \
        [endpoint("grafana", "mon1", "proxy-grafana", 3000, True)]


def test_from_another_host_a_client_reaches_the_hosts_address_at_the_published_port():
    assert fleet_endpoints(FLEET, "grafana", "app1") == [endpoint("grafana", "mon1", "10.0.0.1", 3000, False),
                                                         endpoint("grafana", "mon2", "10.0.0.2", 3001, False)]


def test_from_no_host_every_endpoint_is_remote():
    assert [ep["local"] for ep in fleet_endpoints(FLEET, "node_exporter", "")] == [False, False, False]
    assert [ep["address"] for ep in fleet_endpoints(FLEET, "node_exporter", None)] == \
        ["10.0.0.1", "10.0.0.2", "2001:db8::3"]


def test_the_prefix_of_the_instances_host_names_the_container():
    assert fleet_endpoints(stack(observability_prefix="obs"), "loki", "mon1")[0]["address"] == "obs-loki"


@pytest.mark.parametrize("component, from_host, select, hosts", [
    ("alertmanager", "mon2", "all", ["mon1", "mon2"]),
    ("alertmanager", "mon2", "preferred", ["mon2"]),
    ("alertmanager", "app1", "preferred", ["mon1"]),
    ("alertmanager", "mon1", "others", ["mon2"]),
    ("alertmanager", "app1", "others", ["mon1", "mon2"]),
    ("loki", "mon2", "preferred", ["mon1"]),
    ("jaeger", "mon2", "preferred", ["mon1"]),
    ("jaeger", "app1", "all", ["mon1"]),
    ("jaeger", "mon1", "others", []),
    ("backend", "mon1", "all", []),
    ("redis_exporter", "mon1", "all", []),
    ("redis_exporter", "mon1", "preferred", []),
])
def test_select_picks_all_the_clients_own_or_first_or_the_other_instances(component, from_host, select, hosts):
    assert [ep["host"] for ep in fleet_endpoints(FLEET, component, from_host, select=select)] == hosts


def test_jaegers_ports_are_reached_by_name_each_at_its_own_port():
    assert fleet_endpoints(FLEET, "jaeger", "mon2", select="preferred") == \
        [endpoint("jaeger", "mon1", "10.0.0.1", 16686, False, port_name="ui")]
    assert fleet_endpoints(FLEET, "jaeger", "mon1", port="otlp_grpc", select="preferred") == \
        [endpoint("jaeger", "mon1", "proxy-jaeger", 4317, True, port_name="otlp_grpc")]
    assert [endpoint_target(ep) for ep in fleet_endpoints(FLEET, "jaeger", "app1", port="otlp_http")] == \
        ["10.0.0.1:4318"]
    assert [endpoint_target(ep) for ep in fleet_endpoints(FLEET, "jaeger", "mon2", port="admin")] == \
        ["10.0.0.1:14269"]


def test_a_named_port_gives_its_own_port_and_scheme():
    fleet = stack(observability_published_ports={"alertmanager": {"cluster": 19094}})
    assert fleet_endpoints(fleet, "alertmanager", "mon2", port="cluster", select="others") == \
        [endpoint("alertmanager", "mon1", "10.0.0.1", 19094, False, port_name="cluster", scheme="tcp")]
    assert fleet_endpoints(fleet, "alertmanager", "mon1", port="cluster", select="preferred") == \
        [endpoint("alertmanager", "mon1", "proxy-alertmanager", 9094, True, port_name="cluster", scheme="tcp")]


@pytest.mark.parametrize("args, kwargs, message", [
    (("kibana", "mon1"), {},
     "component: 'kibana' is not a component of this stack. Fix: use one of alertmanager, backend, cadvisor, "
     "grafana, jaeger, loki, node_exporter, postgres_exporter, prometheus, promtail, redis_exporter"),
    (("loki", "mon1"), {"port": "grpc"}, "port: 'grpc' is not a port of loki. Fix: use one of http"),
    (("alertmanager", "mon1"), {"port": "metrics"},
     "port: 'metrics' is not a port of alertmanager. Fix: use one of http, cluster"),
    (("jaeger", "mon1"), {"port": "http"},
     "port: 'http' is not a port of jaeger. Fix: use one of ui, otlp_grpc, otlp_http, health, admin"),
    (("loki", "mon1"), {"select": "first"},
     "select: 'first' is not a selection. Fix: use one of all, preferred, others"),
])
def test_bad_arguments_of_fleet_endpoints_are_refused(args, kwargs, message):
    assert refused(lambda: fleet_endpoints(FLEET, *args, **kwargs)) == message


@pytest.mark.parametrize("fleet", [{"mon1": {}}, {"hosts": {}, "order": []}])
def test_fleet_endpoints_refuses_what_is_not_a_fleet(fleet):
    assert refused(lambda: fleet_endpoints(fleet, "loki", "mon1")) == NOT_A_FLEET


def test_fleet_endpoints_refuses_a_list_naming_its_type():
    assert refused(lambda: fleet_endpoints([], "loki", "mon1")) == NOT_A_FLEET.replace("(got dict)", "(got list)")


# endpoint_target and endpoint_url


@pytest.mark.parametrize("from_host, target", [
    ("mon1", "proxy-node-exporter:9100"),
    ("app1", "10.0.0.1:9100"),
])
def test_endpoint_target_is_address_and_port(from_host, target):
    assert endpoint_target(fleet_endpoints(FLEET, "node_exporter", from_host)[0]) == target


def test_endpoint_target_brackets_an_ipv6_address():
    assert endpoint_target(fleet_endpoints(FLEET, "node_exporter", "mon1")[2]) == "[2001:db8::3]:9100"


@pytest.mark.parametrize("ep, path, url", [
    (endpoint("prometheus", "mon1", "proxy-prometheus", 9090, True), "", "http://proxy-prometheus:9090"),
    (endpoint("prometheus", "mon1", "10.0.0.1", 9090, False), "/-/ready", "http://10.0.0.1:9090/-/ready"),
    (endpoint("promtail", "app1", "2001:db8::3", 9080, False), "/ready", "http://[2001:db8::3]:9080/ready"),
    (dict(endpoint("loki", "mon1", "10.0.0.1", 3100, False), path="/logs", scheme="https"), "/ready",
     "https://10.0.0.1:3100/logs/ready"),
])
def test_endpoint_url_is_scheme_target_endpoint_path_and_path(ep, path, url):
    assert endpoint_url(ep, path) == url


def test_endpoint_url_of_the_fleets_endpoints():
    assert [endpoint_url(ep, "/loki/api/v1/push") for ep in fleet_endpoints(FLEET, "loki", "app1")] == \
        ["http://10.0.0.1:3100/loki/api/v1/push"]


@pytest.mark.parametrize("call, message", [
    (lambda: endpoint_url(endpoint("loki", "mon1", "10.0.0.1", 3100, False), "ready"),
     "path: 'ready' does not start with '/'. Fix: write the path from the root, e.g. '/-/ready'"),
    (lambda: endpoint_url("http://10.0.0.1:3100"),
     "endpoint: 'http://10.0.0.1:3100' is not an endpoint. Fix: pass an item of fleet_endpoints"),
    (lambda: endpoint_url({"address": "10.0.0.1", "port": 3100}),
     "endpoint: {'address': '10.0.0.1', 'port': 3100} is not an endpoint. Fix: pass an item of fleet_endpoints"),
    (lambda: endpoint_target("10.0.0.1:3100"),
     "endpoint: '10.0.0.1:3100' is not an endpoint. Fix: pass an item of fleet_endpoints"),
    (lambda: endpoint_target({"address": "10.0.0.1"}),
     "endpoint: {'address': '10.0.0.1'} is not an endpoint. Fix: pass an item of fleet_endpoints"),
])
def test_bad_endpoints_and_paths_are_refused(call, message):
    assert refused(call) == message


# instance labels and published ports


@pytest.mark.parametrize("host_, component, port, label", [
    ("mon1", "grafana", None, "mon1:3000"),
    ("mon2", "grafana", None, "mon2:3001"),
    ("app1", "node_exporter", None, "app1:9100"),
    ("mon1", "alertmanager", "cluster", "mon1:9094"),
    ("mon1", "jaeger", None, "mon1:16686"),
    ("mon1", "jaeger", "admin", "mon1:14269"),
])
def test_the_instance_label_is_the_inventory_host_and_the_published_port(host_, component, port, label):
    assert instance_label(FLEET, host_, component, port) == label


@pytest.mark.parametrize("host_, component, ports", [
    ("mon1", "alertmanager", ["10.0.0.1:9093:9093", "10.0.0.1:9094:9094", "10.0.0.1:9094:9094/udp"]),
    ("mon1", "grafana", ["10.0.0.1:3000:3000"]),
    ("mon1", "node_exporter", ["10.0.0.1:9100:9100"]),
    ("app1", "promtail", ["[2001:db8::3]:9080:9080"]),
    # mon2's Grafana reads the UI and its Prometheus the admin port; OTLP (no backend) and health stay on the host.
    ("mon1", "jaeger", ["10.0.0.1:16686:16686", "10.0.0.1:4317:4317", "10.0.0.1:4318:4318",
                        "127.0.0.1:13133:13133", "10.0.0.1:14269:14269"]),
])
def test_published_ports_are_bind_host_port_container_port_and_udp(host_, component, ports):
    assert published_ports(FLEET, host_, component) == ports


def test_published_ports_leave_out_a_port_that_is_not_published():
    fleet = build_fleet({"mon1": host("monitoring", address="10.0.0.1")}, {"all": ["mon1"], "monitoring": ["mon1"]})
    assert published_ports(fleet, "mon1", "alertmanager") == ["127.0.0.1:9093:9093"]
    assert published_ports(fleet, "mon1", "grafana") == ["127.0.0.1:3001:3000"]


# component_spec


def test_component_spec_of_a_component_with_data_configuration_and_a_checker():
    assert component_spec(FLEET, "mon1", "prometheus") == {
        "container": "proxy-prometheus", "alias": "prometheus", "volume": "proxy_prometheus_data",
        "volume_path": "/prometheus", "volume_owner": 65534, "user": "65534:65534", "group": 65534,
        "config_mount": "/etc/prometheus",
        "checks": [{"entrypoint": "/bin/promtool", "args": ["check", "config", "/etc/prometheus/prometheus.yml"]}],
        "port": 9090, "ready_path": "/-/ready", "ports": {"http": 9090}, "published_ports": ["10.0.0.1:9090:9090"],
        "flags_check": {"entrypoint": "/bin/prometheus", "args": ["--help"]}, "reload": "signal",
        "verify": {"success": "prometheus_config_last_reload_successful",
                   "time": "prometheus_config_last_reload_success_timestamp_seconds", "hash": None},
        "metrics_port": 9090, "metrics_path": "/metrics"}


def test_component_spec_of_a_component_whose_config_dir_holds_only_its_web_config():
    assert component_spec(FLEET, "app1", "node_exporter") == {
        "container": "proxy-node-exporter", "alias": "node-exporter", "volume": None, "volume_path": None,
        "volume_owner": None, "user": "65534:65534", "group": 65534, "config_mount": "/etc/node_exporter", "checks": [],
        "port": 9100,
        "ready_path": "/metrics", "ports": {"metrics": 9100}, "published_ports": ["[2001:db8::3]:9100:9100"],
        "flags_check": {"entrypoint": "/bin/node_exporter", "args": ["--help"]}, "reload": "restart", "verify": None,
        "metrics_port": 9100, "metrics_path": "/metrics"}


def test_component_spec_of_jaeger_probes_readiness_on_its_health_port_and_lists_every_port():
    assert component_spec(FLEET, "mon1", "jaeger") == {
        "container": "proxy-jaeger", "alias": "jaeger", "volume": "proxy_jaeger_data", "volume_path": "/badger",
        "volume_owner": 10001, "user": "10001:10001", "group": 10001, "config_mount": "/etc/jaeger",
        "checks": [{"entrypoint": "/cmd/jaeger/jaeger-linux",
                    "args": ["validate", "--config=/etc/jaeger/config.yaml"]}],
        "port": 13133, "ready_path": "/status",
        "ports": {"ui": 16686, "otlp_grpc": 4317, "otlp_http": 4318, "health": 13133, "admin": 14269},
        "published_ports": ["10.0.0.1:16686:16686", "10.0.0.1:4317:4317", "10.0.0.1:4318:4318",
                            "127.0.0.1:13133:13133", "10.0.0.1:14269:14269"],
        "flags_check": {"entrypoint": "/cmd/jaeger/jaeger-linux", "args": ["--help"]}, "reload": "restart",
        "verify": None, "metrics_port": 14269, "metrics_path": "/metrics"}


def test_component_spec_of_the_sample_backend():
    fleet = build_fleet({"app1": host("sample_backend", address="10.0.0.3")}, {"all": ["app1"],
                                                                               "sample_backend": ["app1"]})
    assert component_spec(fleet, "app1", "backend") == {
        "container": "proxy-backend", "alias": "backend", "volume": None, "volume_path": None, "volume_owner": None,
        "user": "10000:10000", "group": 10000, "config_mount": "/etc/backend", "checks": [], "port": 8000,
        "ready_path": "/health", "ports": {"http": 8000}, "published_ports": ["127.0.0.1:8000:8000"],
        "flags_check": None, "reload": "restart", "verify": None, "metrics_port": 8000, "metrics_path": "/metrics"}


def test_component_spec_group_is_the_group_of_the_images_user():
    spec = component_spec(FLEET, "mon2", "grafana")
    assert (spec["user"], spec["group"]) == ("472:0", 0)


def test_component_spec_names_the_container_and_volume_after_the_hosts_prefix():
    spec = component_spec(stack(observability_prefix="obs"), "mon1", "alertmanager")
    assert (spec["container"], spec["volume"]) == ("obs-alertmanager", "obs_alertmanager_data")


def test_component_spec_checks_are_plain_lists():
    checks = component_spec(FLEET, "mon1", "loki")["checks"]
    assert checks == [{"entrypoint": "/usr/bin/loki", "args": ["-verify-config", "-config.file=/etc/loki/loki.yaml"]}]
    assert isinstance(checks, list) and isinstance(checks[0]["args"], list)


@pytest.mark.parametrize("host_, component", [
    ("mon2", "loki"), ("mon2", "jaeger"), ("app1", "prometheus"), ("app1", "backend"), ("web1", "node_exporter")])
def test_component_spec_refuses_a_host_that_does_not_run_the_component(host_, component):
    assert refused(lambda: component_spec(FLEET, host_, component)) == (
        "observability_components: host %s does not run %s. Fix: add %s to the host's observability_components (or "
        "its group), or do not apply the role to it" % (host_, component, component))


def test_component_spec_refuses_what_is_not_a_fleet():
    assert refused(lambda: component_spec({"mon1": {}}, "mon1", "loki")) == NOT_A_FLEET

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""prometheus_scrape_configs: the scrape jobs of prometheus.yml, built from the inventory."""
from __future__ import annotations

import copy

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_scrape_configs import (
    prometheus_scrape_configs,
)

# mon1 runs the central services and the collectors, app1 the collectors, db1 the collectors and postgres-exporter
# and is reached at a separate scrape address.
HOSTVARS = {
    "mon1": {"inventory_hostname": "mon1", "group_names": ["agents", "monitoring"], "ansible_host": "10.0.0.1"},
    "app1": {"inventory_hostname": "app1", "group_names": ["agents"], "ansible_host": "10.0.0.2"},
    "db1": {"inventory_hostname": "db1", "group_names": ["agents"], "ansible_host": "db1.example.com",
            "observability_extra_components": ["postgres_exporter"], "observability_scrape_address": "10.0.1.3"},
}
HOSTS = ["mon1", "app1", "db1"]


def scrape(hostvars=None, **kwargs):
    return prometheus_scrape_configs(HOSTVARS if hostvars is None else hostvars, "mon1", HOSTS, **kwargs)


def with_host(host, **hostvars):
    result = copy.deepcopy(HOSTVARS)
    result[host].update(hostvars)
    return result


def job(result, name):
    return [entry for entry in result if entry["job_name"] == name][0]


def test_inventory_gives_the_seed_jobs_plus_prometheus_and_alertmanager():
    assert scrape(backend_targets=["10.0.0.2:8000"]) == [
        {"job_name": "backend", "metrics_path": "/metrics", "static_configs": [{"targets": ["10.0.0.2:8000"]}]},
        {"job_name": "postgres", "static_configs": [
            {"targets": ["10.0.1.3:9187"], "labels": {"host": "db1"}},
        ]},
        {"job_name": "node", "static_configs": [
            {"targets": ["10.0.0.2:9100"], "labels": {"host": "app1"}},
            {"targets": ["10.0.1.3:9100"], "labels": {"host": "db1"}},
            {"targets": ["proxy-node-exporter:9100"], "labels": {"host": "mon1"}},
        ]},
        {"job_name": "docker", "static_configs": [
            {"targets": ["10.0.0.2:8080"], "labels": {"host": "app1"}},
            {"targets": ["10.0.1.3:8080"], "labels": {"host": "db1"}},
            {"targets": ["proxy-cadvisor:8080"], "labels": {"host": "mon1"}},
        ]},
        {"job_name": "prometheus", "static_configs": [
            {"targets": ["proxy-prometheus:9090"], "labels": {"host": "mon1"}},
        ]},
        {"job_name": "alertmanager", "static_configs": [
            {"targets": ["proxy-alertmanager:9093"], "labels": {"host": "mon1"}},
        ]},
        {"job_name": "loki", "static_configs": [
            {"targets": ["proxy-loki:3100"], "labels": {"host": "mon1"}},
        ]},
        {"job_name": "promtail", "static_configs": [
            {"targets": ["10.0.0.2:9080"], "labels": {"host": "app1"}},
            {"targets": ["10.0.1.3:9080"], "labels": {"host": "db1"}},
            {"targets": ["proxy-promtail:9080"], "labels": {"host": "mon1"}},
        ]},
        {"job_name": "grafana", "static_configs": [
            {"targets": ["proxy-grafana:3000"], "labels": {"host": "mon1"}},
        ]},
    ]


def test_jobs_without_targets_are_left_out():
    names = [entry["job_name"] for entry in scrape()]
    assert names == ["postgres", "node", "docker", "prometheus", "alertmanager", "loki", "promtail", "grafana"]


def test_prometheus_on_another_host_scrapes_the_monitoring_host_by_address():
    result = prometheus_scrape_configs(HOSTVARS, "app1", HOSTS)
    assert job(result, "node")["static_configs"] == [
        {"targets": ["proxy-node-exporter:9100"], "labels": {"host": "app1"}},
        {"targets": ["10.0.1.3:9100"], "labels": {"host": "db1"}},
        {"targets": ["10.0.0.1:9100"], "labels": {"host": "mon1"}},
    ]
    assert job(result, "prometheus")["static_configs"] == [{"targets": ["10.0.0.1:9090"], "labels": {"host": "mon1"}}]


def test_prefix_names_the_local_containers():
    assert job(scrape(prefix="obs"), "docker")["static_configs"][-1] == \
        {"targets": ["obs-cadvisor:8080"], "labels": {"host": "mon1"}}


def test_published_port_replaces_the_container_port_on_other_hosts_only():
    hostvars = with_host("app1", observability_published_ports={"cadvisor": 18080})
    hostvars["mon1"]["observability_published_ports"] = {"cadvisor": 18080}
    assert job(scrape(hostvars), "docker")["static_configs"] == [
        {"targets": ["10.0.0.2:18080"], "labels": {"host": "app1"}},
        {"targets": ["10.0.1.3:8080"], "labels": {"host": "db1"}},
        {"targets": ["proxy-cadvisor:8080"], "labels": {"host": "mon1"}},
    ]


def test_role_host_port_of_the_host_wins_over_the_stack_map():
    hostvars = with_host("app1", observability_published_ports={"node_exporter": 19100}, node_exporter_host_port=29100)
    hostvars["db1"]["node_exporter_host_port"] = "39100"
    assert job(scrape(hostvars), "node")["static_configs"] == [
        {"targets": ["10.0.0.2:29100"], "labels": {"host": "app1"}},
        {"targets": ["10.0.1.3:39100"], "labels": {"host": "db1"}},
        {"targets": ["proxy-node-exporter:9100"], "labels": {"host": "mon1"}},
    ]


def test_address_falls_back_to_the_inventory_name_and_brackets_ipv6():
    hostvars = copy.deepcopy(HOSTVARS)
    del hostvars["app1"]["ansible_host"]
    hostvars["db1"]["observability_scrape_address"] = "2001:db8::3"
    assert [static["targets"] for static in job(scrape(hostvars), "node")["static_configs"]] == \
        [["app1:9100"], ["[2001:db8::3]:9100"], ["proxy-node-exporter:9100"]]


def test_observability_components_replaces_the_derived_list():
    hostvars = with_host("app1", observability_components=["redis_exporter"])
    result = scrape(hostvars)
    assert job(result, "redis")["static_configs"] == [{"targets": ["10.0.0.2:9121"], "labels": {"host": "app1"}}]
    assert [static["labels"]["host"] for static in job(result, "node")["static_configs"]] == ["db1", "mon1"]


def test_group_names_are_configurable():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["mon1"]["group_names"] = ["obs", "agents"]
    assert scrape(hostvars) == scrape(hostvars, monitoring_group="monitoring")
    assert job(scrape(hostvars, monitoring_group="obs"), "alertmanager")["static_configs"] == \
        [{"targets": ["proxy-alertmanager:9093"], "labels": {"host": "mon1"}}]
    assert "alertmanager" not in [entry["job_name"] for entry in scrape(hostvars)]


def test_extra_targets_merge_into_jobs_or_create_them_in_the_seed_order():
    result = scrape(extra_targets={"node": ["nas.example.com:9100", "10.0.0.2:9100"], "redis": ["cache1:9121"],
                                   "zfs": ["nas.example.com:9134", "nas.example.com:9134"]})
    assert job(result, "node")["static_configs"][-1] == {"targets": ["nas.example.com:9100"]}
    assert len(job(result, "node")["static_configs"]) == 4  # 10.0.0.2:9100 is app1's target already
    assert [entry["job_name"] for entry in result] == \
        ["postgres", "redis", "node", "docker", "prometheus", "alertmanager", "loki", "promtail", "grafana", "zfs"]
    assert job(result, "redis") == {"job_name": "redis", "static_configs": [{"targets": ["cache1:9121"]}]}
    assert job(result, "zfs") == {"job_name": "zfs", "static_configs": [{"targets": ["nas.example.com:9134"]}]}


def test_user_jobs_come_last_with_keys_in_prometheus_order_and_targets_sorted():
    user_job = {
        "static_configs": [{"labels": {"team": "payments"},
                            "targets": ["b.example:9000", "a.example:9000", "b.example:9000"]}],
        "fallback_scrape_protocol": "PrometheusText0.0.4",
        "scrape_timeout": "20s",
        "scrape_interval": "30s",
        "job_name": "legacy-app",
    }
    result = scrape(extra_jobs=[user_job], extra_targets={"legacy-app": ["c.example:9000", "a.example:9000"]})
    assert result[-1] == {
        "job_name": "legacy-app",
        "scrape_interval": "30s",
        "scrape_timeout": "20s",
        "fallback_scrape_protocol": "PrometheusText0.0.4",
        "static_configs": [
            {"targets": ["a.example:9000", "b.example:9000"], "labels": {"team": "payments"}},
            {"targets": ["c.example:9000"]},
        ],
    }
    assert list(result[-1]) == ["job_name", "scrape_interval", "scrape_timeout", "fallback_scrape_protocol",
                                "static_configs"]


def test_user_job_with_relabelling_may_list_urls():
    blackbox = {"job_name": "blackbox", "metrics_path": "/probe", "params": {"module": ["http_2xx"]},
                "static_configs": [{"targets": ["https://example.com"]}],
                "relabel_configs": [{"source_labels": ["__address__"], "target_label": "__param_target"},
                                    {"target_label": "__address__", "replacement": "proxy-blackbox:9115"}]}
    assert scrape(extra_jobs=[blackbox])[-1] == blackbox


def test_output_is_stable_plain_and_leaves_the_input_alone():
    hostvars = copy.deepcopy(HOSTVARS)
    extra_jobs = [{"job_name": "app", "static_configs": [{"targets": ["app1:8000"]}]}]
    first = prometheus_scrape_configs(hostvars, "mon1", ["db1", "app1", "mon1", "app1"], extra_jobs=extra_jobs,
                                      backend_targets=["b:8000", "a:8000", "b:8000"])
    second = prometheus_scrape_configs(hostvars, "mon1", HOSTS, extra_jobs=copy.deepcopy(extra_jobs),
                                       backend_targets=["a:8000", "b:8000"])
    assert yaml.safe_dump(first, sort_keys=False) == yaml.safe_dump(second, sort_keys=False)
    assert first[0]["static_configs"] == [{"targets": ["a:8000", "b:8000"]}]
    assert hostvars == HOSTVARS
    assert extra_jobs == [{"job_name": "app", "static_configs": [{"targets": ["app1:8000"]}]}]


BAD_INPUT = [
    ({"extra_jobs": [{"job_name": "app", "static_configs": []}, {"job_name": "app", "static_configs": []}]},
     "prometheus_scrape_configs_extra[1]['job_name']: 'app' is defined twice, which Prometheus refuses. "
     "Fix: list each job_name once"),
    ({"extra_jobs": [{"job_name": "node", "static_configs": [{"targets": ["nas:9100"]}]}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'node' is a job this collection generates from the inventory. "
     "Fix: give your job another job_name, or add targets to 'node' with prometheus_static_targets_extra"),
    ({"extra_jobs": [{"job_name": "redis"}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'redis' is a job this collection generates from the inventory. "
     "Fix: give your job another job_name, or add targets to 'redis' with prometheus_static_targets_extra"),
    ({"extra_jobs": [{"job_name": "my app"}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'my app' is not a usable job name. Fix: use letters, digits, "
     "'_', '.' or '-', starting with a letter or '_', e.g. 'blackbox-http'"),
    ({"extra_jobs": [{"static_configs": []}]},
     "prometheus_scrape_configs_extra[0]: has no job_name. Fix: name the job, e.g. job_name: 'app'"),
    ({"extra_jobs": {"job_name": "app"}},
     "prometheus_scrape_configs_extra: must be a list of scrape configs, got dict. "
     "Fix: set it like [{'job_name': 'app', 'static_configs': [{'targets': ['app1:8000']}]}]"),
    ({"extra_jobs": [{"job_name": "app", "scrape_intervall": "30s"}]},
     "prometheus_scrape_configs_extra[0]['scrape_intervall']: is not a scrape_config key Prometheus knows. "
     "Fix: check the spelling against Prometheus' scrape_config reference (this check knows the keys of "
     "Prometheus 3.14)"),
    ({"extra_jobs": [{"job_name": "app", "scrape_interval": 30}]},
     "prometheus_scrape_configs_extra[0]['scrape_interval']: 30 is not a Prometheus duration. Fix: write a number "
     "with a unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"),
    ({"extra_jobs": [{"job_name": "app", "scrape_interval": "1m1h"}]},
     "prometheus_scrape_configs_extra[0]['scrape_interval']: '1m1h' is not a Prometheus duration. Fix: write a "
     "number with a unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"),
    ({"extra_jobs": [{"job_name": "app", "scrape_timeout": "0s"}]},
     "prometheus_scrape_configs_extra[0]['scrape_timeout']: '0s' must be longer than zero. Fix: give a duration "
     "such as '15s', or leave the key out to use the default"),
    ({"extra_jobs": [{"job_name": "app", "scrape_interval": "10s", "scrape_timeout": "1m"}]},
     "prometheus_scrape_configs_extra[0]['scrape_timeout']: '1m' is longer than the scrape_interval '10s' of job "
     "'app', which Prometheus refuses. Fix: make scrape_timeout at most scrape_interval"),
    ({"extra_jobs": [{"job_name": "app", "scrape_timeout": "20s"}], "scrape_interval": "15s"},
     "prometheus_scrape_configs_extra[0]['scrape_timeout']: '20s' is longer than the global scrape_interval '15s' "
     "that job 'app' inherits, which Prometheus refuses. Fix: set scrape_interval on the job, shorten "
     "scrape_timeout, or raise prometheus_scrape_interval"),
    ({"scrape_interval": "15"},
     "prometheus_scrape_interval: '15' is not a Prometheus duration. Fix: write a number with a "
     "unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"),
    ({"extra_jobs": [{"job_name": "app", "metrics_path": "metrics"}]},
     "prometheus_scrape_configs_extra[0]['metrics_path']: 'metrics' does not start with '/'. "
     "Fix: write the path from the root, e.g. '/metrics'"),
    ({"extra_jobs": [{"job_name": "app", "fallback_scrape_protocol": "text/plain"}]},
     "prometheus_scrape_configs_extra[0]['fallback_scrape_protocol']: 'text/plain' is not a scrape protocol. "
     "Fix: use one of PrometheusProto, PrometheusText0.0.4, PrometheusText1.0.0, OpenMetricsText0.0.1, "
     "OpenMetricsText1.0.0"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["a:1"], "labels": {"team-name": "x"}}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['labels']['team-name']: 'team-name' is not a label "
     "name. Fix: use letters, digits and '_', not starting with a digit, e.g. 'team'"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["a:1"], "labels": {"__tier": "x"}}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['labels']['__tier']: '__tier' starts with '__', which "
     "Prometheus reserves for internal labels. Fix: drop the leading underscores, e.g. 'tier'"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["a:1"], "labels": {"on": True}}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['labels']['on']: must be a string, got bool True. "
     "Fix: quote the value, e.g. 'true' or '1'"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"target": ["a:1"]}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]: {'target': ['a:1']} is not a static config. "
     "Fix: give only the keys 'targets' and 'labels', e.g. {'targets': ['app1:9100']}"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["http://app1:8000/metrics"]}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['targets'][0]: 'http://app1:8000/metrics' is not a "
     "host:port target. Fix: write it as host:port, e.g. 'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 "
     "to 65535); for URLs (blackbox probes) use a job of your own with relabel_configs in "
     "prometheus_scrape_configs_extra"),
    ({"extra_targets": {"node": ["nas.example.com:70000"]}},
     "prometheus_static_targets_extra['node'][0]: 'nas.example.com:70000' is not a host:port target. Fix: write it "
     "as host:port, e.g. 'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 to 65535); for URLs (blackbox "
     "probes) use a job of your own with relabel_configs in prometheus_scrape_configs_extra"),
    ({"extra_targets": {"node": "nas.example.com:9100"}},
     "prometheus_static_targets_extra['node']: must be a list of host:port targets, got str. "
     "Fix: set it like ['app1.example.com:8000']"),
    ({"extra_targets": {"nas box": ["nas.example.com:9100"]}},
     "prometheus_static_targets_extra['nas box']: 'nas box' is not a usable job name. Fix: use letters, digits, "
     "'_', '.' or '-', starting with a letter or '_', e.g. 'nas'"),
    ({"extra_targets": [["node", "nas:9100"]]},
     "prometheus_static_targets_extra: must map job names to lists of targets, got list. "
     "Fix: set it like {'node': ['nas.example.com:9100']}"),
    ({"backend_targets": ["backend"]},
     "prometheus_backend_targets[0]: 'backend' is not a host:port target. Fix: write it as host:port, e.g. "
     "'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 to 65535); for URLs (blackbox probes) use a job of "
     "your own with relabel_configs in prometheus_scrape_configs_extra"),
    ({"backend_targets": ["backend:0"]},
     "prometheus_backend_targets[0]: 'backend:0' is not a host:port target. Fix: write it as host:port, e.g. "
     "'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 to 65535); for URLs (blackbox probes) use a job of "
     "your own with relabel_configs in prometheus_scrape_configs_extra"),
    ({"prefix": "Proxy Stack"},
     "observability_prefix: 'Proxy Stack' cannot start container and volume names. Fix: use 1 to 32 lower-case "
     "letters, digits, '_' or '-', starting with a letter or digit, e.g. 'proxy'"),
    ({"hostvars": with_host("db1", observability_scrape_address="http://10.0.1.3")},
     "observability_scrape_address: 'http://10.0.1.3' on host db1 is not a host name or IP address. Fix: set "
     "observability_scrape_address on host db1 to the name or address the stack reaches it at, without scheme or "
     "port"),
    ({"hostvars": with_host("app1", observability_published_ports={"node_exporter": 0})},
     "observability_published_ports['node_exporter']: 0 on host app1 is not a port. Fix: give a port from 1 to 65535"),
    ({"hostvars": with_host("app1", cadvisor_host_port="80a")},
     "cadvisor_host_port: '80a' on host app1 is not a port. Fix: give a port from 1 to 65535"),
    ({"hostvars": with_host("app1", observability_components=["node-exporter"])},
     "observability_components: 'node-exporter' is not a component of this stack. Fix: use names from: "
     "alertmanager, cadvisor, grafana, jaeger, loki, node_exporter, postgres_exporter, prometheus, promtail, "
     "redis_exporter"),
]


@pytest.mark.parametrize("kwargs, message", BAD_INPUT,
                         ids=[message.split(". Fix")[0][:60] for dummy, message in BAD_INPUT])
def test_bad_input_is_rejected_naming_the_variable(kwargs, message):
    with pytest.raises(AnsibleFilterError) as exc:
        scrape(**kwargs)
    assert str(exc.value) == message

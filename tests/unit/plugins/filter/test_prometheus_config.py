# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""prometheus_config: the whole prometheus.yml, in Prometheus' key order."""
from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.fleet_endpoints import fleet_endpoints
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_config import prometheus_config
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet

JOBS = [
    {"job_name": "node", "static_configs": [{"targets": ["proxy-node-exporter:9100"], "labels": {"host": "mon1"}}]},
    {"job_name": "prometheus", "static_configs": [{"targets": ["proxy-prometheus:9090"], "labels": {"host": "mon1"}}]},
]
RULES = ["/etc/prometheus/rules/*.yml"]


def alertmanager(address, host="mon1", scheme="http", path=""):
    """An Alertmanager endpoint as the fleet_endpoints filter gives it."""
    return {"component": "alertmanager", "host": host, "port_name": "http", "scheme": scheme, "address": address,
            "port": 9093, "path": path, "local": address.startswith("proxy-"), "tls": None, "basic_auth": None}


ALERTMANAGERS = [alertmanager("proxy-alertmanager")]


def test_defaults_give_the_seed_global_block_alerting_v2_rules_and_jobs():
    config = prometheus_config(JOBS, {}, ALERTMANAGERS, RULES)
    assert config == {
        "global": {
            "scrape_interval": "15s",
            "evaluation_interval": "15s",
            "external_labels": {"cluster": "proxy-agent-platform", "environment": "production"},
        },
        "alerting": {"alertmanagers": [
            {"api_version": "v2", "static_configs": [{"targets": ["proxy-alertmanager:9093"]}]},
        ]},
        "rule_files": ["/etc/prometheus/rules/*.yml"],
        "scrape_configs": JOBS,
    }
    assert list(config) == ["global", "alerting", "rule_files", "scrape_configs"]
    assert list(config["global"]) == ["scrape_interval", "evaluation_interval", "external_labels"]


def test_global_config_merges_over_the_seed_and_null_drops():
    config = prometheus_config(JOBS, {"scrape_timeout": "10s", "scrape_interval": "30s",
                                      "external_labels": {"environment": "staging", "cluster": None, "region": "eu"}},
                               ALERTMANAGERS, RULES)
    assert config["global"] == {"scrape_interval": "30s", "scrape_timeout": "10s", "evaluation_interval": "15s",
                                "external_labels": {"environment": "staging", "region": "eu"}}
    assert list(config["global"]) == ["scrape_interval", "scrape_timeout", "evaluation_interval", "external_labels"]
    assert list(config["global"]["external_labels"]) == ["environment", "region"]


def test_alertmanager_targets_are_sorted_and_deduplicated():
    endpoints = [alertmanager("10.0.0.2", "mon2"), alertmanager("proxy-alertmanager"), alertmanager("10.0.0.2", "mon2")]
    config = prometheus_config(JOBS, {}, endpoints, RULES)
    assert config["alerting"]["alertmanagers"] == \
        [{"api_version": "v2", "static_configs": [{"targets": ["10.0.0.2:9093", "proxy-alertmanager:9093"]}]}]


def test_every_alertmanager_of_the_fleet_gets_the_alerts():
    hostvars = {name: {"group_names": ["monitoring"], "ansible_facts": {"default_ipv4": {"address": address}}}
                for name, address in (("mon1", "10.0.0.1"), ("mon2", "2001:db8::2"))}
    fleet = build_fleet(hostvars, {"all": ["mon1", "mon2"], "monitoring": ["mon1", "mon2"]})
    config = prometheus_config(JOBS, {}, fleet_endpoints(fleet, "alertmanager", "mon1"), RULES)
    assert config["alerting"]["alertmanagers"][0]["static_configs"] == \
        [{"targets": ["[2001:db8::2]:9093", "proxy-alertmanager:9093"]}]


def test_alertmanagers_with_another_scheme_or_path_prefix_get_an_entry_of_their_own():
    endpoints = [alertmanager("10.0.0.2", "mon2", path="/am"), alertmanager("10.0.0.3", "mon3", scheme="https"),
                 alertmanager("proxy-alertmanager")]
    assert prometheus_config(JOBS, {}, endpoints, RULES)["alerting"]["alertmanagers"] == [
        {"api_version": "v2", "static_configs": [{"targets": ["proxy-alertmanager:9093"]}]},
        {"api_version": "v2", "path_prefix": "/am", "static_configs": [{"targets": ["10.0.0.2:9093"]}]},
        {"api_version": "v2", "scheme": "https", "static_configs": [{"targets": ["10.0.0.3:9093"]}]},
    ]


@pytest.mark.parametrize("labels, regex", [(["replica"], "replica"), (["replica", "prometheus"], "replica|prometheus")])
def test_dropped_alert_labels_become_a_labeldrop_before_the_alertmanagers(labels, regex):
    alerting = prometheus_config(JOBS, {}, ALERTMANAGERS, RULES, drop_alert_labels=labels)["alerting"]
    assert alerting == {"alert_relabel_configs": [{"action": "labeldrop", "regex": regex}],
                        "alertmanagers": [{"api_version": "v2",
                                           "static_configs": [{"targets": ["proxy-alertmanager:9093"]}]}]}
    assert list(alerting) == ["alert_relabel_configs", "alertmanagers"]


@pytest.mark.parametrize("labels", [None, []])
def test_without_labels_to_drop_there_is_no_alert_relabelling(labels):
    alerting = prometheus_config(JOBS, {}, ALERTMANAGERS, RULES, drop_alert_labels=labels)["alerting"]
    assert list(alerting) == ["alertmanagers"]


@pytest.mark.parametrize("alertmanagers", [[], None])
def test_without_alertmanagers_the_alerting_block_is_left_out_even_with_rules_and_labels_to_drop(alertmanagers):
    config = prometheus_config(JOBS, {}, alertmanagers, RULES, drop_alert_labels=["replica"])
    assert list(config) == ["global", "rule_files", "scrape_configs"]


def test_extra_top_level_keys_take_prometheus_order():
    config = prometheus_config(JOBS, None, ALERTMANAGERS, [], extra={
        "storage": {"tsdb": {"out_of_order_time_window": "10m"}},
        "runtime": {"gogc": 75},
    })
    assert list(config) == ["global", "runtime", "alerting", "scrape_configs", "storage"]


def test_job_keys_are_ordered_and_fallback_scrape_protocol_passes_through():
    job = {"static_configs": [{"targets": ["legacy:9000"]}], "fallback_scrape_protocol": "PrometheusText0.0.4",
           "job_name": "legacy"}
    config = prometheus_config([job], {}, ALERTMANAGERS, RULES)
    assert list(config["scrape_configs"][0]) == ["job_name", "fallback_scrape_protocol", "static_configs"]


def test_output_dumps_identically_twice():
    first = yaml.safe_dump(prometheus_config(JOBS, {"scrape_interval": "30s"}, ALERTMANAGERS, RULES), sort_keys=False)
    second = yaml.safe_dump(prometheus_config(JOBS, {"scrape_interval": "30s"}, ALERTMANAGERS, RULES), sort_keys=False)
    assert first == second
    assert first.startswith("global:\n  scrape_interval: 30s\n  evaluation_interval: 15s\n")


BAD_INPUT = [
    ({"global_config": {"scrape_intervall": "30s"}},
     "global_config['scrape_intervall']: is not a key of Prometheus' global block. Fix: check the "
     "spelling against Prometheus' configuration reference (this check knows the keys of Prometheus 3.14)"),
    ({"global_config": "30s"},
     "global_config: must be a mapping of Prometheus' global keys, got str. "
     "Fix: set it like {'scrape_interval': '30s'}"),
    ({"global_config": {"evaluation_interval": "1.5m"}},
     "prometheus_evaluation_interval: '1.5m' is not a Prometheus duration. Fix: write a number "
     "with a unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"),
    ({"global_config": {"scrape_interval": "0"}},
     "prometheus_scrape_interval: '0' must be longer than zero. Fix: give a duration such as "
     "'15s', or leave the key out to use the default"),
    ({"global_config": {"scrape_timeout": "20s"}},
     "global_config['scrape_timeout']: '20s' is longer than scrape_interval '15s', which Prometheus "
     "refuses. Fix: make scrape_timeout at most scrape_interval"),
    ({"global_config": {"external_labels": {"data-center": "eu1"}}},
     "prometheus_external_labels['data-center']: 'data-center' is not a label name. Fix: use "
     "letters, digits and '_', not starting with a digit, e.g. 'team'"),
    ({"global_config": {"external_labels": {"__replica__": "a"}}},
     "prometheus_external_labels['__replica__']: '__replica__' starts with '__', which Prometheus "
     "reserves for internal labels. Fix: drop the leading underscores, e.g. 'replica'"),
    ({"global_config": {"external_labels": {"environment": ""}}},
     "prometheus_external_labels['environment']: is empty. "
     "Fix: give it a value, or set it to null to drop the label"),
    ({"alertmanagers": ["proxy-alertmanager:9093"]},
     "alertmanagers[0]: 'proxy-alertmanager:9093' is not an endpoint. "
     "Fix: pass the fleet_endpoints filter's result for alertmanager"),
    ({"alertmanagers": [{"address": "10.0.0.2", "port": 9093}]},
     "alertmanagers[0]: {'address': '10.0.0.2', 'port': 9093} is not an endpoint. "
     "Fix: pass the fleet_endpoints filter's result for alertmanager"),
    ({"alertmanagers": "proxy-alertmanager:9093"},
     "alertmanagers: must be a list of endpoints, got str. Fix: pass the fleet_endpoints filter's result for "
     "alertmanager"),
    ({"drop_alert_labels": ["replica-id"]},
     "prometheus_replica_label[0]: 'replica-id' is not a label name. Fix: use letters, digits and '_', not starting "
     "with a digit, e.g. 'team'"),
    ({"drop_alert_labels": ["__replica__"]},
     "prometheus_replica_label[0]: '__replica__' starts with '__', which Prometheus reserves for internal labels. "
     "Fix: drop the leading underscores, e.g. 'replica'"),
    ({"rule_files": ["/etc/prometheus/*/rules.yml"]},
     "rule_files[0]: '/etc/prometheus/*/rules.yml' is not a rule file path Prometheus accepts. "
     "Fix: give a path with at most one '*', in its last element, e.g. '/etc/prometheus/rules/*.yml'"),
    ({"extra": {"alerting": {"alert_relabel_configs": []}}},
     "extra['alerting']: is built by this collection. "
     "Fix: set it through the inventory (every host that runs alertmanager) instead"),
    ({"extra": {"remote_writes": []}},
     "extra['remote_writes']: is not a top-level key of prometheus.yml. Fix: use one of runtime, "
     "scrape_config_files, storage, tracing, remote_write, remote_read, otlp"),
    ({"scrape_configs": JOBS + [JOBS[0]]},
     "scrape_configs[2]['job_name']: 'node' is defined twice, which Prometheus refuses. "
     "Fix: list each job_name once in prometheus_scrape_configs_extra"),
    ({"scrape_configs": [{"job_name": "slow", "scrape_timeout": "30s", "static_configs": []}]},
     "scrape_configs[0]['scrape_timeout']: '30s' is longer than the global scrape_interval '15s' that job 'slow' "
     "inherits, which Prometheus refuses. Fix: set scrape_interval on the job, shorten scrape_timeout, or raise "
     "prometheus_scrape_interval"),
    ({"scrape_configs": [{"static_configs": []}]},
     "scrape_configs[0]: is not a scrape config with a job_name. "
     "Fix: pass the result of the prometheus_scrape_configs filter"),
]


@pytest.mark.parametrize("kwargs, message", BAD_INPUT,
                         ids=[message.split(". Fix")[0][:60] for dummy, message in BAD_INPUT])
def test_bad_input_is_rejected_naming_the_variable(kwargs, message):
    args = {"scrape_configs": JOBS, "global_config": {}, "alertmanagers": ALERTMANAGERS, "rule_files": RULES}
    args.update(kwargs)
    with pytest.raises(AnsibleFilterError) as exc:
        prometheus_config(**args)
    assert str(exc.value) == message

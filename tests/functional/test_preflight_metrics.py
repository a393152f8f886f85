# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input for the metrics roles is rejected at playbook level, naming the variable, before anything changes.

Runs the real site playbook in check mode against this machine, like test_preflight.py (fixtures in conftest.py),
with two precautions so that check mode changes nothing here whatever a case does:
- the docker_host role's tasks are skipped (`--skip-tags docker_host`): this machine's engine runs without an init
  system and without the stack's daemon.json, network and volumes, so that role would report changes in check mode
  (its argument spec and the stack's preflight still run, they are tagged `always`);
- observability_config_root points into the test's temporary directory.
Most cases enable every metrics component (ALL): the site playbook's first play runs every role's checks before any
role deploys, so a mistake that only the last role (Prometheus) can see still stops the run before the first role
(node-exporter) stages anything.
Images are the local test images (.cache/images/local-images.yml, written by scripts/test) where they exist, never
pulled. Invalid PromQL is not among the cases: only promtool, in the deploy step, can check it.
"""
from __future__ import annotations

import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCAL_IMAGES = os.path.join(ROOT, ".cache", "images", "local-images.yml")

METRICS = ["prometheus", "alertmanager", "node_exporter"]  # the usual set
ALL = ["node_exporter", "cadvisor", "postgres_exporter", "redis_exporter", "alertmanager", "prometheus"]

# A configuration of one's own without secrets, so that only the change a case makes is wrong.
AM_CONFIG = {"route": {"receiver": "default"}, "receivers": [{"name": "default"}]}
JOB = {"job_name": "app", "static_configs": [{"targets": ["app1.internal:8000"]}]}

# (id, components, variables, message: the start of the error, which names the variable)
BAD_INPUT = [
    ("scrape-job-twice", ALL, {"prometheus_scrape_configs_extra": [JOB, JOB]},
     "prometheus_scrape_configs_extra[1]['job_name']: 'app' is defined twice, which Prometheus refuses. "
     "Fix: list each job_name once"),
    ("scrape-job-reserved", ALL, {"prometheus_scrape_configs_extra": [dict(JOB, job_name="node")]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'node' is a job this collection generates from the inventory"),
    ("scrape-interval", ALL, {"prometheus_scrape_interval": "15 seconds"},
     "prometheus_scrape_interval: '15 seconds' is not a Prometheus duration. Fix: write a number with a unit"),
    ("evaluation-interval", ALL, {"prometheus_evaluation_interval": "1.5m"},
     "prometheus_evaluation_interval: '1.5m' is not a Prometheus duration"),
    ("target-without-port", ALL, {"prometheus_static_targets_extra": {"nas": ["nas.internal"]}},
     "prometheus_static_targets_extra['nas'][0]: 'nas.internal' is not a host:port target. "
     "Fix: write it as host:port"),
    ("external-label-name", ALL, {"prometheus_external_labels": {"data-center": "eu1"}},
     "prometheus_external_labels['data-center']: 'data-center' is not a label name"),
    ("unknown-receiver", ALL, {"alertmanager_config": dict(AM_CONFIG, route={"receiver": "nobody"})},
     "alertmanager_config.route.receiver: 'nobody' is not a receiver. Fix: use one of the names defined under "
     "receivers (default), or add a receiver named 'nobody'"),
    ("bad-matcher", ALL,
     {"alertmanager_config": dict(AM_CONFIG, route={"receiver": "default", "routes": [
         {"receiver": "default", "matchers": ['severity="critical']}]})},
     "alertmanager_config.route.routes[0].matchers[0]: 'severity=\"critical' is not a valid matcher: "
     "the quote at column 10 is never closed"),
    ("group-wait", ALL,
     {"alertmanager_config": dict(AM_CONFIG, route={"receiver": "default", "group_wait": "10 seconds"})},
     "alertmanager_config.route.group_wait: '10 seconds' is not a Prometheus duration"),
    ("slack-without-url", ALL,
     {"alertmanager_config": dict(AM_CONFIG, receivers=[{"name": "default", "slack_configs": [{"channel": "#a"}]}])},
     "alertmanager_config.receivers[0].slack_configs[0]: has no Slack webhook URL, and the global section sets none. "
     "Fix: set api_url here or slack_api_url under global"),
    ("seed-without-slack-url", ALL,
     {"alertmanager_slack_api_url": "", "alertmanager_pagerduty_service_key": "0123456789abcdef"},
     "alertmanager_slack_api_url / alertmanager_pagerduty_service_key: the default receivers send to Slack and "
     "PagerDuty, but a secret is empty"),
    ("two-components-one-port", METRICS, {"observability_published_ports": {"alertmanager": 9090}},
     "observability_published_ports: alertmanager (http) and prometheus (http) both publish host port 9090/tcp on "
     "host localhost. Fix: give each component its own port"),
    ("port-not-a-number", METRICS, {"observability_published_ports": {"node_exporter": "9100/tcp"}},
     "observability_published_ports['node_exporter']: '9100/tcp' on host localhost is not a port. "
     "Fix: give an integer from 1 to 65535"),
    ("port-of-an-unknown-component", METRICS, {"observability_published_ports": {"promethus": 9090}},
     "observability_published_ports: 'promethus' (on host localhost) is not a component of this stack"),
    ("unknown-port-name", METRICS, {"observability_published_ports": {"alertmanager": {"gossip": 9094}}},
     "observability_published_ports['alertmanager']: 'gossip' (on host localhost) is not a port of alertmanager. "
     "Fix: use the port names http, cluster"),
    ("old-role-port-variable", METRICS, {"prometheus_host_port": 9093},
     "prometheus_host_port: on host localhost is no longer used: every host port is set in "
     "observability_published_ports, which all hosts of the stack can see. "
     "Fix: replace it with observability_published_ports: {prometheus: 9093}"),
    ("postgres-uri-without-database", ALL, {"postgres_exporter_uri": "db1.internal:5432"},
     "postgres_exporter_uri / postgres_exporter_user: 'db1.internal:5432' is not host[:port]/database[?options]"),
    ("redis-addr-without-scheme", ALL, {"redis_exporter_addr": "cache1.internal:6379"},
     "redis_exporter_addr: 'cache1.internal:6379' is not a Redis URL. Fix: write it like redis://cache1.internal:6379"),
    ("image-latest", METRICS, {"observability_image_overrides": {"node_exporter": "prom/node-exporter:latest"}},
     "observability_image_overrides['node_exporter']: 'prom/node-exporter:latest' is not pinned: 'latest' moves"),
]


def _local_image_overrides():
    if not os.path.exists(LOCAL_IMAGES):
        return {}
    with open(LOCAL_IMAGES, encoding="utf-8") as handle:
        return (yaml.safe_load(handle) or {}).get("observability_image_overrides", {})


def check_mode_vars(tmp_path, components, variables):
    """Extra vars of a check-mode site run against this machine: the components, the local images (the case's own
    image overrides merged over them), the configuration root in tmp_path, the seed's receivers' secrets, then the
    case's variables."""
    extra_vars = {
        "observability_components": components,
        "observability_image_pull": False,
        "observability_config_root": str(tmp_path / "config"),
        "alertmanager_slack_api_url": "https://hooks.slack.invalid/services/T0/B0/test",
        "alertmanager_pagerduty_service_key": "0123456789abcdef",
    }
    variables = dict(variables)
    extra_vars["observability_image_overrides"] = dict(_local_image_overrides(),
                                                       **variables.pop("observability_image_overrides", {}))
    extra_vars.update(variables)
    return extra_vars


@pytest.mark.parametrize("components, variables, message", [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_metrics_input_stops_in_a_check_before_any_change(components, variables, message, tmp_path,
                                                              run_playbook, stops_in_a_check):
    extra_vars = check_mode_vars(tmp_path, components, variables)
    result = run_playbook("proxy_agent.observability.site", extra_vars, args=["--skip-tags", "docker_host"])
    stops_in_a_check(result, message)
    assert not (tmp_path / "config").exists(), "a check-mode run staged files before failing"


def test_bad_input_on_one_host_stops_every_host_before_any_change(tmp_path, run_playbook):
    """any_errors_fatal on the checks play: a good host is not deployed while another host's input is wrong."""
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {
        "children": {"monitoring": {"hosts": {"good": {}}}, "agents": {"hosts": {"good": {}, "bad": {}}}},
        "hosts": {"good": {"observability_components": METRICS},
                  "bad": {"observability_components": ["node_exporter", "redis_exporter"],
                          "redis_exporter_addr": "cache1.internal:6379"}},
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}))
    extra_vars = {"observability_image_pull": False, "observability_config_root": str(tmp_path / "config"),
                  "alertmanager_slack_api_url": "https://hooks.slack.invalid/services/T0/B0/test",
                  "alertmanager_pagerduty_service_key": "0123456789abcdef",
                  "observability_image_overrides": _local_image_overrides()}
    result = run_playbook("proxy_agent.observability.site", extra_vars,
                          args=["-i", str(inventory), "--limit", "good,bad", "--skip-tags", "docker_host"])
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "redis_exporter_addr: 'cache1.internal:6379' is not a Redis URL" in output, output
    assert not re.search(r"^fatal: \[good\]", result.stdout, re.M), output
    assert re.search(r"^fatal: \[bad\]", result.stdout, re.M), output
    assert "PLAY [Prepare the Docker hosts]" not in result.stdout, output
    assert "PLAY [Deploy the stack components]" not in result.stdout, output
    assert not re.search(r"^changed: ", result.stdout, re.M), output
    assert not (tmp_path / "config").exists()

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Values that would stop a container at its start, or that Docker would refuse, stop the site playbook in a check,
naming the variable, before any host changes: durations, sizes, memory and process limits, extra flags, the address
ports are published on. Same harness and precautions as test_preflight_metrics.py (check mode against this machine,
`--skip-tags docker_host`, configuration root in the test's temporary directory).

Every case enables the metrics components, node-exporter first: a value that only Prometheus, the last of them, reads
still stops the run before node-exporter's container is touched.
"""
from __future__ import annotations

import pytest
import yaml

from test_preflight_metrics import check_mode_vars

COMPONENTS = ["node_exporter", "cadvisor", "alertmanager", "prometheus"]

# (id, variables, message: the start of the error, which names the variable)
BAD_INPUT = [
    ("retention-time-in-words", {"prometheus_retention_time": "5 minutes"},
     "prometheus_retention_time: '5 minutes' is not a Prometheus duration. Fix: write a number with a unit"),
    ("retention-size-with-space", {"prometheus_retention_size": "10 GiBs"},
     "prometheus_retention_size: '10 GiBs' is not a Prometheus size. Fix: write a number and a unit without a space"),
    ("extra-flag-without-dashes", {"prometheus_extra_flags": ["storage.tsdb.retention.time=5d"]},
     "prometheus_extra_flags[0]: 'storage.tsdb.retention.time=5d' is not a flag: it does not start with '--'. "
     "Fix: write each flag as one entry starting with '--', e.g. '--storage.tsdb.retention.time=5d'"),
    ("extra-flag-the-role-sets", {"prometheus_extra_flags": ["--config.file=/x"]},
     "prometheus_extra_flags[0]: '--config.file=/x' sets --config.file, which the prometheus role sets itself. "
     "Fix: remove it from prometheus_extra_flags"),
    ("node-exporter-memory-in-words", {"node_exporter_memory": "lots"},
     "node_exporter_memory: 'lots' is not a memory size. Fix: write a number with the unit b, k, m or g"),
    ("prometheus-memory-in-words", {"prometheus_memory": "lots"},
     "prometheus_memory: 'lots' is not a memory size"),
    ("no-process-limit", {"cadvisor_pids_limit": 0},
     "cadvisor_pids_limit: 0 is not a process limit. Fix: give a whole number from 1 to 4194304"),
    ("ui-bind-address-not-an-ip", {"observability_ui_publish_address": "0.0.0.0.1"},
     "observability_ui_publish_address: on host localhost is '0.0.0.0.1', which is not an IP address, and Docker "
     "binds published ports to IP addresses only"),
    ("publish-address-not-an-ip", {"observability_publish_address": "0.0.0.0.1"},
     "observability_publish_address: on host localhost is '0.0.0.0.1', which is not an IP address"),
    ("alert-for-not-a-duration", {"prometheus_alert_for": {"HighErrorRate": "5x"}},
     "prometheus_alert_for['HighErrorRate']: '5x' is not a Prometheus duration"),
]


@pytest.mark.parametrize("variables, message", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_a_bad_value_stops_in_a_check_before_any_change(variables, message, tmp_path, run_playbook, stops_in_a_check):
    extra_vars = check_mode_vars(tmp_path, COMPONENTS, variables)
    result = run_playbook("proxy_agent.observability.site", extra_vars, args=["--skip-tags", "docker_host"])
    stops_in_a_check(result, message)
    assert not (tmp_path / "config").exists(), "a check-mode run staged files before failing"


# The stack's checks for one Alertmanager, as the site playbook's checks play runs them, then what they rendered.
CHECKS_PLAY = [{
    "name": "Check the Alertmanager settings",
    "hosts": "all",
    "gather_subset": ["min", "network"],
    "tasks": [
        {"name": "Build the fleet", "ansible.builtin.include_role": {
            "name": "proxy_agent.observability.observability", "public": True}},
        {"name": "Check Alertmanager's settings", "ansible.builtin.include_role": {
            "name": "proxy_agent.observability.alertmanager", "tasks_from": "preflight"}},
        {"name": "Show the routes and the secret files", "ansible.builtin.debug": {
            "msg": "routes={{ __alertmanager_rendered.config.route.routes | map(attribute='receiver') | join(',') }} "
                   "secrets={{ __alertmanager_secret_sources.keys() | sort | join(',') }}"}},
    ],
}]


def test_a_null_alertmanager_config_means_the_seeds_routes(tmp_path, run_playbook):
    playbook = tmp_path / "checks.yml"
    playbook.write_text(yaml.safe_dump(CHECKS_PLAY, sort_keys=False))
    extra_vars = check_mode_vars(tmp_path, ["alertmanager"], {"alertmanager_config": None})
    result = run_playbook(str(playbook), extra_vars)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "routes=critical,warning secrets=pagerduty_critical_service_key,slack_api_url" in output, output

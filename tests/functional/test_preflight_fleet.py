# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleet-wide mistakes stop the site playbook before any host changes, naming the variable.

Inventories of two or three hosts, all this machine (local connection, so each host's facts give this machine's
address), run the real site playbook in check mode; nothing on this machine changes (see test_preflight_metrics.py
for the precautions: docker_host's tasks skipped, the configuration root in a temporary directory).
"""
from __future__ import annotations

import re

import yaml

LOCAL = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
SECRETS = {"alertmanager_slack_api_url": "https://hooks.slack.invalid/services/T0/B0/test",
           "alertmanager_pagerduty_service_key": "0123456789abcdef", "grafana_admin_password": "a-test-password"}


def _inventory(tmp_path, children, hostvars=None, allvars=None):
    hosts = {}
    for group in children.values():
        for name in group:
            hosts[name] = {}
    inventory = {"all": {"hosts": {name: dict((hostvars or {}).get(name, {})) for name in hosts},
                         "children": {group: {"hosts": {name: {} for name in names}}
                                      for group, names in children.items()},
                         "vars": dict(LOCAL, **(allvars or {}))}}
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory))
    return str(path)


def _run(run_playbook, tmp_path, inventory, extra=None, playbook="proxy_agent.observability.site"):
    extra_vars = dict(SECRETS, observability_image_pull=False, observability_config_root=str(tmp_path / "config"))
    extra_vars.update(extra or {})
    return run_playbook(playbook, extra_vars, args=["--skip-tags", "docker_host"], inventory=inventory)


def test_a_loopback_publish_address_on_a_host_another_host_scrapes_stops_every_host(
        tmp_path, run_playbook, stops_in_a_check):
    inventory = _inventory(tmp_path, {"monitoring": ["mon1"], "agents": ["app1"]},
                           hostvars={"app1": {"observability_publish_address": "127.0.0.1"}})
    result = _run(run_playbook, tmp_path, inventory)
    stops_in_a_check(result, "observability_publish_address: on host app1 is '127.0.0.1' (from "
                             "observability_publish_address), which only app1 itself reaches, but prometheus on "
                             "host mon1 connects to its node_exporter port 9100. Fix: set observability_publish_address "
                             "on host app1 to the address of an interface the other hosts reach")
    assert "PLAY [Prepare the Docker hosts]" not in result.stdout
    assert not (tmp_path / "config").exists()


def test_a_stack_setting_in_play_vars_that_other_hosts_cannot_see_is_refused(tmp_path, run_playbook,
                                                                             stops_in_a_check):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": "A play that sets the prefix where only it sees it",
        "hosts": "all", "gather_facts": False,
        "vars": {"observability_prefix": "other"},
        "roles": [{"role": "proxy_agent.observability.observability"}]}]))
    inventory = _inventory(tmp_path, {"monitoring": ["mon1"]})
    result = _run(run_playbook, tmp_path, inventory, playbook=str(playbook))
    stops_in_a_check(result, "observability_prefix: is set for host mon1 where the other hosts cannot see it (play "
                             "vars, role parameters or include_vars): it is 'other' there, 'proxy' in the inventory")


def test_an_inventory_whose_groups_place_nothing_stops_with_the_group_settings_named(tmp_path, run_playbook):
    inventory = _inventory(tmp_path, {"metrics_servers": ["mon1"], "collectors": ["app1"]})
    result = _run(run_playbook, tmp_path, inventory)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "No host of this run is in a group that places components (monitoring, agents, postgres, redis, " \
        "sample_backend)" in output
    assert "observability_monitoring_group and observability_agents_group" in output
    assert not re.search(r"^(ok|changed): ", result.stdout, re.M), output


def test_group_names_mapped_through_the_settings_place_the_components(tmp_path, run_playbook):
    inventory = _inventory(tmp_path, {"metrics_servers": ["mon1"], "collectors": ["mon1", "app1"]},
                           allvars={"observability_monitoring_group": "metrics_servers",
                                    "observability_agents_group": "collectors"})
    # Stop right after the fleet is built (a later check fails on purpose), so that the run shows the placement.
    result = _run(run_playbook, tmp_path, inventory, extra={"redis_exporter_addr": "not-a-url",
                                                            "observability_extra_components": ["redis_exporter"]})
    output = result.stdout + result.stderr
    assert "redis_exporter_addr: 'not-a-url' is not a Redis URL" in output, output
    assert "PLAY [Check every setting before changing any host]" in output
    # Both hosts were found through the mapped group names and reached the checks.
    assert re.search(r"^fatal: \[mon1\]", result.stdout, re.M) and re.search(r"^fatal: \[app1\]", result.stdout, re.M)


def test_two_hosts_listing_the_one_loki_are_refused(tmp_path, run_playbook, stops_in_a_check):
    inventory = _inventory(tmp_path, {"monitoring": ["mon1", "mon2"]},
                           hostvars={"mon2": {"observability_extra_components": ["loki"]},
                                     "mon1": {"observability_extra_components": ["loki"]}})
    result = _run(run_playbook, tmp_path, inventory)
    stops_in_a_check(result, "observability_extra_components: loki runs on mon1 and mon2, but the stack runs one loki")

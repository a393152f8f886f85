# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input for the grafana role stops the site playbook in a check, naming the variable, before any host
changes. Same harness and precautions as test_preflight_metrics.py; Grafana's role runs last, so every other
component it is enabled with would have deployed first without the checks play."""
from __future__ import annotations

import json

import pytest

from test_preflight_metrics import _local_image_overrides

COMPONENTS = ["node_exporter", "loki", "alertmanager", "prometheus", "grafana"]
GOOD_PASSWORD = "functional-test-pw"

# (id, variables, dashboards written to grafana_dashboards_dir, message: the start of the error)
BAD_INPUT = [
    ("no-admin-password", {"grafana_admin_password": ""}, {},
     "grafana_admin_password: is empty or shorter than 8 characters"),
    ("datasource-name-taken", {"grafana_datasources_extra": [
        {"name": "Prometheus", "type": "prometheus", "access": "proxy", "url": "http://other:9090"}]}, {},
     "grafana_datasources_extra[0]: the name 'Prometheus' is already used by the stack's Prometheus datasource"),
    ("second-default-datasource", {"grafana_datasources_extra": [
        {"name": "Other", "type": "prometheus", "access": "proxy", "url": "http://other:9090", "isDefault": True}]},
     {}, "grafana_datasources_extra[0]: is marked isDefault, but the stack's Prometheus datasource already is the "
         "default datasource"),
    ("datasource-access", {"grafana_datasources_extra": [
        {"name": "Other", "type": "loki", "access": "browser", "url": "http://other:3100"}]}, {},
     "grafana_datasources_extra[0]: access 'browser' is not one of proxy, direct"),
    ("dashboard-not-json", {}, {"broken.json": '{"title": "A", "panels": [}'},
     "grafana_dashboards_dir/broken.json: is not valid JSON"),
    ("dashboard-unknown-datasource", {}, {"influx.json": json.dumps({"title": "Influx", "panels": [
        {"type": "timeseries", "title": "P", "datasource": "Influx", "targets": [{"refId": "A"}]}]})},
     "grafana_dashboards_dir/influx.json: panel 'P' (panels[0]): datasource 'Influx' is not a provisioned "
     "datasource"),
]


@pytest.mark.parametrize("variables, dashboards, message", [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_grafana_input_stops_in_a_check_before_any_change(variables, dashboards, message, tmp_path,
                                                              run_playbook, stops_in_a_check):
    extra_vars = {
        "observability_components": COMPONENTS,
        "observability_image_pull": False,
        "observability_config_root": str(tmp_path / "config"),
        "observability_image_overrides": _local_image_overrides(),
        "alertmanager_slack_api_url": "https://hooks.slack.invalid/services/T0/B0/test",
        "alertmanager_pagerduty_service_key": "0123456789abcdef",
        "grafana_admin_password": GOOD_PASSWORD,
    }
    if dashboards:
        directory = tmp_path / "dashboards"
        directory.mkdir()
        for name, text in dashboards.items():
            (directory / name).write_text(text)
        extra_vars["grafana_dashboards_dir"] = str(directory)
    extra_vars.update(variables)
    result = run_playbook("proxy_agent.observability.site", extra_vars, args=["--skip-tags", "docker_host"])
    stops_in_a_check(result, message)
    assert not (tmp_path / "config").exists(), "a check-mode run staged files before failing"

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input for the grafana role stops the site playbook in a check, naming the variable, before any host
changes. Same harness and precautions as test_preflight_metrics.py; Grafana's role runs last, so every other
component it is enabled with would have deployed first without the checks play."""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from test_preflight_metrics import _local_image_overrides
from test_preflight_metrics import check_mode_vars

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
    # Upgrade notes of Grafana 11 and 12 (the images here are 13.x): legacy alerting, Angular plugins.
    ("legacy-alerting", {"grafana_extra_env": {"GF_ALERTING_ENABLED": "true"}}, {},
     "grafana_extra_env.GF_ALERTING_ENABLED: turns on legacy alerting, which Grafana 11 removed"),
    ("angular-plugin", {"grafana_plugins": ["grafana-clock-panel", "grafana-piechart-panel"]}, {},
     "grafana_plugins[1]: grafana-piechart-panel is an Angular plugin"),
    # A Grafana before 11.5 does not read [plugins] preinstall (the image is refused before it is looked for).
    ("plugins-before-11-5", {"grafana_plugins": ["grafana-clock-panel"], "grafana_image": "grafana/grafana:10.4.15"},
     {}, "grafana_plugins: the role lists plugins in grafana.ini's [plugins] preinstall, which Grafana reads from "
         "11.5.0 on: Grafana 10.4.15 would start without them"),
]


def _extra_vars(tmp_path, variables):
    return check_mode_vars(tmp_path, COMPONENTS, dict({"grafana_admin_password": GOOD_PASSWORD}, **variables))


@pytest.mark.parametrize("variables, dashboards, message", [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_grafana_input_stops_in_a_check_before_any_change(variables, dashboards, message, tmp_path,
                                                              run_playbook, stops_in_a_check):
    extra_vars = _extra_vars(tmp_path, {})
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


def _docker(*args):
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_an_upgrade_over_a_grafana_10_with_legacy_alerting_stops_before_any_change(tmp_path, run_playbook,
                                                                                   stops_in_a_check):
    """A Grafana 10 container that runs with legacy alerting on this machine (a created container of the stand-in,
    tagged 10.4.3, under a prefix of the test's own) is found by the check, which refuses the 13.x image."""
    image = _local_image_overrides().get("grafana")
    if not image:
        pytest.skip("the local images are not built (scripts/test images)")
    old = image.rsplit(":", 1)[0] + ":10.4.3"
    prefix = "ftgrafana%s" % uuid.uuid4().hex[:6]
    _docker("tag", image, old)
    try:
        _docker("create", "--name", prefix + "-grafana", "--label", "io.proxy-agent.observability.test=grafana-upgrade",
                "-e", "GF_ALERTING_ENABLED=true", old)
        result = run_playbook("proxy_agent.observability.site", _extra_vars(tmp_path, {"observability_prefix": prefix}),
                              args=["--skip-tags", "docker_host"])
        stops_in_a_check(result, "grafana_image: %s would replace Grafana 10.4.3, which runs with legacy alerting "
                                 "(GF_ALERTING_ENABLED=true)" % image)
        assert _docker("inspect", "-f", "{{.Config.Image}} {{.State.Status}}", prefix + "-grafana") == old + " created"
    finally:
        subprocess.run(["docker", "rm", "-f", prefix + "-grafana"], capture_output=True, timeout=120, check=False)
        subprocess.run(["docker", "rmi", old], capture_output=True, timeout=120, check=False)
    assert not (tmp_path / "config").exists(), "a check-mode run staged files before failing"

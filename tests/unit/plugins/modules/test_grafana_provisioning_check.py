# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""grafana_provisioning_check: a staged provisioning tree is checked before Grafana reads it."""
from __future__ import annotations

import json
import os
import shutil

import pytest
import yaml
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.proxy_agent.observability.plugins.filter.grafana_datasources import grafana_datasources
from ansible_collections.proxy_agent.observability.plugins.modules import grafana_provisioning_check
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SHIPPED = os.path.join(ROOT, "roles", "grafana", "files", "dashboards")
MOUNT = {"/var/lib/grafana/dashboards": "dashboards"}
PROVIDERS = {"apiVersion": 1, "providers": [{"name": "proxy", "type": "file", "folder": "",
                                             "options": {"path": "/var/lib/grafana/dashboards"}}]}


class Exit(Exception):
    pass


def run(monkeypatch, path, check_mode=False, mount=None):
    def exit_json(self, **kwargs):
        raise Exit(dict(kwargs, failed=False))

    def fail_json(self, **kwargs):
        raise Exit(dict(kwargs, failed=True))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    args = {"path": str(path), "mount": MOUNT if mount is None else mount, "_ansible_check_mode": check_mode}
    with patch_module_args(args), pytest.raises(Exit) as exc:
        grafana_provisioning_check.main()
    return exc.value.args[0]


@pytest.fixture
def tree(tmp_path):
    """The tree the grafana role stages: the stack's datasources, one provider, the shipped dashboards."""
    fleet = build_fleet({"mon1": {"group_names": ["monitoring", "agents"]}},
                        {"all": ["mon1"], "monitoring": ["mon1"], "agents": ["mon1"]})
    datasources = grafana_datasources(fleet, "mon1")
    (tmp_path / "provisioning" / "datasources").mkdir(parents=True)
    (tmp_path / "provisioning" / "dashboards").mkdir()
    (tmp_path / "provisioning" / "datasources" / "proxy.yaml").write_text(yaml.safe_dump(datasources))
    (tmp_path / "provisioning" / "dashboards" / "proxy.yaml").write_text(yaml.safe_dump(PROVIDERS))
    shutil.copytree(SHIPPED, str(tmp_path / "dashboards"))
    return tmp_path


def write(path, content):
    path.write_text(content if isinstance(content, str) else
                    (json.dumps(content) if path.suffix == ".json" else yaml.safe_dump(content)))


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_staged_stack_passes(monkeypatch, tree, check_mode):
    result = run(monkeypatch, tree, check_mode=check_mode)
    assert result["failed"] is False and result["changed"] is False
    assert result["datasources"] == ["Prometheus", "Loki", "Jaeger", "Alertmanager"]
    assert result["providers"] == ["proxy"]
    assert [d["file"] for d in result["dashboards"]] == [
        "dashboards/application-overview.json", "dashboards/containers.json", "dashboards/logs.json",
        "dashboards/node.json", "dashboards/red.json"]


def _ds(tree):
    return tree / "provisioning" / "datasources" / "extra.yaml"


def _board(tree, name="extra.json"):
    return tree / "dashboards" / name


PANEL = {"type": "timeseries", "title": "Rate", "datasource": {"type": "prometheus", "uid": "prometheus"},
         "targets": [{"expr": "up"}]}


@pytest.mark.parametrize("where, content, message", [
    (_ds, "apiVersion: 1\ndatasources: [\n",
     "provisioning/datasources/extra.yaml: is not valid YAML"),
    (_ds, {"apiVersion": 2, "datasources": []},
     "provisioning/datasources/extra.yaml: apiVersion is 2. Fix: set apiVersion: 1"),
    (_ds, {"apiVersion": 1, "datasources": {"name": "X"}},
     "provisioning/datasources/extra.yaml: datasources is not a list. Fix: make datasources a list"),
    (_ds, {"apiVersion": 1, "datasources": [{"type": "loki"}]},
     "provisioning/datasources/extra.yaml: datasources[0]: has no name. Fix: set name"),
    (_ds, {"apiVersion": 1, "datasources": [{"name": "X", "type": "loki", "access": "server"}]},
     "provisioning/datasources/extra.yaml: datasource 'X': access 'server' is not one of proxy, direct. Fix: set "
     "access: proxy (Grafana's server queries it) or direct (the browser does)"),
    (_ds, {"apiVersion": 1, "datasources": [{"name": "X", "type": "loki", "isDefault": "yes"}]},
     "provisioning/datasources/extra.yaml: datasource 'X': isDefault is 'yes', not a bool. Fix: give isDefault as "
     "a bool"),
    (_ds, {"apiVersion": 1, "datasources": [{"name": "Loki", "type": "loki"}]},
     "provisioning/datasources/proxy.yaml: datasource 'Loki': the name is also used in "
     "provisioning/datasources/extra.yaml. Fix: give each datasource its own name"),
    (_ds, {"apiVersion": 1, "datasources": [{"name": "X", "type": "loki", "uid": "loki"}]},
     "provisioning/datasources/proxy.yaml: datasource 'Loki': the uid 'loki' is also used in "
     "provisioning/datasources/extra.yaml. Fix: give each datasource its own uid"),
    (_ds, {"apiVersion": 1, "datasources": [{"name": "X", "type": "loki", "isDefault": True}]},
     "provisioning/datasources/proxy.yaml: datasource 'Prometheus': is marked isDefault, as is datasource 'X' in "
     "provisioning/datasources/extra.yaml. Fix: mark one datasource of the organisation isDefault: true"),
    (lambda t: t / "provisioning" / "dashboards" / "extra.yaml", {"apiVersion": 1, "providers": [{"name": "b"}]},
     "provisioning/dashboards/extra.yaml: provider 'b': has no options.path. Fix: set options.path to the "
     "dashboards' directory in the container, e.g. /var/lib/grafana/dashboards"),
    (lambda t: t / "provisioning" / "dashboards" / "extra.yaml",
     {"apiVersion": 1, "providers": [{"name": "b", "options": {"path": "/etc/dashboards"}}]},
     "provisioning/dashboards/extra.yaml: provider 'b': options.path '/etc/dashboards' is under no mount. Fix: add "
     "the container directory and its staged directory to mount"),
    (lambda t: t / "provisioning" / "dashboards" / "extra.yaml",
     {"apiVersion": 1, "providers": [{"name": "b", "options": {"path": "/var/lib/grafana/dashboards/team"}}]},
     "provisioning/dashboards/extra.yaml: provider 'b': options.path '/var/lib/grafana/dashboards/team' maps to "),
    (lambda t: t / "provisioning" / "dashboards" / "extra.yaml",
     {"apiVersion": 1, "providers": [{"name": "proxy", "options": {"path": "/var/lib/grafana/dashboards"}}]},
     "provisioning/dashboards/proxy.yaml: provider 'proxy': the name is also used in "
     "provisioning/dashboards/extra.yaml. Fix: give each provider its own name"),
    (_board, "{", "dashboards/extra.json: is not valid JSON"),
    (_board, {"dashboard": {"title": "X", "uid": "x", "panels": []}},
     "dashboards/extra.json: is wrapped in the HTTP API envelope {\"dashboard\": ...}, which file provisioning does "
     "not unwrap. Fix: store the bare dashboard model (the grafana_dashboards filter unwraps it)"),
    (_board, {"title": "X", "uid": "proxy-node", "panels": []},
     "dashboards/node.json: uid 'proxy-node' is also the uid of dashboards/extra.json. Fix: give each dashboard its "
     "own uid"),
    (_board, {"title": "Proxy Agent Platform - Logs", "uid": "x", "panels": []},
     "dashboards/logs.json: title 'Proxy Agent Platform - Logs' is also the title of dashboards/extra.json in the "
     "same folder. Fix: give each dashboard its own title"),
    (_board, {"title": "X", "uid": "x", "panels": {}},
     "dashboards/extra.json: \"panels\" is not a list. Fix: make \"panels\" a list of panels"),
    (_board, {"title": "X", "uid": "x", "panels": [dict(PANEL, datasource={"type": "tempo", "uid": "tempo"})]},
     "dashboards/extra.json: panel 'Rate' (panels[0]): datasource 'tempo' is not a provisioned datasource. Fix: "
     "refer to a datasource by its uid (one of: alertmanager, jaeger, loki, prometheus), or provision it "
     "(grafana_datasources_extra)"),
    (_board, {"title": "X", "uid": "x", "panels": [
        {"type": "row", "title": "R", "collapsed": True, "panels": [dict(PANEL, targets=None)]}]},
     "dashboards/extra.json: panel 'Rate' (panels[0].panels[0]): shows data but has no targets. Fix: add the "
     "panel's queries as \"targets\""),
])
def test_bad_trees_fail_naming_the_file_and_the_fix(monkeypatch, tree, where, content, message):
    write(where(tree), content)
    result = run(monkeypatch, tree)
    assert result["failed"] is True
    assert result["msg"].startswith(message)


def test_a_panel_on_jaeger_fails_when_the_stack_deploys_no_jaeger(monkeypatch, tree):
    fleet = build_fleet({"mon1": {"group_names": ["monitoring"],
                                  "observability_components": ["loki", "alertmanager", "prometheus", "grafana"]}},
                        {"all": ["mon1"], "monitoring": ["mon1"]})
    write(tree / "provisioning" / "datasources" / "proxy.yaml", grafana_datasources(fleet, "mon1"))
    assert run(monkeypatch, tree)["datasources"] == ["Prometheus", "Loki", "Alertmanager"]
    write(_board(tree), {"title": "X", "uid": "x", "panels": [
        dict(PANEL, datasource={"type": "jaeger", "uid": "jaeger"})]})
    result = run(monkeypatch, tree)
    assert result["failed"] is True
    assert result["msg"] == (
        "dashboards/extra.json: panel 'Rate' (panels[0]): datasource 'jaeger' is not a provisioned datasource. Fix: "
        "refer to a datasource by its uid (one of: alertmanager, loki, prometheus), or provision it "
        "(grafana_datasources_extra)")


def test_without_a_default_datasource(monkeypatch, tree):
    write(tree / "provisioning" / "datasources" / "proxy.yaml",
          {"apiVersion": 1, "datasources": [{"name": "X", "type": "loki", "url": "http://x"}]})
    assert run(monkeypatch, tree)["msg"] == (
        "provisioning/datasources/proxy.yaml: no datasource of organisation 1 is marked isDefault. Fix: mark one "
        "datasource isDefault: true (Prometheus in this stack)")


def test_missing_provisioning_dir_and_bad_mount(monkeypatch, tmp_path):
    assert run(monkeypatch, tmp_path)["msg"] == (
        "path: %s has no provisioning directory. Fix: stage provisioning/datasources and provisioning/dashboards "
        "below path" % tmp_path)
    assert run(monkeypatch, tmp_path, mount={"dashboards": "x"})["msg"].startswith(
        "mount: 'dashboards': 'x' is not a container path mapped to a directory.")


def test_an_absolute_mount_and_nested_dashboards(monkeypatch, tree, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("boards")
    (elsewhere / "team").mkdir()
    write(elsewhere / "team" / "t.json", {"title": "T", "uid": "t", "panels": [PANEL]})
    write(tree / "provisioning" / "dashboards" / "team.yaml",
          {"apiVersion": 1, "providers": [{"name": "team", "options": {"path": "/team"}}]})
    result = run(monkeypatch, tree, mount=dict(MOUNT, **{"/team": str(elsewhere)}))
    assert result["failed"] is False and result["providers"] == ["proxy", "team"]
    assert result["dashboards"][-1]["uid"] == "t"

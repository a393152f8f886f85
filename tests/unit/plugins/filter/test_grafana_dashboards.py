# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""grafana_dashboards: dashboards normalised for file provisioning; the shipped dashboards pass the checks."""
from __future__ import annotations

import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.grafana_dashboards import grafana_dashboard_check
from ansible_collections.proxy_agent.observability.plugins.filter.grafana_dashboards import grafana_dashboards
from ansible_collections.proxy_agent.observability.plugins.filter.grafana_dashboards import uid_from_file_name
from ansible_collections.proxy_agent.observability.plugins.filter.grafana_datasources import grafana_datasources
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SHIPPED = os.path.join(ROOT, "roles", "grafana", "files", "dashboards")

# The seed's config/grafana/dashboards/application-overview.json (monitoring-observability-guide.md), verbatim.
SEED = r"""
{
  "dashboard": {
    "title": "Proxy Agent Platform - Application Overview",
    "tags": ["proxy-agent", "overview"],
    "timezone": "browser",
    "panels": [
      {
        "title": "Request Rate",
        "type": "graph",
        "targets": [
          {
            "expr": "rate(http_requests_total[5m])",
            "legendFormat": "{{ method }} {{ endpoint }}"
          }
        ]
      },
      {
        "title": "Error Rate",
        "type": "graph",
        "targets": [
          {
            "expr": "rate(http_requests_total{status=~\"5..\"}[5m])",
            "legendFormat": "{{ endpoint }}"
          }
        ]
      },
      {
        "title": "Response Time (p95)",
        "type": "graph",
        "targets": [
          {
            "expr": "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))",
            "legendFormat": "{{ endpoint }}"
          }
        ]
      },
      {
        "title": "Active Requests",
        "type": "stat",
        "targets": [
          {
            "expr": "http_requests_active"
          }
        ]
      }
    ]
  }
}
"""

# The datasources of a Grafana on a monitoring host: Prometheus, Loki, Alertmanager.
DATASOURCES = grafana_datasources(build_fleet({"mon1": {"group_names": ["monitoring", "agents"]}},
                                              {"all": ["mon1"], "monitoring": ["mon1"], "agents": ["mon1"]}),
                                  "mon1")["datasources"]
UIDS = {"Prometheus": {"type": "prometheus", "uid": "prometheus"}, "Loki": {"type": "loki", "uid": "loki"}}


def test_the_seed_dashboard_is_unwrapped_upgraded_and_laid_out():
    result = grafana_dashboards({"application-overview.json": SEED}, UIDS)
    board = result["application-overview.json"]
    assert "dashboard" not in board
    assert board["id"] is None and board["uid"] == "application-overview" and board["version"] == 1
    assert board["title"] == "Proxy Agent Platform - Application Overview"
    assert [p["type"] for p in board["panels"]] == ["timeseries", "timeseries", "timeseries", "stat"]
    assert [p["gridPos"] for p in board["panels"]] == [
        {"h": 8, "w": 12, "x": 0, "y": 0}, {"h": 8, "w": 12, "x": 12, "y": 0},
        {"h": 8, "w": 12, "x": 0, "y": 8}, {"h": 8, "w": 12, "x": 12, "y": 8}]
    assert board["panels"][0]["targets"] == [{"expr": "rate(http_requests_total[5m])",
                                              "legendFormat": "{{ method }} {{ endpoint }}"}]
    assert board["panels"][0]["title"] == "Request Rate"


def test_graph_panel_options_are_translated_and_graph_only_keys_dropped():
    panel = {"id": 3, "title": "Latency", "type": "graph", "datasource": "Prometheus", "bars": False, "lines": True,
             "fill": 1, "linewidth": 2, "stack": True, "xaxis": {"mode": "time"}, "aliasColors": {},
             "yaxes": [{"format": "s", "min": "0", "max": None}, {"format": "short"}], "seriesOverrides": [],
             "legend": {"show": True, "alignAsTable": True, "rightSide": True}, "tooltip": {"shared": True},
             "gridPos": {"h": 9, "w": 24, "x": 0, "y": 0}, "targets": [{"refId": "A", "expr": "up"}]}
    board = grafana_dashboards({"a.json": {"title": "A", "uid": "a", "panels": [panel]}}, UIDS)["a.json"]
    assert board["panels"] == [{
        "id": 3, "title": "Latency", "type": "timeseries", "datasource": {"type": "prometheus", "uid": "prometheus"},
        "gridPos": {"h": 9, "w": 24, "x": 0, "y": 0}, "targets": [{"refId": "A", "expr": "up"}],
        "fieldConfig": {"defaults": {"unit": "s", "min": 0.0, "custom": {
            "drawStyle": "line", "fillOpacity": 10, "lineWidth": 2, "stacking": {"mode": "normal", "group": "A"}}},
            "overrides": []},
        "options": {"legend": {"showLegend": True, "displayMode": "table", "placement": "right", "calcs": []},
                    "tooltip": {"mode": "multi", "sort": "none"}}}]


def test_panels_without_grid_position_go_below_the_placed_ones():
    panels = [{"type": "text", "title": "T", "gridPos": {"h": 4, "w": 24, "x": 0, "y": 0}},
              {"type": "text", "title": "U"}, {"type": "row", "title": "R"}, {"type": "text", "title": "V"}]
    board = grafana_dashboards({"a.json": {"title": "A", "panels": panels}}, UIDS)["a.json"]
    assert [p["gridPos"] for p in board["panels"]] == [
        {"h": 4, "w": 24, "x": 0, "y": 0}, {"h": 8, "w": 12, "x": 0, "y": 4}, {"h": 1, "w": 24, "x": 0, "y": 12},
        {"h": 8, "w": 12, "x": 0, "y": 13}]


def test_datasource_references_are_resolved_by_name_uid_type_and_input():
    board = {"title": "A", "uid": "a",
             "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],
             "templating": {"list": [{"name": "ds", "type": "datasource", "query": "loki"},
                                     {"name": "job", "type": "query", "datasource": "${DS_PROMETHEUS}"}]},
             "panels": [
                 {"type": "timeseries", "title": "by name", "datasource": "Loki", "targets": [{"expr": "x"}]},
                 {"type": "timeseries", "title": "input", "datasource": {"uid": "${DS_PROMETHEUS}"},
                  "targets": [{"expr": "x", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}]},
                 {"type": "timeseries", "title": "by type", "datasource": {"type": "loki"}, "targets": [{"expr": "x"}]},
                 {"type": "logs", "title": "variable", "datasource": "$ds", "targets": [{"expr": "x"}]},
                 {"type": "timeseries", "title": "default", "targets": [{"expr": "x"}]},
             ]}
    result = grafana_dashboards({"a.json": json.dumps(board)}, DATASOURCES)["a.json"]
    assert [p.get("datasource") for p in result["panels"]] == [
        {"type": "loki", "uid": "loki"}, {"type": "prometheus", "uid": "prometheus"}, {"type": "loki", "uid": "loki"},
        {"type": "loki", "uid": "${ds}"}, None]
    assert result["panels"][1]["targets"][0]["datasource"] == {"type": "prometheus", "uid": "prometheus"}
    assert result["templating"]["list"][1]["datasource"] == {"type": "prometheus", "uid": "prometheus"}
    assert "__inputs" not in result


def test_uid_from_file_name_is_a_stable_slug():
    assert uid_from_file_name("My Board (v2).json") == "my-board-v2"
    long = uid_from_file_name("a" * 60 + ".json")
    assert len(long) == 40 and long.startswith("a" * 31 + "-") and long == uid_from_file_name("a" * 60 + ".json")


def test_the_input_is_not_changed():
    board = {"dashboard": {"title": "A", "panels": [{"type": "graph", "title": "g", "targets": [{"expr": "up"}]}]}}
    grafana_dashboards({"a.json": board}, UIDS)
    assert board["dashboard"]["panels"][0]["type"] == "graph"


@pytest.mark.parametrize("name", sorted(os.listdir(SHIPPED)))
def test_the_shipped_dashboards_pass_the_check_unchanged(name):
    with open(os.path.join(SHIPPED, name)) as handle:
        board = json.load(handle)
    assert grafana_dashboard_check(board, DATASOURCES, name=name) is board
    assert board["schemaVersion"] >= 39 and board["uid"].startswith("proxy-")
    normalised = grafana_dashboards({name: board}, DATASOURCES)[name]
    assert normalised == board


def test_the_shipped_dashboards_fit_together():
    files = {}
    for name in sorted(os.listdir(SHIPPED)):
        with open(os.path.join(SHIPPED, name)) as handle:
            files[name] = handle.read()
    assert sorted(grafana_dashboards(files, DATASOURCES)) == [
        "application-overview.json", "containers.json", "logs.json", "node.json", "red.json"]
    overview = json.loads(files["application-overview.json"])
    exprs = [t["expr"] for p in overview["panels"] for t in p["targets"]]
    assert "sum by (job) (rate(http_requests_total[5m]))" in exprs
    assert "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))" in exprs
    assert overview["panels"][1]["fieldConfig"]["defaults"]["unit"] == "percentunit"


def _board(**panel):
    return {"title": "A", "uid": "a", "panels": [dict({"type": "timeseries", "title": "Request Rate",
                                                       "targets": [{"expr": "up"}]}, **panel)]}


@pytest.mark.parametrize("files, message", [
    ({"a.json": _board(datasource="Graphite")},
     "grafana_dashboards_dir/a.json: panel 'Request Rate' (panels[0]): datasource 'Graphite' is not a provisioned "
     "datasource. Fix: refer to a datasource by its uid (one of: loki, prometheus), or provision it "
     "(grafana_datasources_extra)"),
    ({"a.json": _board(datasource={"type": "loki", "uid": "prometheus"})},
     "grafana_dashboards_dir/a.json: panel 'Request Rate' (panels[0]): datasource 'prometheus' has type "
     "'prometheus', but the reference says 'loki'. Fix: correct the type or the uid of the reference"),
    ({"a.json": _board(datasource="${DS_GRAPHITE}")},
     "grafana_dashboards_dir/a.json: panel 'Request Rate' (panels[0]): datasource '${DS_GRAPHITE}' is neither a "
     "datasource template variable of the dashboard nor an input that matches a provisioned datasource. Fix: refer to "
     "the datasource by its uid (one of: loki, prometheus)"),
    ({"a.json": _board(targets=[])},
     "grafana_dashboards_dir/a.json: panel 'Request Rate' (panels[0]): shows data but has no targets. Fix: add "
     "the panel's queries as \"targets\""),
    ({"a.json": {"uid": "a", "panels": []}},
     "grafana_dashboards_dir/a.json: has no title. Fix: set \"title\""),
    ({"a.json": "{not json"}, "grafana_dashboards_dir/a.json: is not valid JSON (Expecting property name"),
    ({"a.json": 3}, "grafana_dashboards_dir/a.json: is not a dashboard (a JSON object), got int."),
    ({"a.yaml": {"title": "A"}},
     "grafana_dashboards_dir/a.yaml: is not a plain file name ending in .json. Fix: name the file like "
     "'my-dashboard.json'"),
    ({"a.json": {"title": "A", "uid": "same"}, "b.json": {"title": "B", "uid": "same"}},
     "grafana_dashboards_dir/b.json: uid 'same' is also the uid of grafana_dashboards_dir/a.json. Fix: give "
     "each dashboard its own uid"),
    ({"a.json": {"title": "Same"}, "b.json": {"title": "Same"}},
     "grafana_dashboards_dir/b.json: title 'Same' is also the title of grafana_dashboards_dir/a.json. Fix: "
     "give each dashboard its own title"),
    ({"a.json": {"title": "A", "uid": "x" * 41}},
     "grafana_dashboards_dir/a.json: uid '%s' is not a stable Grafana uid. Fix: set \"uid\" to 1 to 40 letters, "
     "digits, '.', '_' or '-'" % ("x" * 41)),
])
def test_bad_dashboards_name_the_file_and_panel(files, message):
    with pytest.raises(AnsibleFilterError) as error:
        grafana_dashboards(files, UIDS)
    assert str(error.value).startswith(message)


def test_bad_datasource_map_is_named():
    with pytest.raises(AnsibleFilterError) as error:
        grafana_dashboards({}, {"Prometheus": "prometheus"})
    assert str(error.value) == ("datasource_uids: the entry 'Prometheus' is not a mapping with the datasource's type "
                                "and uid. Fix: map each name or uid to {'type': 'prometheus', 'uid': 'prometheus'}")


def test_check_rejects_the_envelope_and_a_missing_uid():
    with pytest.raises(AnsibleFilterError) as error:
        grafana_dashboard_check(json.loads(SEED), UIDS, name="application-overview.json")
    assert str(error.value) == (
        "grafana_dashboards_dir/application-overview.json: is wrapped in the HTTP API envelope {\"dashboard\": "
        "...}, which file provisioning does not unwrap. Fix: store the bare dashboard model (the grafana_dashboards "
        "filter unwraps it)")
    with pytest.raises(AnsibleFilterError, match=r"uid None is not a stable Grafana uid"):
        grafana_dashboard_check({"title": "A", "panels": []}, UIDS)

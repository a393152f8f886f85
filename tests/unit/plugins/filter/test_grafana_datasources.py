# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""grafana_datasources: Grafana's datasources for the components the inventory deploys."""
from __future__ import annotations

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.grafana_datasources import grafana_datasources
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet


def host(address, *groups, **settings):
    return dict({"group_names": list(groups), "ansible_facts": {"default_ipv4": {"address": address}}}, **settings)


def fleet(**hostvars):
    groups = {"all": list(hostvars)}
    for name, vars_ in hostvars.items():
        for group in vars_["group_names"]:
            groups.setdefault(group, []).append(name)
    return build_fleet(hostvars, groups)


HOSTVARS = {"mon1": host("10.0.0.1", "agents", "monitoring"), "app1": host("10.0.0.2", "agents")}
FLEET = fleet(**HOSTVARS)

PROMETHEUS = {"name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy",
              "url": "http://proxy-prometheus:9090", "isDefault": True, "editable": False,
              "jsonData": {"httpMethod": "POST"}}
LOKI = {"name": "Loki", "type": "loki", "uid": "loki", "access": "proxy", "url": "http://proxy-loki:3100",
        "isDefault": False, "editable": False, "jsonData": {"maxLines": 1000}}
ALERTMANAGER = {"name": "Alertmanager", "type": "alertmanager", "uid": "alertmanager", "access": "proxy",
                "url": "http://proxy-alertmanager:9093", "isDefault": False, "editable": False,
                "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False}}

# The whole stack (Jaeger included): exemplars and log lines link to traces, traces to logs.
JAEGER = {"name": "Jaeger", "type": "jaeger", "uid": "jaeger", "access": "proxy", "url": "http://proxy-jaeger:16686",
          "isDefault": False, "editable": False,
          "jsonData": {"tracesToLogsV2": {"datasourceUid": "loki", "spanStartTimeShift": "-5m",
                                          "spanEndTimeShift": "5m",
                                          "tags": [{"key": "service.name", "value": "service"}],
                                          "filterByTraceID": True, "filterBySpanID": False, "customQuery": True,
                                          "query": '{container_name=~".+"} |= "$${__trace.traceId}"'},
                       "nodeGraph": {"enabled": True}}}
WITH_JAEGER = {"apiVersion": 1, "datasources": [
    dict(PROMETHEUS, jsonData={"httpMethod": "POST",
                               "exemplarTraceIdDestinations": [{"name": "trace_id", "datasourceUid": "jaeger"}]}),
    dict(LOKI, jsonData={"maxLines": 1000, "derivedFields": [
        {"name": "trace_id", "matcherRegex": '"trace_id":\\s*"(\\w+)"', "url": "$${__value.raw}",
         "datasourceUid": "jaeger", "urlDisplayLabel": "View trace"}]}),
    JAEGER,
    ALERTMANAGER,
]}


def test_the_whole_stack_on_the_grafana_host_links_exemplars_and_logs_to_traces_and_traces_to_logs():
    assert FLEET["instances"]["jaeger"] == ["mon1"]
    assert grafana_datasources(FLEET, "mon1") == WITH_JAEGER


def test_without_jaeger_there_is_no_jaeger_datasource_and_no_trace_links():
    the_fleet = fleet(mon1=host("10.0.0.1", "agents", "monitoring",
                                observability_components=["loki", "alertmanager", "prometheus", "grafana"]),
                      mon2=host("10.0.0.2", "monitoring",
                                observability_components=["alertmanager", "prometheus", "grafana"]),
                      app1=host("10.0.0.3", "agents"))
    assert the_fleet["instances"]["jaeger"] == []
    assert grafana_datasources(the_fleet, "mon1") == {"apiVersion": 1,
                                                      "datasources": [PROMETHEUS, LOKI, ALERTMANAGER]}
    assert grafana_datasources(the_fleet, "mon2") == {
        "apiVersion": 1, "datasources": [PROMETHEUS, dict(LOKI, url="http://10.0.0.1:3100"), ALERTMANAGER]}


def test_the_jaeger_datasource_reads_the_jaeger_ui_endpoint():
    on_another_host = fleet(graf=host("10.0.0.5", observability_components=["grafana"]),
                            traces=host("10.0.0.6", observability_components=["jaeger"],
                                        observability_published_ports={"jaeger": {"ui": 26686}}))
    datasources = grafana_datasources(on_another_host, "graf")["datasources"]
    assert [(ds["uid"], ds["url"]) for ds in datasources] == [("jaeger", "http://10.0.0.6:26686")]
    # The UI port, not the OTLP ones, is the one Grafana connects to: published on the host's address for it.
    assert on_another_host["hosts"]["traces"]["ports"]["jaeger"]["ui"]["bind"] == "10.0.0.6"
    assert on_another_host["hosts"]["traces"]["ports"]["jaeger"]["otlp_grpc"]["bind"] == "127.0.0.1"


def test_regex_of_the_derived_field_matches_the_platforms_json_logs():
    regex = WITH_JAEGER["datasources"][1]["jsonData"]["derivedFields"][0]["matcherRegex"]
    assert re.search(regex, '{"level": "info", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}').group(1) == \
        "4bf92f3577b34da6a3ce929d0e0e4736"
    assert re.search(regex, '{"trace_id":"abc123"}').group(1) == "abc123"


def test_only_deployed_components_appear():
    result = grafana_datasources(fleet(mon1=host("10.0.0.1", observability_components=["prometheus", "grafana"])),
                                 "mon1")
    assert result == {"apiVersion": 1, "datasources": [PROMETHEUS]}


def test_only_links_between_deployed_components_appear():
    partial = fleet(mon1=host("10.0.0.1", observability_components=["prometheus", "loki", "grafana"]))
    assert grafana_datasources(partial, "mon1")["datasources"] == [PROMETHEUS, LOKI]
    only = grafana_datasources(fleet(mon1=host("10.0.0.1", observability_components=["jaeger", "grafana"])),
                               "mon1")["datasources"]
    assert [(ds["uid"], ds["isDefault"]) for ds in only] == [("jaeger", True)]
    assert only[0]["jsonData"] == {"nodeGraph": {"enabled": True}}


def test_nothing_deployed_gives_no_datasources():
    assert grafana_datasources(fleet(app1=host("10.0.0.2", "agents")), "app1") == {"apiVersion": 1, "datasources": []}


def test_components_on_other_hosts_are_reached_at_their_address_and_published_port():
    the_fleet = fleet(
        graf=host("10.0.0.5", observability_components=["grafana"]),
        metrics=host("10.0.0.6", observability_components=["prometheus", "alertmanager"],
                     observability_published_ports={"prometheus": 19090, "alertmanager": 19093}),
        logs=host("10.0.0.7", observability_components=["loki"], observability_address="logs.internal",
                  observability_published_ports={"loki": 13100}))
    assert [ds["url"] for ds in grafana_datasources(the_fleet, "graf")["datasources"]] == [
        "http://10.0.0.6:19090", "http://logs.internal:13100", "http://10.0.0.6:19093"]


def test_each_grafana_of_a_pair_reads_its_own_hosts_prometheus_and_alertmanager_and_the_first_hosts_loki_and_jaeger():
    the_fleet = fleet(mon1=host("10.0.0.1", "monitoring"), mon2=host("10.0.0.2", "monitoring"))
    assert [ds["url"] for ds in grafana_datasources(the_fleet, "mon2")["datasources"]] == [
        "http://proxy-prometheus:9090", "http://10.0.0.1:3100", "http://10.0.0.1:16686",
        "http://proxy-alertmanager:9093"]


def test_a_grafana_without_a_prometheus_of_its_own_reads_the_first_one():
    the_fleet = fleet(mon1=host("10.0.0.1", "monitoring"), mon2=host("10.0.0.2", "monitoring"),
                      graf=host("10.0.0.3", observability_components=["grafana"]))
    assert [ds["url"] for ds in grafana_datasources(the_fleet, "graf")["datasources"]] == [
        "http://10.0.0.1:9090", "http://10.0.0.1:3100", "http://10.0.0.1:16686", "http://10.0.0.1:9093"]


def test_the_prefix_names_the_containers():
    the_fleet = fleet(mon1=host("10.0.0.1", "monitoring", observability_prefix="obs"))
    assert grafana_datasources(the_fleet, "mon1")["datasources"][0]["url"] == "http://obs-prometheus:9090"


def test_extra_datasources_are_appended_unchanged():
    extra = [{"name": "Postgres", "type": "grafana-postgresql-datasource", "access": "proxy", "url": "db:5432",
              "uid": "pg", "jsonData": {"database": "app"}}]
    result = grafana_datasources(FLEET, "mon1", extra=extra)
    assert result["datasources"][4] == extra[0] and result["datasources"][4] is not extra[0]
    assert [ds.get("isDefault") for ds in result["datasources"]] == [True, False, False, False, None]


def test_without_prometheus_an_extra_datasource_may_be_the_default():
    the_fleet = fleet(mon1=host("10.0.0.1", observability_components=["loki"]))
    extra = [{"name": "Mimir", "type": "prometheus", "access": "proxy", "url": "http://mimir", "isDefault": True}]
    result = grafana_datasources(the_fleet, "mon1", extra=extra)
    assert [ds["isDefault"] for ds in result["datasources"]] == [False, True]


def test_without_any_default_the_first_datasource_becomes_it():
    the_fleet = fleet(mon1=host("10.0.0.1", observability_components=["loki"]))
    extra = [{"name": "Mimir", "type": "prometheus", "access": "proxy", "url": "http://mimir"}]
    assert [ds.get("isDefault") for ds in grafana_datasources(the_fleet, "mon1", extra=extra)["datasources"]] == \
        [True, None]


@pytest.mark.parametrize("extra, message", [
    ("nope", "grafana_datasources_extra: must be a list of datasources, got str. Fix: set it like"),
    ([{"type": "loki", "access": "proxy", "url": "http://x"}],
     "grafana_datasources_extra[0]: has no name. Fix: set grafana_datasources_extra[0].name, as in Grafana's "
     "provisioning files"),
    ([{"name": "X", "type": "loki", "url": "http://x"}],
     "grafana_datasources_extra[0]: access None is not one of proxy, direct. Fix: set "
     "grafana_datasources_extra[0].access to 'proxy' (Grafana's server queries it) or 'direct' (the browser does)"),
    ([{"name": "X", "type": "loki", "access": "server"}],
     "grafana_datasources_extra[0]: access 'server' is not one of proxy, direct."),
    ([{"name": "X", "type": "loki", "access": "proxy"}],
     "grafana_datasources_extra[0]: a loki datasource needs a url. Fix: set grafana_datasources_extra[0].url, "
     "e.g. 'http://host:port'"),
    ([{"name": "Loki", "type": "loki", "access": "proxy", "url": "http://x"}],
     "grafana_datasources_extra[0]: the name 'Loki' is already used by the stack's Loki datasource. Fix: give each "
     "datasource its own name"),
    ([{"name": "A", "type": "testdata", "access": "proxy", "uid": "t"},
      {"name": "B", "type": "testdata", "access": "proxy", "uid": "t"}],
     "grafana_datasources_extra[1]: the uid 't' is already used by grafana_datasources_extra[0]. Fix: give each "
     "datasource its own uid"),
    ([{"name": "A", "type": "testdata", "access": "proxy", "uid": "alertmanager"}],
     "grafana_datasources_extra[0]: the uid 'alertmanager' is already used by the stack's Alertmanager datasource. "
     "Fix: give each datasource its own uid"),
    ([{"name": "Traces", "type": "testdata", "access": "proxy", "uid": "jaeger"}],
     "grafana_datasources_extra[0]: the uid 'jaeger' is already used by the stack's Jaeger datasource. "
     "Fix: give each datasource its own uid"),
    ([{"name": "A", "type": "testdata", "access": "proxy", "uid": "a b"}],
     "grafana_datasources_extra[0]: uid 'a b' is not a Grafana uid. Fix: use 1 to 40 letters, digits, '.', '_' or "
     "'-'"),
    ([{"name": "Mimir", "type": "prometheus", "access": "proxy", "url": "http://m", "isDefault": True}],
     "grafana_datasources_extra[0]: is marked isDefault, but the stack's Prometheus datasource already is the default "
     "datasource. Fix: remove isDefault from grafana_datasources_extra[0]: Grafana allows one default datasource"),
    ([7], "grafana_datasources_extra[0]: must be a mapping, got int."),
])
def test_bad_extra_datasources_name_the_item_and_the_fix(extra, message):
    with pytest.raises(AnsibleFilterError) as error:
        grafana_datasources(FLEET, "mon1", extra=extra)
    assert str(error.value).startswith(message)


def test_two_extra_defaults_without_prometheus_are_rejected():
    extra = [{"name": "A", "type": "testdata", "access": "proxy", "isDefault": True},
             {"name": "B", "type": "testdata", "access": "proxy", "isDefault": True}]
    with pytest.raises(AnsibleFilterError) as error:
        grafana_datasources(fleet(g=host("10.0.0.9", observability_components=["grafana"])), "g", extra=extra)
    assert str(error.value) == (
        "grafana_datasources_extra[1]: is marked isDefault, but grafana_datasources_extra[0] already is the default "
        "datasource. Fix: remove isDefault from grafana_datasources_extra[1]: Grafana allows one default datasource")


@pytest.mark.parametrize("not_a_fleet, kind", [(HOSTVARS, "dict"), (["mon1"], "list")])
def test_what_is_not_a_fleet_is_refused(not_a_fleet, kind):
    with pytest.raises(AnsibleFilterError) as error:
        grafana_datasources(not_a_fleet, "mon1")
    assert str(error.value) == (
        "_observability_fleet: is not the stack's fleet (got %s). Fix: build it with the "
        "proxy_agent.observability.observability_fleet filter (the observability role does, once per run)" % kind)

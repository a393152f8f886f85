# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""grafana_datasources: Grafana's datasources for the components the inventory deploys."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.grafana_datasources import grafana_datasources

HOSTVARS = {
    "mon1": {"group_names": ["agents", "monitoring"], "ansible_host": "10.0.0.1"},
    "app1": {"group_names": ["agents"], "ansible_host": "10.0.0.2"},
}
HOSTS = ["app1", "mon1"]

FULL = {"apiVersion": 1, "datasources": [
    {"name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy",
     "url": "http://proxy-prometheus:9090", "isDefault": True, "editable": False,
     "jsonData": {"httpMethod": "POST",
                  "exemplarTraceIdDestinations": [{"name": "trace_id", "datasourceUid": "jaeger"}]}},
    {"name": "Loki", "type": "loki", "uid": "loki", "access": "proxy", "url": "http://proxy-loki:3100",
     "isDefault": False, "editable": False,
     "jsonData": {"maxLines": 1000, "derivedFields": [
         {"name": "trace_id", "matcherRegex": '"trace_id":\\s*"(\\w+)"', "url": "$${__value.raw}",
          "datasourceUid": "jaeger", "urlDisplayLabel": "View trace"}]}},
    {"name": "Jaeger", "type": "jaeger", "uid": "jaeger", "access": "proxy", "url": "http://proxy-jaeger:16686",
     "isDefault": False, "editable": False,
     "jsonData": {"tracesToLogsV2": {"datasourceUid": "loki", "spanStartTimeShift": "-5m", "spanEndTimeShift": "5m",
                                     "tags": [{"key": "service.name", "value": "service"}], "filterByTraceID": True,
                                     "filterBySpanID": False, "customQuery": True,
                                     "query": '{container_name=~".+"} |= "$${__trace.traceId}"'},
                  "nodeGraph": {"enabled": True}}},
    {"name": "Alertmanager", "type": "alertmanager", "uid": "alertmanager", "access": "proxy",
     "url": "http://proxy-alertmanager:9093", "isDefault": False, "editable": False,
     "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False}},
]}


def test_the_whole_stack_on_the_grafana_host():
    assert grafana_datasources(HOSTVARS, "mon1", HOSTS) == FULL


def test_regex_of_the_derived_field_matches_the_platforms_json_logs():
    import re
    regex = FULL["datasources"][1]["jsonData"]["derivedFields"][0]["matcherRegex"]
    assert re.search(regex, '{"level": "info", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}').group(1) == \
        "4bf92f3577b34da6a3ce929d0e0e4736"
    assert re.search(regex, '{"trace_id":"abc123"}').group(1) == "abc123"


def test_only_deployed_components_and_their_links_appear():
    hostvars = {"mon1": {"observability_components": ["prometheus", "loki", "grafana"]}}
    result = grafana_datasources(hostvars, "mon1", ["mon1"])
    assert [ds["uid"] for ds in result["datasources"]] == ["prometheus", "loki"]
    assert result["datasources"][0]["jsonData"] == {"httpMethod": "POST"}
    assert "derivedFields" not in result["datasources"][1]["jsonData"]
    hostvars = {"mon1": {"observability_components": ["jaeger", "grafana"]}}
    only = grafana_datasources(hostvars, "mon1", ["mon1"])["datasources"]
    assert [(ds["uid"], ds["isDefault"]) for ds in only] == [("jaeger", True)]
    assert only[0]["jsonData"] == {"nodeGraph": {"enabled": True}}


def test_nothing_deployed_gives_no_datasources():
    assert grafana_datasources({"app1": {"group_names": ["agents"]}}, "app1", ["app1"]) == \
        {"apiVersion": 1, "datasources": []}


def test_components_on_other_hosts_are_reached_at_their_published_ports():
    hostvars = {
        "graf": {"observability_components": ["grafana"], "ansible_host": "10.0.0.5"},
        "metrics": {"observability_components": ["prometheus", "alertmanager"], "ansible_host": "10.0.0.6",
                    "prometheus_host_port": 19090},
        "logs": {"observability_components": ["loki"], "observability_scrape_address": "logs.internal"},
    }
    result = grafana_datasources(hostvars, "graf", ["graf", "logs", "metrics"],
                                 published_ports={"alertmanager": 19093, "loki": 13100})
    assert [ds["url"] for ds in result["datasources"]] == [
        "http://10.0.0.6:19090", "http://logs.internal:13100", "http://10.0.0.6:19093"]


def test_the_prefix_names_the_containers():
    result = grafana_datasources(HOSTVARS, "mon1", HOSTS, prefix="obs")
    assert result["datasources"][0]["url"] == "http://obs-prometheus:9090"


def test_extra_datasources_are_appended_unchanged():
    extra = [{"name": "Postgres", "type": "grafana-postgresql-datasource", "access": "proxy", "url": "db:5432",
              "uid": "pg", "jsonData": {"database": "app"}}]
    result = grafana_datasources(HOSTVARS, "mon1", HOSTS, extra=extra)
    assert result["datasources"][4] == extra[0] and result["datasources"][4] is not extra[0]
    assert [ds["isDefault"] for ds in result["datasources"][:1]] == [True]


def test_without_prometheus_an_extra_datasource_may_be_the_default():
    hostvars = {"mon1": {"observability_components": ["loki"]}}
    extra = [{"name": "Mimir", "type": "prometheus", "access": "proxy", "url": "http://mimir", "isDefault": True}]
    result = grafana_datasources(hostvars, "mon1", ["mon1"], extra=extra)
    assert [ds["isDefault"] for ds in result["datasources"]] == [False, True]


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
    ([{"name": "A", "type": "testdata", "access": "proxy", "uid": "jaeger"}],
     "grafana_datasources_extra[0]: the uid 'jaeger' is already used by the stack's Jaeger datasource."),
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
        grafana_datasources(HOSTVARS, "mon1", HOSTS, extra=extra)
    assert str(error.value).startswith(message)


def test_two_extra_defaults_without_prometheus_are_rejected():
    extra = [{"name": "A", "type": "testdata", "access": "proxy", "isDefault": True},
             {"name": "B", "type": "testdata", "access": "proxy", "isDefault": True}]
    with pytest.raises(AnsibleFilterError) as error:
        grafana_datasources({"g": {"observability_components": ["grafana"]}}, "g", ["g"], extra=extra)
    assert str(error.value) == (
        "grafana_datasources_extra[1]: is marked isDefault, but grafana_datasources_extra[0] already is the default "
        "datasource. Fix: remove isDefault from grafana_datasources_extra[1]: Grafana allows one default datasource")


@pytest.mark.parametrize("args, kwargs, message", [
    ((HOSTVARS, "mon1", ["app1", "db9"]), {}, "hosts: 'db9' is not an inventory host"),
    ((HOSTVARS, "db9", HOSTS), {}, "from_host: 'db9' is not an inventory host"),
    ((HOSTVARS, "mon1", HOSTS), {"published_ports": [9090]},
     "observability_published_ports: must map components to ports, got list"),
    ((HOSTVARS, "mon1", HOSTS), {"prefix": "Bad Prefix"}, "observability_prefix: 'Bad Prefix' cannot start"),
])
def test_bad_arguments(args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        grafana_datasources(*args, **kwargs)
    assert str(error.value).startswith(message)

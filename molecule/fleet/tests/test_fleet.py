# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What scenario "fleet" must show: every host reached at its address, an HA pair of Prometheus whose alerts reach
the sink once through an Alertmanager cluster, Promtail pushing across hosts, and a host that joins without any
monitoring container restarting. The inventory's groups decide what runs where (no component list is forced).

The first test compares with what side_effect.yml recorded before the fourth host joined, so it runs first: later
tests stop and start containers on purpose.
"""
from __future__ import annotations

import base64
import json
import time
import uuid

import pytest

from conftest import ADDRESS, AGENTS, DATABASES, JOINED, MONITORING, PREFIX, SETTINGS, SINK_HOST, SINK_LOG, STACK
from conftest import WEB_AUTH, WEB_TLS, container, http_json, wait_for, web_url

# The jobs each kind of host is scraped in.
AGENT_JOBS = {"node": "node_exporter", "docker": "cadvisor", "promtail": "promtail"}
MONITORING_JOBS = {"prometheus": "prometheus", "alertmanager": "alertmanager", "grafana": "grafana"}
SCHEME = "https" if WEB_TLS else "http"
GRAFANA_AUTH = ("admin", SETTINGS.get("grafana_admin_password", "molecule-admin-password"))


def _expected_targets():
    """(job, host) of every target each Prometheus must have up."""
    expected = set()
    for name in AGENTS:
        expected |= {(job, name) for job in AGENT_JOBS}
    for name in MONITORING:
        expected |= {(job, name) for job in MONITORING_JOBS}
    expected |= {("postgres", name) for name in DATABASES}
    expected.add(("loki", MONITORING[0]))  # one Loki: on the first host of the monitoring group
    expected.add(("jaeger", MONITORING[0]))  # and one Jaeger
    return expected


def _targets(monitor):
    return http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/targets?state=active"))["data"]["activeTargets"]


def _notifications(fleet):
    content = fleet[SINK_HOST].file(SINK_LOG)
    if not content.exists:
        return []
    return [json.loads(line) for line in content.content_string.splitlines() if line.strip()]


def _firing(notifications, alertname, instance=None):
    """The notifications to the critical receiver that carry a firing alertname (for instance)."""
    return [n for n in notifications if n["path"] == "/critical"
            and any(a["status"] == "firing" and a["labels"].get("alertname") == alertname
                    and (instance is None or a["labels"].get("instance") == instance)
                    for a in n["body"].get("alerts", []))]


def test_a_new_host_is_scraped_without_restarting_or_reloading_anything(fleet):
    assert JOINED, "the scenario has no host that joins later"
    for monitor in MONITORING:
        before = json.loads(fleet[monitor].file("/var/tmp/fleet-before-join.json").content_string)
        assert before["started"], "side_effect.yml recorded no container on %s" % monitor
        now = {}
        for name in before["started"]:
            now[name] = json.loads(fleet[monitor].check_output("docker inspect %s", name))[0]["State"]["StartedAt"]
        assert now == before["started"], "containers on %s restarted when a host joined" % monitor

        def joined_up(monitor=monitor):
            up = {(t["labels"]["job"], t["labels"].get("host")) for t in _targets(monitor) if t["health"] == "up"}
            return all((job, name) in up for name in JOINED for job in AGENT_JOBS)
        assert wait_for(joined_up), "the new host's targets are not up on %s: %s" % (monitor, _targets(monitor))
        reload = http_json(web_url(ADDRESS[monitor], "prometheus",
                                   "/api/v1/query?query=prometheus_config_last_reload_success_timestamp_seconds")
                           )["data"]["result"][0]["value"][1]
        assert reload == before["last_reload"], "Prometheus on %s reloaded its configuration" % monitor


def test_every_prometheus_scrapes_every_exporter_of_every_host_at_its_address():
    expected = _expected_targets()
    for monitor in MONITORING:
        def all_up(monitor=monitor):
            up = {(t["labels"]["job"], t["labels"].get("host")) for t in _targets(monitor) if t["health"] == "up"}
            return expected <= up
        assert wait_for(all_up), "on %s, not up: %s" % (monitor, sorted(expected - {
            (t["labels"]["job"], t["labels"].get("host")) for t in _targets(monitor) if t["health"] == "up"}))
        for target in _targets(monitor):
            name = target["labels"].get("host")
            if name is None:
                continue
            # The instance label is the same on both Prometheus (host and published port), so are their alerts.
            assert target["labels"]["instance"].startswith(name + ":"), target["labels"]
            if name == monitor:
                assert "//%s-" % PREFIX in target["scrapeUrl"], target["scrapeUrl"]  # by container name
            else:
                assert "//%s:" % ADDRESS[name] in target["scrapeUrl"], target["scrapeUrl"]  # at the host's address


def test_ports_other_hosts_connect_to_are_published_on_the_hosts_address(fleet):
    for name in STACK:
        for info in json.loads(fleet[name].check_output(
                "docker inspect $(docker ps -q --filter label=io.proxy-agent.observability.managed=true)")):
            bindings = info["HostConfig"]["PortBindings"]
            assert bindings, info["Name"]
            for port, binds in bindings.items():
                # Jaeger's health port is probed on its own host only: the one port no other host needs.
                where = "127.0.0.1" if (info["Name"], port) == ("/" + container("jaeger"), "13133/tcp") else ADDRESS[name]
                assert [b["HostIp"] for b in binds] == [where], (name, info["Name"], port, binds)
    for monitor in MONITORING:
        ports = json.loads(fleet[monitor].check_output("docker inspect %s", container("alertmanager")))[0][
            "HostConfig"]["PortBindings"]
        assert set(ports) == {"9093/tcp", "9094/tcp", "9094/udp"}  # the cluster port: gossip over TCP and UDP


def test_the_alertmanager_cluster_reports_both_peers():
    expected = sorted("%s:9094" % ADDRESS[name] for name in MONITORING)

    def peers(monitor):
        status = http_json(web_url(ADDRESS[monitor], "alertmanager", "/api/v2/status"))["cluster"]
        return status if status["status"] == "ready" and len(status.get("peers") or []) == len(expected) else None
    for monitor in MONITORING:
        status = wait_for(lambda monitor=monitor: peers(monitor), seconds=120)
        assert status, http_json(web_url(ADDRESS[monitor], "alertmanager", "/api/v2/status"))["cluster"]
        assert sorted(p["address"] for p in status["peers"]) == expected


def test_prometheus_sends_to_every_alertmanager_and_drops_its_replica_label():
    for monitor in MONITORING:
        config = http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/status/config"))["data"]["yaml"]
        assert "replica: %s" % monitor in config
        managers = http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/alertmanagers"))["data"]["activeAlertmanagers"]
        urls = sorted(m["url"] for m in managers)
        expected = ["%s:9093" % (container("alertmanager") if name == monitor else ADDRESS[name]) for name in MONITORING]
        assert urls == sorted("%s://%s/api/v2/alerts" % (SCHEME, target) for target in expected)


def test_grafana_shows_its_own_prometheus_and_alertmanager_and_the_one_loki(fleet):
    loki_host = MONITORING[0]
    for monitor in MONITORING:
        sources = {d["type"]: d["url"] for d in http_json("http://%s:3001/api/datasources" % ADDRESS[monitor],
                                                          auth=GRAFANA_AUTH)}
        assert sources["prometheus"] == "%s://%s:9090" % (SCHEME, container("prometheus"))
        assert sources["alertmanager"] == "%s://%s:9093" % (SCHEME, container("alertmanager"))
        assert sources["loki"] == ("http://%s:3100" % container("loki") if monitor == loki_host
                                   else "http://%s:3100" % ADDRESS[loki_host])
        assert sources["jaeger"] == ("http://%s:16686" % container("jaeger") if monitor == loki_host
                                     else "http://%s:16686" % ADDRESS[loki_host])
        # Each answers from inside the Grafana container.
        for kind, path in (("prometheus", "/-/ready"), ("alertmanager", "/-/ready"), ("loki", "/ready"),
                           ("jaeger", "/api/services")):
            # The stand-in's busybox wget has no CA option: TLS is verified with the CA in test_web_security.py.
            secured = ["--no-check-certificate", "--header", "Authorization: Basic " + base64.b64encode(
                ("%s:%s" % WEB_AUTH).encode()).decode()] if kind in ("prometheus", "alertmanager") and WEB_AUTH else []
            result = fleet[monitor].run("docker exec %s wget -q -O /dev/null " + "%s " * len(secured) + "%s",
                                        container("grafana"), *secured, sources[kind] + path)
            assert result.rc == 0, (monitor, kind, result.stderr)


def test_an_application_host_sends_traces_to_the_one_jaeger_at_its_address(fleet):
    jaeger_host, app = MONITORING[0], DATABASES[0]
    trace_id = uuid.uuid4().hex
    span = {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "fleet-probe"}}]}, "scopeSpans": [{"spans": [{
            "traceId": trace_id, "spanId": uuid.uuid4().hex[:16], "name": "probe", "kind": 2,
            "startTimeUnixNano": str(int(time.time() * 1e9)), "endTimeUnixNano": str(int(time.time() * 1e9) + 1000)}]}]}]}
    script = ("import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], "
              "data=sys.argv[2].encode(), headers={'Content-Type': 'application/json'}), timeout=10)")
    # From the application host, at the Jaeger host's address and OTLP HTTP port.
    result = fleet[app].run("python3 -c %s %s %s", script, "http://%s:4318/v1/traces" % ADDRESS[jaeger_host],
                            json.dumps(span))
    assert result.rc == 0, result.stderr

    def found():
        try:
            return http_json("http://%s:16686/api/traces/%s" % (ADDRESS[jaeger_host], trace_id)).get("data")
        except OSError:
            return None
    assert wait_for(found, seconds=60), "the span sent from %s never reached Jaeger" % app


def test_promtail_on_every_host_pushes_to_the_one_loki():
    loki = "http://%s:3100" % ADDRESS[MONITORING[0]]

    def hosts_seen():
        values = set(http_json(loki + "/loki/api/v1/label/host/values").get("data") or [])
        return values if set(AGENTS) <= values else None
    assert wait_for(hosts_seen, seconds=120), http_json(loki + "/loki/api/v1/label/host/values")
    # The application host's lines are there, labelled with their container's name.
    query = '{host="%s"}' % DATABASES[0]
    result = http_json(loki + "/loki/api/v1/query_range?limit=20&query=" + urllib_quote(query))["data"]["result"]
    assert result and all(stream["values"] for stream in result), result
    assert all(stream["stream"].get("container_name") for stream in result), result


def urllib_quote(text):
    import urllib.parse  # pylint: disable=import-outside-toplevel
    return urllib.parse.quote(text)


def test_an_alert_raised_by_both_replicas_reaches_the_sink_exactly_once(fleet):
    app = DATABASES[0]
    instance = "%s:9100" % app
    fleet[SINK_HOST].run("truncate -s 0 %s", SINK_LOG)
    assert fleet[app].run("docker stop %s", container("node_exporter")).rc == 0
    try:
        def raised_by_both():
            firing = []
            for monitor in MONITORING:
                alerts = http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/alerts"))["data"]["alerts"]
                firing.append([a for a in alerts if a["labels"].get("alertname") == "ServiceDown"
                               and a["labels"].get("instance") == instance and a["state"] == "firing"])
            return firing if all(firing) else None
        assert wait_for(raised_by_both, seconds=120), "ServiceDown did not fire on both Prometheus"
        assert wait_for(lambda: _firing(_notifications(fleet), "ServiceDown", instance), seconds=120), \
            _notifications(fleet)
        # The second Alertmanager of the cluster waits its turn (peer timeout 15s) and then finds the notification in
        # the gossiped log; without the cluster, or with differing labels, a second one would arrive by now.
        time.sleep(45)
        delivered = _firing(_notifications(fleet), "ServiceDown", instance)
        assert len(delivered) == 1, delivered
        # One alert, not one per Prometheus: the two replicas' alerts have the same labels (no replica label, the
        # same instance and host), so Alertmanager holds one.
        alerts = [a for a in delivered[0]["body"]["alerts"]
                  if a["labels"].get("alertname") == "ServiceDown" and a["labels"].get("host") == app]
        assert len(alerts) == 1, delivered[0]["body"]["alerts"]
        assert alerts[0]["labels"]["instance"] == instance and "replica" not in alerts[0]["labels"], alerts
    finally:
        fleet[app].run("docker start %s", container("node_exporter"))


def test_with_one_alertmanager_stopped_the_next_alert_still_arrives_exactly_once(fleet):
    app = DATABASES[0]
    stopped = MONITORING[-1]
    fleet[SINK_HOST].run("truncate -s 0 %s", SINK_LOG)
    assert fleet[stopped].run("docker stop %s", container("alertmanager")).rc == 0
    try:
        assert fleet[app].run("docker stop %s", container("cadvisor")).rc == 0
        assert wait_for(lambda: _firing(_notifications(fleet), "FleetProbeDown"), seconds=180), \
            _notifications(fleet)
        time.sleep(45)
        delivered = _firing(_notifications(fleet), "FleetProbeDown")
        assert len(delivered) == 1, delivered
    finally:
        fleet[app].run("docker start %s", container("cadvisor"))
        fleet[stopped].run("docker start %s", container("alertmanager"))


def test_the_inventorys_own_prefix_network_and_subnet_are_used(fleet):
    for name in STACK:
        network = json.loads(fleet[name].check_output("docker network inspect %s", SETTINGS["observability_network_name"]))
        assert network[0]["IPAM"]["Config"][0]["Subnet"] == SETTINGS["docker_host_network_subnet"]
        names = fleet[name].check_output("docker ps --filter label=io.proxy-agent.observability.managed=true "
                                         "--format '{{.Names}}'").split()
        assert names and all(n.startswith(PREFIX + "-") for n in names), names
    volumes = fleet[MONITORING[0]].check_output("docker volume ls -q --filter label=io.proxy-agent.observability.managed=true")
    assert "%s_prometheus_data" % PREFIX in volumes.split()


@pytest.mark.real_images
@pytest.mark.usefixtures("real_loki")
def test_the_app_hosts_lines_are_counted_by_logql_in_the_one_loki():
    """Real Loki: the same query through LogQL's parser (the stand-in answers stream selectors only)."""
    loki = "http://%s:3100" % ADDRESS[MONITORING[0]]
    query = 'count_over_time({host="%s"}[10m])' % DATABASES[0]
    result = http_json(loki + "/loki/api/v1/query?query=" + urllib_quote(query))["data"]["result"]
    assert result and float(result[0]["value"][1]) > 0, result

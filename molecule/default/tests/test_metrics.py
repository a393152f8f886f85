# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The metrics stack on the converged test host: containers hardened and healthy, targets up, rules loaded."""
from __future__ import annotations

import json
import time

import pytest

CONTAINERS = {
    "proxy-prometheus": {"user": "65534:65534", "port": "9090", "healthcheck": True},
    "proxy-alertmanager": {"user": "65534:65534", "port": "9093", "healthcheck": True},
    "proxy-node-exporter": {"user": "65534:65534", "port": "9100", "healthcheck": True},
    "proxy-postgres-exporter": {"user": "65534:65534", "port": "9187", "healthcheck": True},
    "proxy-redis-exporter": {"user": "59000:59000", "port": "9121", "healthcheck": False},
    # cAdvisor runs as root upstream (it reads the Docker socket and cgroups); its image here is a test double.
    "proxy-cadvisor": {"user": "0:0", "port": "8080", "healthcheck": True},
    # Loki and Promtail run here on test doubles too (see test_logs.py). Loki 3.7's own `loki -health` probe is the
    # healthcheck; Promtail's image has no probe, so the play checks /ready from outside.
    "proxy-loki": {"user": "10001:10001", "port": "3100", "healthcheck": True},
    "proxy-promtail": {"user": "0:0", "port": "9080", "healthcheck": False},
    # Grafana (a test double here, see test_grafana.py) publishes its 3000 on 3001, as in the seed.
    "proxy-grafana": {"user": "472:0", "port": "3000", "host_port": "3001", "healthcheck": False},
    # Jaeger (a test double here): UI, OTLP gRPC and HTTP, health and metrics; no shell for a probe upstream.
    "proxy-jaeger": {"user": "10001:10001", "ports": ["16686", "4317", "4318", "13133", "14269"],
                     "healthcheck": False},
    # The sample backend, built on the host (see test_backend_end_to_end.py).
    "proxy-backend": {"user": "10000:10000", "port": "8000", "healthcheck": True},
}


def _inspect(host, name):
    return json.loads(host.check_output("docker inspect %s", name))[0]


def _api(host, url):
    return json.loads(host.check_output("python3 -c %s %s", "import sys, urllib.request; "
                                        "print(urllib.request.urlopen(sys.argv[1]).read().decode())", url))


def _wait(predicate, seconds=90):
    deadline = time.time() + seconds
    while True:
        result = predicate()
        if result or time.time() > deadline:
            return result
        time.sleep(3)


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_container_runs_and_is_healthy(host, name):
    def healthy():
        state = _inspect(host, name)["State"]
        return state["Running"] and (not CONTAINERS[name]["healthcheck"] or state["Health"]["Status"] == "healthy")
    ok = _wait(healthy, seconds=180)  # the healthcheck runs every 30 s; a loaded machine may miss one
    assert ok, host.run("docker logs --tail 50 %s", name).stderr


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_container_is_hardened(host, name):
    config = _inspect(host, name)
    hostconfig = config["HostConfig"]
    assert config["Config"]["User"] == CONTAINERS[name]["user"]
    assert hostconfig["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in hostconfig["SecurityOpt"]
    assert hostconfig["ReadonlyRootfs"] is True
    assert hostconfig["Memory"] > 0
    assert hostconfig["PidsLimit"] > 0
    assert hostconfig["RestartPolicy"] == {"Name": "unless-stopped", "MaximumRetryCount": 0}
    assert config["Config"]["Labels"]["io.proxy-agent.observability.managed"] == "true"


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_published_port_listens_on_loopback_only(host, name):
    bindings = _inspect(host, name)["HostConfig"]["PortBindings"]
    ports = CONTAINERS[name].get("ports") or [CONTAINERS[name]["port"]]
    host_port = CONTAINERS[name].get("host_port")
    assert bindings == {"%s/tcp" % port: [{"HostIp": "127.0.0.1", "HostPort": host_port or port}] for port in ports}


def test_every_scrape_target_is_up(host):
    def all_up():
        targets = _api(host, "http://127.0.0.1:9090/api/v1/targets")["data"]["activeTargets"]
        jobs = {t["labels"]["job"]: t["health"] for t in targets}
        return jobs if jobs and all(h == "up" for h in jobs.values()) else None
    jobs = _wait(all_up)
    assert jobs == {"alertmanager": "up", "docker": "up", "node": "up", "postgres": "up", "prometheus": "up",
                    "redis": "up", "loki": "up", "promtail": "up", "grafana": "up", "jaeger": "up", "backend": "up"}


@pytest.mark.parametrize("query", ["pg_up", "redis_up"])
def test_exporters_reach_their_real_servers(host, query):
    def value():
        result = _api(host, "http://127.0.0.1:9090/api/v1/query?query=" + query)["data"]["result"]
        return result[0]["value"][1] if result and result[0]["value"][1] == "1" else None
    assert _wait(value) == "1"


def test_the_seeds_six_alert_rules_are_loaded(host):
    groups = _api(host, "http://127.0.0.1:9090/api/v1/rules")["data"]["groups"]
    names = sorted(r["name"] for g in groups if g["name"] == "application_alerts" for r in g["rules"])
    assert names == sorted(["HighErrorRate", "HighResponseTime", "ServiceDown", "DatabaseConnectionPoolExhausted",
                            "HighMemoryUsage", "CeleryQueueBacklog"])


def test_user_rule_files_are_loaded_beside_the_shipped_ones(host):
    groups = _api(host, "http://127.0.0.1:9090/api/v1/rules")["data"]["groups"]
    files = sorted({g["file"] for g in groups})
    assert files == ["/etc/prometheus/rules/inhibit-probe.yml", "/etc/prometheus/rules/proxy-agent.yml"]


def test_prometheus_sends_alerts_to_the_deployed_alertmanager(host):
    managers = _api(host, "http://127.0.0.1:9090/api/v1/alertmanagers")["data"]["activeAlertmanagers"]
    assert [m["url"] for m in managers] == ["http://proxy-alertmanager:9093/api/v2/alerts"]


def test_alertmanager_is_ready_and_knows_the_routes(host):
    assert host.run("python3 -c %s", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9093/-/ready')").rc == 0
    status = _api(host, "http://127.0.0.1:9093/api/v2/status")
    assert "receiver: critical" in status["config"]["original"]


def test_secrets_live_in_files_readable_by_the_container_only(host):
    secret = host.file("/etc/proxy-observability/postgres_exporter/password")
    # The container's own user only: never a shared group such as nogroup (65534).
    assert (secret.uid, secret.gid, secret.mode) == (65534, 0, 0o400)
    assert secret.content_string == "fixture-password"
    env = " ".join(_inspect(host, "proxy-postgres-exporter")["Config"]["Env"])
    assert "fixture-password" not in env


def test_configuration_is_mounted_as_a_directory(host):
    mounts = {m["Destination"]: m for m in _inspect(host, "proxy-prometheus")["Mounts"]}
    assert mounts["/etc/prometheus"]["Source"] == "/etc/proxy-observability/prometheus"
    assert mounts["/etc/prometheus"]["RW"] is False
    assert mounts["/prometheus"]["Type"] == "volume" and mounts["/prometheus"]["Name"] == "proxy_prometheus_data"


def test_targets_come_from_file_sd_files_labelled_with_host_and_instance(host):
    config = host.file("/etc/proxy-observability/prometheus/prometheus.yml").content_string
    assert "file_sd_configs" in config and "static_configs" not in config.split("scrape_configs:")[1]
    node = json.loads(host.file("/etc/proxy-observability/prometheus/targets/node.json").content_string)
    name = host.backend.get_hostname()
    assert node == [{"targets": ["proxy-node-exporter:9100"], "labels": {"host": name, "instance": "%s:9100" % name}}]

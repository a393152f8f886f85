# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""prometheus.yml built by our filters from an inventory is accepted by promtool from the Prometheus image.

And bad input stops in our filter, before promtool, while promtool agrees that the same input is bad.
Needs a Docker engine and the image PROXY_OBS_PROMETHEUS_IMAGE (tests/images/build.sh builds it); only a missing
engine skips these tests, a missing image fails them.
"""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from docker_check import docker_unavailable
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.fleet_endpoints import fleet_endpoints
from ansible_collections.proxy_agent.observability.plugins.filter.observability_fleet import observability_fleet
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_config import prometheus_config
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_scrape_configs import (
    prometheus_scrape_configs,
)

IMAGE = os.environ.get("PROXY_OBS_PROMETHEUS_IMAGE", "localhost/proxy-obs/prometheus:3.5.3")

# A fleet: mon1 in monitoring and agents, app1 in agents, db1 in agents and postgres with an address of its own.
HOSTVARS = {
    "mon1": {"inventory_hostname": "mon1", "group_names": ["agents", "monitoring"],
             "ansible_facts": {"default_ipv4": {"address": "10.0.0.1"}}},
    "app1": {"inventory_hostname": "app1", "group_names": ["agents"],
             "ansible_facts": {"default_ipv4": {"address": "10.0.0.2"}}},
    "db1": {"inventory_hostname": "db1", "group_names": ["agents", "postgres"], "ansible_host": "db1.example.com",
            "observability_address": "10.0.1.3"},
}
GROUPS = {"all": ["mon1", "app1", "db1"], "monitoring": ["mon1"], "agents": ["mon1", "app1", "db1"],
          "postgres": ["db1"]}
GLOBAL = {"scrape_interval": "15s", "scrape_timeout": "10s"}
USER_JOBS = [
    {"job_name": "legacy-app", "scrape_interval": "30s", "scrape_timeout": "20s",
     "fallback_scrape_protocol": "PrometheusText0.0.4",
     "static_configs": [{"targets": ["legacy.example.com:9000"], "labels": {"team": "payments"}}]},
    {"job_name": "blackbox-http", "metrics_path": "/probe", "params": {"module": ["http_2xx"]},
     "static_configs": [{"targets": ["https://example.com"]}],
     "relabel_configs": [{"source_labels": ["__address__"], "target_label": "__param_target"},
                         {"source_labels": ["__param_target"], "target_label": "instance"},
                         {"target_label": "__address__", "replacement": "proxy-blackbox-exporter:9115"}]},
]


DOCKER_UNAVAILABLE = docker_unavailable()
needs_docker = pytest.mark.skipif(DOCKER_UNAVAILABLE is not None, reason="promtool runs in Docker: %s"
                                  % DOCKER_UNAVAILABLE)


def render(extra_jobs=None):
    """prometheus.yml and the target files of mon1, as the prometheus role builds them."""
    fleet = observability_fleet(HOSTVARS, GROUPS)
    scrape = prometheus_scrape_configs(
        fleet, "mon1", backend_targets=["proxy-backend:8000"],
        extra_jobs=USER_JOBS if extra_jobs is None else extra_jobs,
        extra_targets={"node": ["nas.example.com:9100"], "redis": ["cache1.example.com:9121"]},
        scrape_interval=GLOBAL["scrape_interval"])
    config = prometheus_config(scrape["scrape_configs"], GLOBAL, fleet_endpoints(fleet, "alertmanager", "mon1"),
                               ["/etc/prometheus/rules/*.yml"], drop_alert_labels=["replica"])
    return config, scrape["files"]


def stage(directory, config, files):
    """Write prometheus.yml, the target files and an empty rules directory, readable by the image's user (nobody)."""
    directory.chmod(0o755)
    for sub in ("rules", "targets"):
        (directory / sub).mkdir(mode=0o755)
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, default_flow_style=False))
    path.chmod(0o644)
    for name, content in files.items():
        (directory / name).write_text(json.dumps(content, indent=2))
        (directory / name).chmod(0o644)
    return directory


def promtool_check_config(directory):
    image = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, text=True, check=False)
    assert image.returncode == 0, "image %s is missing: build it with tests/images/build.sh" % IMAGE
    return subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", "%s:/etc/prometheus:ro" % directory,
                           "--entrypoint", "/bin/promtool", IMAGE, "check", "config", "/etc/prometheus/prometheus.yml"],
                          capture_output=True, text=True, timeout=120, check=False)


@needs_docker
def test_promtool_accepts_the_config_built_from_the_inventory(tmp_path):
    config, files = render()
    assert [job["job_name"] for job in config["scrape_configs"]] == \
        ["node", "docker", "postgres", "redis", "loki", "jaeger", "promtail", "alertmanager", "prometheus",
         "grafana", "backend", "legacy-app", "blackbox-http"]
    assert sorted(files) == ["targets/%s.json" % job for job in sorted(
        ["backend", "node", "docker", "postgres", "redis", "loki", "jaeger", "promtail", "alertmanager",
         "prometheus", "grafana"])]
    proc = promtool_check_config(stage(tmp_path, config, files))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "SUCCESS: /etc/prometheus/prometheus.yml is valid prometheus config file syntax" in output, output


@needs_docker
def test_promtool_reads_the_target_files_and_refuses_a_broken_one(tmp_path):
    config, files = render()
    files["targets/node.json"] = [{"targets": "not a list"}]
    proc = promtool_check_config(stage(tmp_path, config, files))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "/etc/prometheus/targets/node.json" in output, output


# (user job with a bad value, our filter's message, promtool's message for the same job).
CAUGHT_FIRST = [
    ({"job_name": "app", "scrape_interval": "15 seconds", "static_configs": [{"targets": ["app1:8000"]}]},
     "prometheus_scrape_configs_extra[0]['scrape_interval']: '15 seconds' is not a Prometheus duration",
     'unknown unit " seconds" in duration "15 seconds"'),
    ({"job_name": "app", "scrape_interval": "10s", "scrape_timeout": "30s",
      "static_configs": [{"targets": ["app1:8000"]}]},
     "prometheus_scrape_configs_extra[0]['scrape_timeout']: '30s' is longer than the scrape_interval '10s' of job "
     "'app'",
     'scrape timeout greater than scrape interval for scrape config with job name "app"'),
]


@needs_docker
@pytest.mark.parametrize("bad_job, message, promtool_message", CAUGHT_FIRST, ids=["duration", "timeout-over-interval"])
def test_bad_duration_stops_in_our_filter_before_promtool(tmp_path, bad_job, message, promtool_message):
    with pytest.raises(AnsibleFilterError) as exc:
        render(extra_jobs=[bad_job])
    assert str(exc.value).startswith(message)
    # The filters raised, so nothing would be written. Given the same job behind their back, promtool refuses it too:
    # our check is not stricter than Prometheus here, only earlier and clearer.
    config, files = render(extra_jobs=[])
    config["scrape_configs"].append(bad_job)
    proc = promtool_check_config(stage(tmp_path, config, files))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "FAILED" in output and promtool_message in output, output

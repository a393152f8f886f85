# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The logs stack on the converged test host.

Here Loki and Promtail run on test stand-ins (tests/images/loki-standin, promtail-standin): they check the mounted
configuration like the real binaries' -verify-config / -check-syntax, write to their volumes and answer /ready; the
Promtail stand-in ships containers' lines to Loki as JSON pushes and the Loki stand-in stores them and answers
stream selectors with line filters, but no LogQL parser or metric query. The orchestration tests below hold for both.
The tests marked `real_images` need the real
upstream images and are skipped where a stand-in runs (the README lists them as not run here).
"""
from __future__ import annotations

import json
import time
import urllib.parse
import uuid

import pytest
import yaml

CONFIG_ROOT = "/etc/proxy-observability"


def _inspect(host, name):
    return json.loads(host.check_output("docker inspect %s", name))[0]


def _http(host, url, data=None, method=None):
    script = ("import sys, urllib.request; r = urllib.request.Request(sys.argv[1], data=(sys.argv[2].encode() "
              "if len(sys.argv) > 2 else None), method=(sys.argv[3] if len(sys.argv) > 3 else None), "
              "headers={'Content-Type': 'application/json'}); print(urllib.request.urlopen(r).read().decode())")
    args = [url] + ([data] if data is not None else []) + ([method] if method else [])
    return host.check_output("python3 -c %s " + " ".join(["%s"] * len(args)), script, *args)


def _wait(predicate, seconds=60):
    deadline = time.time() + seconds
    while True:
        result = predicate()
        if result or time.time() > deadline:
            return result
        time.sleep(2)


def _is_standin(host, name):
    labels = _inspect(host, _inspect(host, name)["Image"])["Config"]["Labels"] or {}
    return labels.get("io.proxy-agent.observability.test-double") == "true"


def _require_real(host, name):
    if _is_standin(host, name):
        pytest.skip("%s runs on a test stand-in here; this check needs the real upstream image" % name)


def test_loki_config_is_the_3x_layout_mounted_as_a_directory(host):
    config = yaml.safe_load(host.file(CONFIG_ROOT + "/loki/loki.yaml").content_string)
    (period,) = config["schema_config"]["configs"]
    assert (period["store"], period["schema"], period["object_store"]) == ("tsdb", "v13", "filesystem")
    assert config["compactor"]["retention_enabled"] is True
    assert config["compactor"]["delete_request_store"] == "filesystem"
    assert config["limits_config"]["reject_old_samples_max_age"] == "168h"
    assert config["auth_enabled"] is False
    mounts = {m["Destination"]: m for m in _inspect(host, "proxy-loki")["Mounts"]}
    assert mounts["/etc/loki"]["Source"] == CONFIG_ROOT + "/loki" and mounts["/etc/loki"]["RW"] is False
    assert mounts["/loki"]["Type"] == "volume" and mounts["/loki"]["Name"] == "proxy_loki_data"


def test_loki_data_volume_belongs_to_uid_10001_and_is_written(host):
    mountpoint = json.loads(host.check_output("docker volume inspect proxy_loki_data"))[0]["Mountpoint"]
    volume = host.file(mountpoint)
    assert (volume.uid, volume.gid) == (10001, 10001)
    # The stand-in appends a line per start; real Loki writes its WAL, index and chunks there.
    assert host.run("find %s -mindepth 1 -maxdepth 1 -uid 10001 | grep -q .", mountpoint).rc == 0


def test_the_config_check_ran_with_the_deployed_image(host):
    """config_dir records what it checked: a fingerprint made with the image that runs."""
    for component, container in (("loki", "proxy-loki"), ("promtail", "proxy-promtail")):
        state = json.loads(host.file("%s/.state/%s.json" % (CONFIG_ROOT, component)).content_string)
        assert state["image"] == _inspect(host, container)["Config"]["Image"]


def test_promtail_reads_docker_through_the_read_only_socket_and_keeps_positions_on_its_volume(host):
    config = _inspect(host, "proxy-promtail")
    mounts = {m["Destination"]: m for m in config["Mounts"]}
    assert mounts["/var/run/docker.sock"]["RW"] is False
    assert mounts["/var/lib/promtail"]["Name"] == "proxy_promtail_data"
    assert mounts["/etc/promtail"]["RW"] is False
    promtail = yaml.safe_load(host.file(CONFIG_ROOT + "/promtail/promtail.yml").content_string)
    assert promtail["positions"]["filename"] == "/var/lib/promtail/positions.yaml"
    assert promtail["clients"] == [{"url": "http://proxy-loki:3100/loki/api/v1/push"}]
    mountpoint = json.loads(host.check_output("docker volume inspect proxy_promtail_data"))[0]["Mountpoint"]
    assert host.file(mountpoint + "/positions.yaml").exists


def test_promtail_labels_streams_by_container_name_and_only_low_cardinality_fields(host):
    promtail = yaml.safe_load(host.file(CONFIG_ROOT + "/promtail/promtail.yml").content_string)
    (job,) = [j for j in promtail["scrape_configs"] if j["job_name"] == "docker"]
    rules = {r["target_label"]: r for r in job["relabel_configs"] if "target_label" in r}
    assert rules["container_name"]["source_labels"] == ["__meta_docker_container_name"]
    labels = [stage["labels"] for stage in job["pipeline_stages"] if "labels" in stage]
    assert labels and set(labels[0]) == {"level", "logger"}


def test_loki_and_promtail_share_the_stack_network(host):
    for name in ("proxy-loki", "proxy-promtail"):
        assert "proxy-network" in _inspect(host, name)["NetworkSettings"]["Networks"]
    assert "loki" in _inspect(host, "proxy-loki")["NetworkSettings"]["Networks"]["proxy-network"]["Aliases"]


def test_loki_answers_ready_on_loopback(host):
    assert _wait(lambda: host.run("python3 -c %s", "import urllib.request; urllib.request.urlopen("
                                  "'http://127.0.0.1:3100/ready')").rc == 0)


# Real-image checks: written to run where the upstream images exist (a converge without the local image overrides,
# on a machine that can pull them); each skips itself when the container runs a stand-in.

def _logcli(host, query, start_ns):
    url = ("http://127.0.0.1:3100/loki/api/v1/query_range?query=%s&start=%d&limit=1000"
           % (urllib.parse.quote(query), start_ns))
    return json.loads(_http(host, url))["data"]["result"]


@pytest.mark.real_images
def test_a_container_log_line_is_queryable_in_loki_within_30_seconds(host):
    _require_real(host, "proxy-loki")
    _require_real(host, "proxy-promtail")
    marker = "probe-%s" % uuid.uuid4().hex
    start = time.time_ns()
    host.check_output("docker run --rm --name proxy-log-probe --network proxy-network localhost/proxy-obs/redis:7 "
                      "sh -c %s", "echo '{\"level\": \"info\", \"logger\": \"probe\", \"event\": \"%s\"}'" % marker)
    found = _wait(lambda: _logcli(host, '{container_name="proxy-log-probe"} |= "%s"' % marker, start), seconds=30)
    assert found, "the line did not reach Loki within 30 s"
    assert found[0]["stream"]["level"] == "info"


@pytest.mark.real_images
def test_a_promtail_restart_ships_no_duplicates(host):
    _require_real(host, "proxy-promtail")
    marker = "dup-%s" % uuid.uuid4().hex
    start = time.time_ns()
    host.check_output("docker run -d --name proxy-dup-probe localhost/proxy-obs/redis:7 sh -c %s",
                      "echo %s; sleep 120" % marker)
    query = '{container_name="proxy-dup-probe"} |= "%s"' % marker
    try:
        assert _wait(lambda: _logcli(host, query, start), seconds=30)
        host.check_output("docker restart proxy-promtail")
        time.sleep(20)
        values = [v for stream in _logcli(host, query, start) for v in stream["values"]]
        assert len(values) == 1, values
    finally:
        host.run("docker rm -f proxy-dup-probe")


@pytest.mark.real_images
def test_retention_deletes_old_chunks(host):
    """Needs loki_retention_period: 24h, loki_reject_old_samples: false and a short compaction interval and delete
    delay in loki_config_overrides (compactor.compaction_interval: 10s, retention_delete_delay: 10s); pushes a line
    dated three days back and waits for the compactor to delete it."""
    _require_real(host, "proxy-loki")
    config = yaml.safe_load(host.file(CONFIG_ROOT + "/loki/loki.yaml").content_string)
    if config["limits_config"].get("retention_period") != "24h" or config["limits_config"].get("reject_old_samples"):
        pytest.skip("the converge did not set the short retention this check needs")
    old_ns = time.time_ns() - 3 * 86400 * 10**9
    marker = "old-%s" % uuid.uuid4().hex
    _http(host, "http://127.0.0.1:3100/loki/api/v1/push", json.dumps(
        {"streams": [{"stream": {"container_name": "retention-probe"}, "values": [[str(old_ns), marker]]}]}))
    query = '{container_name="retention-probe"} |= "%s"' % marker
    assert _wait(lambda: not _logcli(host, query, old_ns - 10**9), seconds=300), "the old line was not deleted"

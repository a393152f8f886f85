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
import re
import shlex
import time
import urllib.parse
import uuid

import pytest
import yaml

from conftest import require_real, wait_for

CONFIG_ROOT = "/etc/proxy-observability"


def _inspect(host, name):
    return json.loads(host.check_output("docker inspect %s", name))[0]


def _http(host, url, data=None, method=None):
    script = ("import sys, urllib.request; r = urllib.request.Request(sys.argv[1], data=(sys.argv[2].encode() "
              "if len(sys.argv) > 2 else None), method=(sys.argv[3] if len(sys.argv) > 3 else None), "
              "headers={'Content-Type': 'application/json'}); print(urllib.request.urlopen(r).read().decode())")
    args = [url] + ([data] if data is not None else []) + ([method] if method else [])
    return host.check_output("python3 -c %s " + " ".join(["%s"] * len(args)), script, *args)


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
    # The socket's directory, so that the socket dockerd makes anew when it restarts is the one Promtail sees.
    assert mounts["/var/run"]["RW"] is False
    assert "/var/run/docker.sock" not in mounts
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
    assert wait_for(lambda: host.run("python3 -c %s", "import urllib.request; urllib.request.urlopen("
                                     "'http://127.0.0.1:3100/ready')").rc == 0)


# Real-image checks: written to run where the upstream images exist (a converge without the local image overrides,
# on a machine that can pull them); each skips itself when the container runs a stand-in. What they expect of Loki
# 3.7.6 and Promtail 3.6.11 is read from upstream's source at those tags (github.com/grafana/loki), cited at each use.

# The fixtures' image (molecule/resources/playbooks/fixtures.yml), on the host in every converge; it has a shell.
PROBE_IMAGE = "localhost/proxy-obs/redis:7"
# Promtail's docker_sd_configs is Prometheus' Docker discovery, vendored in Promtail 3.6.11
# (vendor/github.com/prometheus/prometheus/discovery/moby/docker.go): every refresh_interval (60s when unset; the role
# sets promtail_docker_refresh_interval, 5s) it lists the containers through the Docker API without all=1, so only
# the running ones ("Note that the discovery will not pick up finished containers", docs/sources/send-data/promtail/
# configuration.md). Prometheus' discovery manager (discovery/manager.go, updatert) passes a listing on to Promtail
# after up to 5 s more. Promtail then reads a container it has no position for from the start of its Docker log
# (clients/pkg/promtail/targets/docker/target.go: ContainerLogs with Since 0), so a container that is listed loses
# none of its lines, and one that is gone before a listing is never read.
DISCOVERY_UPDATE_DELAY = 5
# Loki 3.7.6 intervals that no setting changes: the ingester indexes what it flushes in a TSDB head that it builds into
# an index file when the wall-clock quarter hour turns (pkg/storage/stores/shipper/indexshipper/tsdb/head_manager.go:
# defaultRotationPeriod 15m, checked every defaultRotationCheckPeriod 1m) and uploads to the store at the next
# upload tick (indexshipper/shipper.go: UploadInterval 1m); only then does the compactor, which lists the tables in the
# store, see the chunk. Its sweeper lists the marker files every minute (pkg/compactor/retention/marker.go:
# minListMarkDelay) and deletes the chunks of those older than retention_delete_delay.
TSDB_HEAD_PERIOD = 15 * 60
TSDB_ROTATION_CHECK = 60
INDEX_UPLOAD_INTERVAL = 60
SWEEPER_LIST_INTERVAL = 60
# The longest the retention check may wait; a converge whose compactor settings need longer is skipped.
RETENTION_WAIT_LIMIT = 40 * 60
# The tenant of a Loki without auth_enabled (pkg/loki/modules.go: user.InjectOrgID(..., "fake")).
NO_AUTH_TENANT = "fake"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|y|w|d|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}

# Prints the host paths of the chunk files under a tenant's directory of Loki's filesystem store whose key starts with
# argv[2]. Loki 3.7.6 stores a schema v12+ chunk under <tenant>/<fingerprint hex>/<base64 of
# "<from ms hex>:<through ms hex>:<checksum hex>"> (pkg/storage/chunk/client/object_client.go: FSEncoder;
# pkg/storage/config/schema_config.go: newerExternalKey); the FS client turns a '/' of the base64 into a directory.
_FIND_CHUNKS = ("import base64, binascii, os, sys\n"
                "root, prefix = sys.argv[1], sys.argv[2]\n"
                "for top, dummy, names in os.walk(root):\n"
                "    for name in names:\n"
                "        path = os.path.join(top, name)\n"
                "        tail = '/'.join(os.path.relpath(path, root).split(os.sep)[1:])\n"
                "        try:\n"
                "            key = base64.b64decode(tail, validate=True).decode('latin-1')\n"
                "        except (binascii.Error, ValueError):\n"
                "            continue\n"
                "        if key.startswith(prefix):\n"
                "            print(path)\n")


def _seconds(duration):
    """Seconds in a duration as Loki and Promtail configurations write them ('5s', '1m30s', '336h', '1w')."""
    text = str(duration).strip()
    if text == "0":
        return 0.0
    parts = _DURATION.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError("%r is not a duration" % (duration,))
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def _get(tree, *keys):
    for key in keys:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


def _logcli(host, query, start_ns, end_ns=None):
    url = ("http://127.0.0.1:3100/loki/api/v1/query_range?query=%s&start=%d&limit=1000"
           % (urllib.parse.quote(query), start_ns))
    if end_ns is not None:
        url += "&end=%d" % end_ns
    return json.loads(_http(host, url))["data"]["result"]


def _loki_metric(host, name, **labels):
    """The sum of a metric of Loki's /metrics over its series that carry the given labels (0 when there is none)."""
    total = 0.0
    for line in _http(host, "http://127.0.0.1:3100/metrics").splitlines():
        series, dummy, value = line.rpartition(" ")
        metric, dummy, rest = series.partition("{")
        if metric == name and all('%s="%s"' % label in rest for label in labels.items()):
            total += float(value)
    return total


def _docker_discovery_seconds(host):
    """The longest a new running container waits before Promtail opens its log: a refresh, then the manager's delay."""
    promtail = yaml.safe_load(host.file(CONFIG_ROOT + "/promtail/promtail.yml").content_string)
    (job,) = [j for j in promtail["scrape_configs"] if j["job_name"] == "docker"]
    return _seconds(job["docker_sd_configs"][0].get("refresh_interval", "60s")) + DISCOVERY_UPDATE_DELAY


def _echo_json(marker, logger):
    """A shell command printing a JSON log line as the applications write them, with a per-request field."""
    return "echo %s" % shlex.quote(json.dumps({"level": "info", "logger": logger, "event": marker,
                                               "request_id": uuid.uuid4().hex}))


@pytest.mark.real_images
def test_a_container_log_line_is_queryable_in_loki_within_30_seconds(host):
    """A container that prints a line and keeps running past Promtail's next listing (refresh_interval plus the
    discovery manager's delay): the line is in Loki within 30 s of the container's start, labelled with the
    container's name, level and logger, and request_id stays in the line. A container that is gone before that
    listing loses its lines: see the next check."""
    require_real(host, "proxy-loki")
    require_real(host, "proxy-promtail")
    discovery = _docker_discovery_seconds(host)
    if discovery + 10 > 30:
        pytest.skip("Promtail may take %d s to discover a container here (promtail_docker_refresh_interval + %d s): "
                    "its line cannot be in Loki within 30 s" % (discovery, DISCOVERY_UPDATE_DELAY))
    marker = "probe-%s" % uuid.uuid4().hex
    host.run("docker rm -f proxy-log-probe")
    start, began = time.time_ns(), time.time()
    host.check_output("docker run -d --name proxy-log-probe --network proxy-network %s sh -c %s", PROBE_IMAGE,
                      "%s; sleep %d" % (_echo_json(marker, "probe"), discovery + 15))
    try:
        query = '{container_name="proxy-log-probe"} |= "%s"' % marker
        found = wait_for(lambda: _logcli(host, query, start), seconds=30 - (time.time() - began))
        assert found, "the line did not reach Loki within 30 s"
        labels = found[0]["stream"]
        assert (labels.get("level"), labels.get("logger")) == ("info", "probe"), labels
        assert "request_id" not in labels, labels
    finally:
        host.run("docker rm -f proxy-log-probe")


@pytest.mark.real_images
def test_a_container_that_exits_before_discovery_loses_its_lines(host):
    """The limit the README and the promtail role state: a container that prints and exits at once (docker run --rm,
    a migration, a cron job) is gone before Promtail lists the running containers again, and its lines never reach
    Loki. First a positive control: a container started after the short-lived one was removed, on the same network,
    with the same kind of line and the same query, is found, so Promtail has listed the containers since and the
    path to Loki works; only then is the short-lived container's line looked for, and it must be absent.
    (A listing could in principle fall into the few milliseconds the short-lived container runs, and Promtail open its
    log before Docker removes it; if this check ever fails, that, or a change of Promtail's discovery, is why.)"""
    require_real(host, "proxy-loki")
    require_real(host, "proxy-promtail")
    discovery = _docker_discovery_seconds(host)
    lost, kept = "lost-%s" % uuid.uuid4().hex, "kept-%s" % uuid.uuid4().hex
    query = '{container_name="%s"} |= "%s"'  # by container: Loki's own query log repeats the markers
    host.run("docker rm -f proxy-log-oneoff proxy-log-control")
    start = time.time_ns()
    host.check_output("docker run --rm --name proxy-log-oneoff --network proxy-network %s sh -c %s", PROBE_IMAGE,
                      _echo_json(lost, "oneoff"))
    try:
        host.check_output("docker run -d --name proxy-log-control --network proxy-network %s sh -c %s", PROBE_IMAGE,
                          "%s; sleep %d" % (_echo_json(kept, "control"), discovery + 15))
        assert wait_for(lambda: _logcli(host, query % ("proxy-log-control", kept), start), seconds=discovery + 25), \
            "positive control failed: a running container's line did not reach Loki, so an absent line proves nothing"
        time.sleep(DISCOVERY_UPDATE_DELAY)  # a line from the same listing would be in Loki by now
        assert not _logcli(host, query % ("proxy-log-oneoff", lost), start), (
            "the line of a container that exited before Promtail's next listing reached Loki: Promtail now catches "
            "short-lived containers, so the limit stated in README.md and roles/promtail/README.md no longer holds")
    finally:
        host.run("docker rm -f proxy-log-control")


@pytest.mark.real_images
def test_a_promtail_restart_ships_no_duplicates(host):
    require_real(host, "proxy-promtail")
    marker = "dup-%s" % uuid.uuid4().hex
    start = time.time_ns()
    host.check_output("docker run -d --name proxy-dup-probe localhost/proxy-obs/redis:7 sh -c %s",
                      "echo %s; sleep 120" % marker)
    query = '{container_name="proxy-dup-probe"} |= "%s"' % marker
    try:
        assert wait_for(lambda: _logcli(host, query, start), seconds=30)
        host.check_output("docker restart proxy-promtail")
        time.sleep(20)
        values = [v for stream in _logcli(host, query, start) for v in stream["values"]]
        assert len(values) == 1, values
    finally:
        host.run("docker rm -f proxy-dup-probe")


@pytest.mark.real_images
def test_retention_deletes_old_chunks(host):
    """The compactor deletes an expired chunk from the filesystem store.

    A line dated an hour past retention_period is pushed (Loki accepts it while it is younger than
    reject_old_samples_max_age) and the ingester is flushed (POST /flush, pkg/ingester/flush.go FlushHandler: every
    in-memory chunk is flushed at once). Before the flush no query finds it: Loki asks the ingesters only for the part
    of a query within querier.query_ingesters_within (3h by default, pkg/querier/intervals.go), and answers older
    ranges from the store. Positive controls after the flush: the chunk file appears in the store, and a query whose
    whole range is older than query_ingesters_within, so answered from the store only, returns the line. Then the
    chunk file must leave the disk, and the compactor's counters of marked and of deleted chunks rise
    (pkg/compactor/retention/metrics.go). The wait is bounded by Loki's fixed index intervals (up to about 17 min before
    the compactor can see the chunk) plus the compactor's settings, read from the deployed loki.yaml; the check is
    skipped, naming the variables to set, when they would make it longer than RETENTION_WAIT_LIMIT."""
    require_real(host, "proxy-loki")
    config = yaml.safe_load(host.file(CONFIG_ROOT + "/loki/loki.yaml").content_string)
    limits, compactor = config.get("limits_config") or {}, config.get("compactor") or {}
    needs = ("converge with loki_retention_period: 24h and loki_config_overrides: {compactor: {compaction_interval: "
             "1m, retention_delete_delay: 1m}}")
    # Loki 3.7.6 defaults (docs/sources/shared/configuration.md) where the file leaves a setting out.
    retention = _seconds(limits.get("retention_period", "0s"))
    if compactor.get("retention_enabled") is not True or not retention:
        pytest.skip("retention is off in the deployed loki.yaml")
    if config.get("auth_enabled", True):
        pytest.skip("auth_enabled: this check pushes and queries without a tenant")
    age = int(retention) + 3600  # expired: now - through > retention_period (pkg/compactor/retention/expiration.go)
    max_age = _seconds(limits.get("reject_old_samples_max_age", "1w"))
    if limits.get("reject_old_samples", True) and age + 600 > max_age:
        pytest.skip("Loki refuses lines older than reject_old_samples_max_age (%s), and a line that retention deletes "
                    "is older than retention_period (%s): %s" % (limits.get("reject_old_samples_max_age", "1w"),
                                                                 limits.get("retention_period"), needs))
    interval = _seconds(compactor.get("compaction_interval", "10m"))
    apply_interval = _seconds(compactor.get("apply_retention_interval", "0s"))
    if apply_interval in (0, interval):  # pkg/compactor/config.go Validate: retention runs off the compaction beat
        apply_interval = interval + min(600, interval / 2)
    delete_delay = _seconds(compactor.get("retention_delete_delay", "2h"))
    bound = int(TSDB_HEAD_PERIOD + TSDB_ROTATION_CHECK + INDEX_UPLOAD_INTERVAL + interval + apply_interval
                + delete_delay + SWEEPER_LIST_INTERVAL + 180)
    if bound > RETENTION_WAIT_LIMIT:
        pytest.skip("with compaction_interval %s and retention_delete_delay %s an expired chunk may stay %d min, more "
                    "than this check waits: %s" % (compactor.get("compaction_interval", "10m"),
                                                   compactor.get("retention_delete_delay", "2h"), bound // 60, needs))

    ts = int(time.time()) - age  # a whole second: the chunk's from and through are that millisecond
    day = time.strftime("%Y-%m-%d", time.gmtime(ts))
    period = [p for p in sorted(config["schema_config"]["configs"], key=lambda p: str(p["from"]))
              if str(p["from"]) <= day][-1]
    if period.get("object_store") != "filesystem":
        pytest.skip("the schema period of %s keeps its chunks in %s, not on the filesystem" % (day, period.get(
            "object_store")))
    table = "%s%d" % (period["index"]["prefix"], ts // int(_seconds(period["index"]["period"])))
    chunks = (_get(config, "storage_config", "filesystem", "directory")
              or _get(config, "common", "storage", "filesystem", "chunks_directory"))
    mounts = [m for m in _inspect(host, "proxy-loki")["Mounts"]
              if chunks == m["Destination"] or chunks.startswith(m["Destination"].rstrip("/") + "/")]
    assert mounts, "Loki's chunks directory %s is not on a mount" % chunks
    root = "%s%s/%s" % (mounts[0]["Source"], chunks[len(mounts[0]["Destination"].rstrip("/")):], NO_AUTH_TENANT)
    key_prefix = "%x:%x:" % (ts * 1000, ts * 1000)

    def chunk_files():
        return host.check_output("python3 -c %s %s %s", _FIND_CHUNKS, root, key_prefix).split()

    marked_metric = "loki_boltdb_shipper_retention_marker_count_total"
    deleted_metric = "loki_boltdb_shipper_retention_sweeper_chunk_deleted_duration_seconds_count"
    marked_before = _loki_metric(host, marked_metric, table=table)
    deleted_before = _loki_metric(host, deleted_metric, status="success")

    marker = "old-%s" % uuid.uuid4().hex
    stream = {"container_name": "retention-probe", "probe": marker}  # a stream of its own
    _http(host, "http://127.0.0.1:3100/loki/api/v1/push", json.dumps(
        {"streams": [{"stream": stream, "values": [[str(ts * 10**9), marker]]}]}))
    _http(host, "http://127.0.0.1:3100/flush", "", "POST")
    files = wait_for(chunk_files, seconds=60)
    assert files, "no chunk file of the line under %s after the flush" % root
    within = _seconds(_get(config, "querier", "query_ingesters_within") or "3h")
    if 0 < within < age - 60:
        query = '{container_name="retention-probe", probe="%s"}' % marker
        found = wait_for(lambda: _logcli(host, query, (ts - 1) * 10**9, (ts + 1) * 10**9), seconds=60)
        assert found and found[0]["values"][0][1] == marker, "the flushed line is not found in the store: %s" % found

    assert wait_for(lambda: not chunk_files(), seconds=bound, interval=15), (
        "the expired chunk is still on disk after %d s: %s" % (bound, files))
    assert _loki_metric(host, marked_metric, table=table) > marked_before, "the compactor marked no chunk of " + table
    assert _loki_metric(host, deleted_metric, status="success") > deleted_before, "the sweeper counted no deletion"

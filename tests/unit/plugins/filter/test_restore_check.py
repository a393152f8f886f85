# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.image_release import image_release
from ansible_collections.proxy_agent.observability.plugins.filter.restore_check import restore_check

SUM_P, SUM_A = "a" * 64, "b" * 64
MANIFEST = {
    "format": 1, "host": "mon1", "created": "2026-12-01T00:00:00Z",
    "archives": [
        {"component": "prometheus", "volume": "proxy_prometheus_data", "container": "proxy-prometheus",
         "image": "prom/prometheus:v3.5.0", "version": "3.5.0", "file": "prometheus.tar.gz", "size": 10,
         "sha256": SUM_P},
        {"component": "alertmanager", "volume": "proxy_alertmanager_data", "container": "proxy-alertmanager",
         "image": "prom/alertmanager:v0.28.1", "version": "0.28.1", "file": "alertmanager.tar.gz", "size": 5,
         "sha256": SUM_A},
    ],
}
RUNNING = {"prometheus": "prom/prometheus:v3.5.0", "alertmanager": "prom/alertmanager:v0.33.1"}
SUMS = {"prometheus.tar.gz": SUM_P, "alertmanager.tar.gz": SUM_A}


def _check(manifest=None, running=None, sums=None, host="mon1"):
    return restore_check(copy.deepcopy(MANIFEST) if manifest is None else manifest, host=host,
                         running=RUNNING if running is None else running, checksums=SUMS if sums is None else sums)


@pytest.mark.parametrize("ref, release", [
    ("prom/prometheus:v3.5.0", "3.5.0"),
    ("grafana/loki:2.9", "2.9.0"),
    ("localhost/proxy-obs/alertmanager:0.33.1", "0.33.1"),
    ("registry.example:5000/team/prometheus:v2.53.3-rc.0", "2.53.3"),
    ("grafana/grafana:10.4.2-ubuntu", "10.4.2"),
    ("prom/prometheus@sha256:" + "c" * 64, ""),
    ("prom/prometheus:main", ""),
    ("prom/prometheus", ""),
    ("Not A Reference", ""),
])
def test_image_release_reads_the_tag(ref, release):
    assert image_release(ref) == release


def test_an_intact_backup_for_releases_as_new_or_newer_passes_in_order():
    archives = _check()
    assert [a["component"] for a in archives] == ["prometheus", "alertmanager"]
    assert archives[0]["sha256"] == SUM_P and archives[1]["volume"] == "proxy_alertmanager_data"


def test_another_prefix_now_still_restores_by_component():
    running = {"prometheus": "prom/prometheus:v3.6.0", "alertmanager": "prom/alertmanager:v0.28.1"}
    assert len(_check(running=running)) == 2


def _bad(message, **kwargs):
    with pytest.raises(AnsibleFilterError) as err:
        _check(**kwargs)
    text = str(err.value)
    assert text.startswith("restore_dir: "), text
    assert "Fix: " in text, text
    assert message in text, text
    return text


def test_a_damaged_archive_is_refused_naming_both_checksums():
    text = _bad("has sha256 " + "d" * 64 + ", the manifest lists " + SUM_A,
                sums={"prometheus.tar.gz": SUM_P, "alertmanager.tar.gz": "d" * 64})
    assert "Nothing was restored" in text


def test_a_missing_archive_is_refused():
    _bad("the archive alertmanager.tar.gz of mon1 (alertmanager) is missing", sums={"prometheus.tar.gz": SUM_P})


def test_an_archive_from_a_newer_release_is_refused():
    text = _bad("made by 3.5.0 (prom/prometheus:v3.5.0), newer than the 2.53.3 that runs",
                running=dict(RUNNING, prometheus="prom/prometheus:v2.53.3"))
    assert "converge with prometheus 3.5.0 or later first" in text


def test_a_component_that_does_not_run_is_refused():
    _bad("alertmanager does not run on mon1", running={"prometheus": "prom/prometheus:v3.5.0"})


def test_an_unreadable_release_is_refused():
    _bad("cannot be read from its tag", running=dict(RUNNING, prometheus="prom/prometheus@sha256:" + "c" * 64))


def test_another_hosts_manifest_is_refused():
    _bad("was written for host 'mon1'", host="mon2")


@pytest.mark.parametrize("mutate, message", [
    (lambda m: m.update(format=2), "is not a backup manifest of format 1"),
    (lambda m: m.update(archives="x"), "is not a backup manifest of format 1"),
    (lambda m: m["archives"][0].pop("sha256"), "lacks some of"),
    (lambda m: m["archives"][0].update(file="../etc/passwd.tar.gz"), "is not a plain file name"),
    (lambda m: m["archives"][1].update(file="prometheus.tar.gz"), "is listed twice"),
    (lambda m: m["archives"][0].update(sha256="xyz"), "lists no valid sha256"),
])
def test_a_malformed_manifest_is_refused(mutate, message):
    manifest = copy.deepcopy(MANIFEST)
    mutate(manifest)
    _bad(message, manifest=manifest)

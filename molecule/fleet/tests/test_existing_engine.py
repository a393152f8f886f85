# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A production host keeps its own setup (issue 11, "Leave the host's own setup alone").

The hosts of group existing_engine had, before the converge (prepare.yml, which recorded it in BEFORE): Docker
installed and running, a daemon.json of their own (labels, max-concurrent-downloads, a data-root of their own,
live-restore not set) and a container of their own. The converge (and the one in side_effect.yml) must merge
live-restore into that file and apply it by a reload: the host's keys stay, the engine keeps running (same process)
on its own data-root, the host's container is never stopped, and no package is installed next to the engine, although
the inventory asks for docker_ce on these hosts.

This file runs before test_fleet.py (pytest collects files in name order), whose tests stop containers on purpose.
"""
from __future__ import annotations

import json
import re

import pytest

from conftest import PLATFORMS

EXISTING_ENGINE = [p["name"] for p in PLATFORMS if "existing_engine" in p["groups"]]
BEFORE = "/var/tmp/existing-engine-before.json"


@pytest.fixture(name="production", params=EXISTING_ENGINE)
def fixture_production(request, fleet):
    """(testinfra host, what prepare.yml recorded on it) for each existing_engine host."""
    host = fleet[request.param]
    return host, json.loads(host.file(BEFORE).content_string)


def _docker_json(host, *args):
    return json.loads(host.check_output("docker " + " ".join(["%s"] * len(args)), *args))


def test_the_scenario_has_a_production_host():
    assert EXISTING_ENGINE, "no platform of molecule.yml is in group existing_engine"


def test_the_hosts_own_daemon_json_keys_are_kept_and_live_restore_is_merged_in(production):
    host, before = production
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    kept = {key: config.get(key) for key in before["daemon_json"]}
    assert kept == before["daemon_json"], "the host's own keys changed: %s" % config
    assert config["live-restore"] is True, config
    # Daemon-wide settings that would change the host's other containers are not added.
    assert not {"no-new-privileges", "log-driver", "log-opts"} & set(config), config


def test_the_engine_runs_on_the_hosts_data_root_with_live_restore_on(production):
    host, before = production
    info = _docker_json(host, "info", "--format", "{{json .}}")
    assert info["DockerRootDir"] == before["daemon_json"]["data-root"]
    assert info["LiveRestoreEnabled"] is True
    assert set(before["daemon_json"]["labels"]) <= set(info["Labels"]), info["Labels"]


def test_the_engine_was_reloaded_not_restarted(production):
    host, before = production
    pid = host.check_output("systemctl show --property=MainPID --value docker.service").strip()
    assert pid == before["engine_pid"], "dockerd restarted: process %s before the converge, %s now" % (
        before["engine_pid"], pid)


def test_the_hosts_own_container_kept_running(production):
    host, before = production
    own = before["container"]
    state = _docker_json(host, "inspect", own["name"])[0]
    assert state["Id"] == own["id"], "the host's container %s was replaced" % own["name"]
    assert state["State"]["Running"], state["State"]
    assert state["State"]["StartedAt"] == own["started_at"], "the host's container %s was restarted" % own["name"]


def test_new_containers_of_the_host_get_no_daemon_wide_no_new_privileges(production):
    host = production[0]
    status = host.check_output("docker run --rm --entrypoint /bin/sh localhost/proxy-obs/redis:7 "
                               "-c 'grep NoNewPrivs /proc/self/status'")
    assert status.split() == ["NoNewPrivs:", "0"]


def test_no_package_was_installed_next_to_the_existing_engine(production):
    host, before = production
    lines = host.file("/var/log/dpkg.log").content_string.splitlines()[before["dpkg_log_lines"]:]
    changes = [line for line in lines if re.match(r"^\S+ \S+ (install|upgrade|remove|purge) ", line)]
    assert not changes, "packages changed after the host's engine was installed:\n%s" % "\n".join(changes)

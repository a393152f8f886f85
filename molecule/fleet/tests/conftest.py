# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet scenario's hosts, read from molecule.yml (one place): names, addresses, groups and settings.

Tests that look at the whole fleet take the `fleet` fixture (testinfra hosts by name) instead of testinfra's
per-host `host`, so that they run once.
"""
from __future__ import annotations

import json
import os
import time
import urllib.request

import pytest
import testinfra
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "molecule.yml"), encoding="utf-8") as _handle:
    SCENARIO = yaml.safe_load(_handle)
SETTINGS = SCENARIO["provisioner"]["inventory"]["group_vars"]["all"]
PLATFORMS = SCENARIO["platforms"]
ADDRESS = {p["name"]: p["networks"][0]["ipv4_address"] for p in PLATFORMS}
PREFIX = SETTINGS["observability_prefix"]
MONITORING = [p["name"] for p in PLATFORMS if SETTINGS["observability_monitoring_group"] in p["groups"]]
DATABASES = [p["name"] for p in PLATFORMS if SETTINGS["observability_postgres_group"] in p["groups"]]
# The host in no stack group that side_effect.yml adds to the collectors.
JOINED = [p["name"] for p in PLATFORMS if p["groups"] == ["spare"]]
AGENTS = [p["name"] for p in PLATFORMS if SETTINGS["observability_agents_group"] in p["groups"]] + JOINED
STACK = [p["name"] for p in PLATFORMS if p["name"] in MONITORING + AGENTS]
SINK_HOST = SETTINGS["webhook_sink_host"]
SINK_LOG = "/var/log/webhook-sink.jsonl"


def container(component):
    """The container of a component, as the collection names it (the catalogue's rule)."""
    return "%s-%s" % (PREFIX, component.replace("_", "-"))


def http_json(url, timeout=10, auth=None):
    """GET url from the test runner (the test network is reachable from it) and parse the JSON answer."""
    request = urllib.request.Request(url)
    if auth:
        import base64  # pylint: disable=import-outside-toplevel
        request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
    with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec: the scenario's own test network
        return json.loads(response.read().decode())


def wait_for(predicate, seconds=180, step=3):
    """Poll predicate until it returns something true or seconds pass; return its last result."""
    deadline = time.time() + seconds
    while True:
        result = predicate()
        if result or time.time() > deadline:
            return result
        time.sleep(step)


@pytest.fixture(scope="session", name="fleet")
def fixture_fleet():
    """Testinfra hosts of the scenario by name."""
    inventory = os.environ.get("MOLECULE_INVENTORY_FILE")
    return {name: testinfra.get_host("ansible://%s" % name, ansible_inventory=inventory) for name in ADDRESS}


def pytest_configure(config):
    config.addinivalue_line("markers", "real_images: needs the real upstream image; skipped on a test stand-in")


@pytest.fixture(name="real_loki")
def fixture_real_loki(fleet):
    """Skip unless the fleet's Loki runs the real upstream image (not a test stand-in)."""
    host = fleet[MONITORING[0]]
    image = host.check_output("docker inspect --format '{{.Image}}' %s", container("loki"))
    labels = json.loads(host.check_output("docker image inspect --format '{{json .Config.Labels}}' %s", image)) or {}
    if labels.get("io.proxy-agent.observability.test-double") == "true":
        pytest.skip("Loki runs on a test stand-in here; this check needs the real upstream image")

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet scenario's hosts, read from molecule.yml (one place): names, addresses, groups and settings.

Tests that look at the whole fleet take the `fleet` fixture (testinfra hosts by name) instead of testinfra's
per-host `host`, so that they run once.
"""
from __future__ import annotations

import base64
import json
import os
import ssl
import time
import urllib.error
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


# TLS and basic auth of the components that serve a web configuration (observability_web_tls,
# observability_web_auth_password), by their catalogue port: Prometheus, Alertmanager, node-exporter,
# postgres-exporter, redis_exporter.
WEB_TLS = bool(SETTINGS.get("observability_web_tls"))
WEB_AUTH = (SETTINGS.get("observability_web_auth_username", "observability"),
            SETTINGS["observability_web_auth_password"]) if SETTINGS.get("observability_web_auth_password") else None
WEB_PORTS = {"prometheus": 9090, "alertmanager": 9093, "node_exporter": 9100, "postgres_exporter": 9187,
             "redis_exporter": 9121}
# The internal CA's certificate, on the controller (the runner).
CA_CERT = os.path.join(os.path.expandvars(SETTINGS.get("observability_tls_ca_dir", "")), "ca.crt")


def web_url(address, component, path=""):
    """The URL of a component that serves a web configuration, with the scheme the stack serves it with."""
    return "%s://%s:%d%s" % ("https" if WEB_TLS else "http", address, WEB_PORTS[component], path)


def ssl_context():
    """A client context that trusts the internal CA only."""
    return ssl.create_default_context(cafile=CA_CERT)


def http_request(url, timeout=10, auth=None):
    """GET url from the test runner; an https URL is verified with the internal CA. Returns (status, body)."""
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
    context = ssl_context() if url.startswith("https://") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # nosec: test network
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def http_json(url, timeout=10, auth=None):
    """GET url from the test runner (the test network is reachable from it) and parse the JSON answer. A URL of a
    component that serves a web configuration gets the stack's user unless auth is given."""
    if auth is None and WEB_AUTH and any(":%d/" % port in url for port in WEB_PORTS.values()):
        auth = WEB_AUTH
    status, body = http_request(url, timeout, auth)
    assert status == 200, (url, status, body)
    return json.loads(body)


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

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS and basic auth of the components that serve a web configuration (observability_web_tls and
observability_web_auth_password are on in this scenario's molecule.yml): every one answers HTTPS only, with a
certificate of the internal CA for the address the other hosts use, refuses a request without the password, and the
stack's own clients (Prometheus' scrapes and Alertmanagers, Grafana's datasources) use the credentials."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest

from conftest import ADDRESS, AGENTS, DATABASES, JOINED, MONITORING, SETTINGS, WEB_AUTH, WEB_TLS
from conftest import container, http_json, http_request, wait_for, web_url

pytestmark = pytest.mark.skipif(not (WEB_TLS and WEB_AUTH), reason="the scenario does not turn TLS and auth on")

# Where each component that serves a web configuration runs, reached at its host's address (published there because
# the other monitoring host's Prometheus scrapes it).
SERVED = [(name, "prometheus", "/-/ready") for name in MONITORING] \
    + [(name, "alertmanager", "/-/ready") for name in MONITORING] \
    + [(name, "node_exporter", "/metrics") for name in AGENTS if name not in JOINED] \
    + [(name, "postgres_exporter", "/metrics") for name in DATABASES]
IDS = ["%s-%s" % (name, component) for name, component, dummy in SERVED]
OPERATOR = ("operator", SETTINGS["observability_web_auth_users"]["operator"])
GRAFANA_AUTH = ("admin", SETTINGS.get("grafana_admin_password", "molecule-admin-password"))


@pytest.mark.parametrize("name, component, path", SERVED, ids=IDS)
def test_a_request_without_the_password_is_refused(name, component, path):
    status, dummy = http_request(web_url(ADDRESS[name], component, path))
    assert status == 401


@pytest.mark.parametrize("name, component, path", SERVED, ids=IDS)
def test_a_request_with_a_wrong_password_is_refused(name, component, path):
    status, dummy = http_request(web_url(ADDRESS[name], component, path), auth=(WEB_AUTH[0], "wrong"))
    assert status == 401


@pytest.mark.parametrize("name, component, path", SERVED, ids=IDS)
def test_the_stacks_user_and_the_extra_users_are_let_in_over_tls_verified_with_the_internal_ca(name, component, path):
    assert http_request(web_url(ADDRESS[name], component, path), auth=WEB_AUTH)[0] == 200
    if component != "redis_exporter":  # one user only there
        assert http_request(web_url(ADDRESS[name], component, path), auth=OPERATOR)[0] == 200


@pytest.mark.parametrize("name, component, path", SERVED, ids=IDS)
def test_plain_http_gets_no_answer_from_the_service(name, component, path):
    url = web_url(ADDRESS[name], component, path).replace("https://", "http://", 1)
    try:
        status, body = http_request(url, auth=WEB_AUTH)
    except (urllib.error.URLError, ConnectionError):
        return  # the connection was closed: fine
    # Go's TLS server answers a plain HTTP request with 400 and nothing else.
    assert status == 400 and "HTTPS" in body, (url, status, body)


@pytest.mark.parametrize("name, component, path", SERVED[:1] + SERVED[-1:], ids=IDS[:1] + IDS[-1:])
def test_a_client_that_does_not_trust_the_internal_ca_refuses_the_certificate(name, component, path):
    context = ssl.create_default_context()  # the system's CAs only
    with pytest.raises(urllib.error.URLError) as error:
        urllib.request.urlopen(web_url(ADDRESS[name], component, path), timeout=10, context=context)  # nosec
    assert isinstance(error.value.reason, ssl.SSLCertVerificationError), error.value


def test_every_prometheus_scrapes_the_secured_components_over_https_and_every_target_is_up():
    secured_jobs = {"node", "postgres", "alertmanager", "prometheus"}
    for monitor in MONITORING:
        def all_up(monitor=monitor):
            targets = http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/targets?state=active"))["data"][
                "activeTargets"]
            return targets if targets and all(t["health"] == "up" for t in targets) else None
        targets = wait_for(all_up, seconds=120)
        assert targets, http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/targets?state=active"))
        jobs = {t["labels"]["job"] for t in targets if t["scrapeUrl"].startswith("https://")}
        assert jobs == secured_jobs, (monitor, sorted(jobs))


def test_prometheus_keeps_the_password_in_a_file_never_in_its_configuration():
    for monitor in MONITORING:
        config = http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/status/config"))["data"]["yaml"]
        assert WEB_AUTH[1] not in config
        assert "password_file: /etc/prometheus/web-password" in config
        assert "ca_file: /etc/prometheus/web-ca.crt" in config


def test_prometheus_sends_to_every_alertmanager_over_https():
    for monitor in MONITORING:
        managers = http_json(web_url(ADDRESS[monitor], "prometheus", "/api/v1/alertmanagers"))["data"]
        urls = sorted(m["url"] for m in managers["activeAlertmanagers"])
        assert len(urls) == len(MONITORING) and all(url.startswith("https://") for url in urls), urls
        assert not managers["droppedAlertmanagers"]


def test_grafana_provisions_the_secured_datasources_with_basic_auth_and_the_ca():
    for monitor in MONITORING:
        sources = {d["type"]: d for d in http_json("http://%s:3001/api/datasources" % ADDRESS[monitor],
                                                   auth=GRAFANA_AUTH)}
        for kind in ("prometheus", "alertmanager"):
            assert sources[kind]["url"].startswith("https://"), sources[kind]
            assert sources[kind]["basicAuth"] is True, sources[kind]
        assert not sources["loki"]["basicAuth"]


@pytest.mark.parametrize("component, uid", [("prometheus", 65534), ("node_exporter", 65534)])
def test_the_key_is_readable_by_the_components_user_alone_and_the_web_config_holds_hashes_only(fleet, component,
                                                                                               uid):
    host = fleet[MONITORING[0]]
    directory = "/etc/proxy-observability/%s" % component
    key = host.file(directory + "/web.key")
    assert key.exists and key.uid == uid and key.mode == 0o400
    web = host.file(directory + "/web.yml").content_string
    assert WEB_AUTH[1] not in web and "$2b$" in web
    assert "cert_file: /etc/%s/web.crt" % component in web


def test_the_host_key_never_leaves_its_host_directory_readable(fleet):
    for name in MONITORING:
        private = fleet[name].file("/etc/proxy-observability/tls/private")
        assert private.mode == 0o700 and private.uid == 0
        assert fleet[name].file("/etc/proxy-observability/tls/private/web.key").mode == 0o400


def test_the_internal_ca_key_stays_on_the_controller(fleet):
    for name in ADDRESS:
        result = fleet[name].run("grep -rl 'PRIVATE KEY' /etc/proxy-observability 2>/dev/null || true")
        # The host's own key, and its copies for the components' users, only: never the CA's.
        for path in result.stdout.split():
            assert path.endswith("/web.key"), (name, path)
    containers = json.loads(fleet[MONITORING[0]].check_output("docker inspect %s", container("prometheus")))
    assert not any(WEB_AUTH[1] in arg for arg in containers[0]["Args"])

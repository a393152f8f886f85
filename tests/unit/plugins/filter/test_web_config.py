# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS and basic auth: bcrypt hashes with a stable salt, the web configuration of each component (web_config), the
client files (web_client_files), the certificate names, and every consumer of the endpoints (scrape jobs, Prometheus'
Alertmanagers, Grafana's datasources, the play's probes)."""
from __future__ import annotations

import builtins

import bcrypt
import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.certificate_names import certificate_names
from ansible_collections.proxy_agent.observability.plugins.filter.endpoint_url import endpoint_url
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_endpoints import fleet_endpoints
from ansible_collections.proxy_agent.observability.plugins.filter.grafana_datasources import grafana_datasources
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_config import prometheus_config
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_scrape_configs import \
    prometheus_scrape_configs
from ansible_collections.proxy_agent.observability.plugins.filter.stack_summary import stack_summary
from ansible_collections.proxy_agent.observability.plugins.filter.web_client_files import web_client_files
from ansible_collections.proxy_agent.observability.plugins.filter.web_config import web_config
from ansible_collections.proxy_agent.observability.plugins.plugin_utils import _web
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet

CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
SECURE = {"observability_web_tls": True, "observability_web_auth_password": "s3cret"}


def host(address, *groups, **settings):
    return dict({"group_names": list(groups), "ansible_facts": {"default_ipv4": {"address": address}}}, **settings)


def stack(**settings):
    """mon1 (monitoring and agents) and app1 (agents), every host with the same settings."""
    hostvars = {"mon1": host("10.0.0.1", "monitoring", "agents", **settings),
                "app1": host("10.0.0.2", "agents", **settings)}
    return build_fleet(hostvars, {"all": ["mon1", "app1"], "monitoring": ["mon1"], "agents": ["mon1", "app1"]})


# bcrypt with a stable salt

def test_the_salt_is_stable_per_host_and_user_and_differs_between_them():
    assert _web.salt("mon1", "observability") == _web.salt("mon1", "observability")
    assert len({_web.salt("mon1", "observability"), _web.salt("mon2", "observability"),
                _web.salt("mon1", "operator")}) == 3


@pytest.mark.parametrize("host_, user", [("mon1", "observability"), ("a.example.com", "operator"), ("h", "ü")])
def test_the_salt_is_22_characters_of_bcrypts_alphabet_that_bcrypt_keeps_as_they_are(host_, user):
    salt = _web.salt(host_, user)
    assert len(salt) == 22 and set(salt) <= set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    assert _web.bcrypt_hash("pw", host_, user)[7:29] == salt


def test_the_hash_verifies_with_bcrypt_and_a_converge_writes_the_same_hash_again():
    hashed = _web.bcrypt_hash("s3cret", "mon1", "observability")
    assert hashed.startswith("$2b$10$")
    assert bcrypt.checkpw(b"s3cret", hashed.encode())
    assert not bcrypt.checkpw(b"other", hashed.encode())
    assert _web.bcrypt_hash("s3cret", "mon1", "observability") == hashed
    assert _web.bcrypt_hash("s3cret", "mon2", "observability") != hashed


def test_without_the_bcrypt_library_the_error_names_the_variable_and_the_fix(monkeypatch):
    real_import = builtins.__import__

    def no_bcrypt(name, *args, **kwargs):
        if name == "bcrypt":
            raise ImportError("No module named 'bcrypt'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_bcrypt)
    with pytest.raises(AnsibleFilterError) as error:
        web_config("node_exporter", "app1", password="s3cret")
    assert str(error.value).startswith("observability_web_auth_password: is set, but the Python library bcrypt")
    assert "pip install bcrypt" in str(error.value)


# web_config

def test_nothing_is_written_when_neither_tls_nor_a_password_is_set():
    assert web_config("node_exporter", "app1") == {"files": {}, "secret_files": {}, "flags": []}


def test_a_component_without_a_web_configuration_gets_nothing():
    assert web_config("loki", "mon1", tls=True, password="s3cret", cert=CERT, key=KEY) == \
        {"files": {}, "secret_files": {}, "flags": []}


def test_the_web_configuration_serves_tls_and_requires_every_user():
    result = web_config("node_exporter", "app1", tls=True, password="s3cret", users={"alice": "wonder"},
                        cert=CERT, key=KEY)
    assert result["flags"] == ["--web.config.file=/etc/node_exporter/web.yml"]
    assert result["files"]["web.crt"] == CERT
    assert result["secret_files"] == {"web.key": KEY}
    content = yaml.safe_load(result["files"]["web.yml"])
    assert content["tls_server_config"] == {"cert_file": "/etc/node_exporter/web.crt",
                                            "key_file": "/etc/node_exporter/web.key", "min_version": "TLS12"}
    assert sorted(content["basic_auth_users"]) == ["alice", "observability"]
    assert bcrypt.checkpw(b"s3cret", content["basic_auth_users"]["observability"].encode())
    assert bcrypt.checkpw(b"wonder", content["basic_auth_users"]["alice"].encode())
    assert "s3cret" not in result["files"]["web.yml"]


def test_basic_auth_alone_writes_no_certificate():
    result = web_config("prometheus", "mon1", password="s3cret")
    assert list(result["files"]) == ["web.yml"] and result["secret_files"] == {}
    assert list(yaml.safe_load(result["files"]["web.yml"])) == ["basic_auth_users"]


def test_redis_exporter_gets_its_own_flags_with_the_hash_never_the_password():
    result = web_config("redis_exporter", "app1", tls=True, password="s3cret", cert=CERT, key=KEY)
    assert result["flags"][:3] == ["--tls-server-cert-file=/etc/redis_exporter/web.crt",
                                   "--tls-server-key-file=/etc/redis_exporter/web.key",
                                   "--basic-auth-username=observability"]
    hashed = result["flags"][3].split("=", 1)[1]
    assert result["flags"][3].startswith("--basic-auth-hash-password=$2b$")
    assert bcrypt.checkpw(b"s3cret", hashed.encode())
    assert "web.yml" not in result["files"] and not any("s3cret" in flag for flag in result["flags"])


@pytest.mark.parametrize("kwargs, message", [
    ({"password": "x" * 73}, "observability_web_auth_password: is 73 bytes long, but bcrypt uses only the first 72 "
     "bytes of a password. Fix: use a password of at most 72 bytes"),
    ({"password": "ä" * 37}, "observability_web_auth_password: is 74 bytes long"),
    ({"users": {"alice": "pw"}}, "observability_web_auth_users: is set, but observability_web_auth_password is empty"),
    ({"password": "pw", "users": {"alice": ""}}, "observability_web_auth_users['alice']: is empty"),
    ({"password": "pw", "users": {"observability": "pw2"}}, "observability_web_auth_users: names 'observability'"),
    ({"password": "pw", "username": "a:b"}, "observability_web_auth_username: 'a:b' is not a basic auth user name"),
    ({"tls": "maybe"}, "observability_web_tls: must be true or false, got 'maybe'"),
    ({"tls": True}, "observability_tls_cert: TLS is on (observability_web_tls) but host app1 has no certificate"),
])
def test_bad_settings_fail_naming_the_variable(kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        web_config("node_exporter", "app1", **kwargs)
    assert str(error.value).startswith(message)


def test_redis_exporter_refuses_more_than_one_user():
    with pytest.raises(AnsibleFilterError) as error:
        web_config("redis_exporter", "app1", password="pw", users={"alice": "pw2"})
    assert str(error.value).startswith("observability_web_auth_users: is set, but redis_exporter takes one user only")


# web_client_files

def test_a_client_keeps_the_ca_certificate_and_the_password_under_the_endpoints_names():
    assert web_client_files(True, password="s3cret", ca_cert=CERT) == {
        "files": {"web-ca.crt": CERT}, "secret_files": {"web-password": "s3cret"}}
    assert web_client_files(False) == {"files": {}, "secret_files": {}}


@pytest.mark.parametrize("kwargs, message", [
    ({"cert": CERT}, "observability_tls_key: is empty, but the certificate settings go together"),
    ({"cert": CERT, "key": KEY}, "observability_tls_ca_cert: is empty"),
    ({"cert": "not pem", "key": KEY, "ca_cert": CERT}, "observability_tls_cert: is not PEM"),
])
def test_the_preflight_refuses_incomplete_certificate_settings(kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        web_client_files(True, preflight=True, **kwargs)
    assert str(error.value).startswith(message)


def test_the_client_needs_the_ca_certificate_with_tls():
    with pytest.raises(AnsibleFilterError) as error:
        web_client_files(True)
    assert str(error.value).startswith("observability_tls_ca_cert: TLS is on")


# The endpoint model and its consumers

def test_endpoints_of_a_secured_component_carry_https_and_where_the_client_finds_the_ca_and_password():
    [ep] = fleet_endpoints(stack(**SECURE), "node_exporter", "mon1", select="preferred")
    assert ep["scheme"] == "https"
    assert ep["tls"] == {"ca_file": "web-ca.crt"}
    assert ep["basic_auth"] == {"username": "observability", "password_file": "web-password"}
    assert endpoint_url(ep, "/metrics") == "https://proxy-node-exporter:9100/metrics"


def test_components_without_a_web_configuration_keep_http_and_no_credentials():
    [ep] = fleet_endpoints(stack(**SECURE), "loki", "mon1")
    assert (ep["scheme"], ep["tls"], ep["basic_auth"]) == ("http", None, None)


def test_endpoints_stay_plain_by_default():
    [ep] = fleet_endpoints(stack(), "prometheus", "mon1")
    assert (ep["scheme"], ep["tls"], ep["basic_auth"]) == ("http", None, None)


def test_the_play_on_the_host_reaches_its_own_instance_at_the_published_port():
    [ep] = fleet_endpoints(stack(**SECURE), "node_exporter", "app1", select="preferred", published=True)
    assert (ep["address"], ep["port"]) == ("10.0.0.2", 9100)
    [ep] = fleet_endpoints(stack(**SECURE), "prometheus", "mon1", select="preferred", published=True)
    assert (ep["address"], ep["port"]) == ("127.0.0.1", 9090)  # the UI on loopback only


def test_the_certificate_names_every_address_its_clients_use():
    names = certificate_names(stack(**SECURE), "mon1")
    for expected in ("DNS:localhost", "DNS:mon1", "DNS:proxy-prometheus", "DNS:prometheus",
                     "DNS:proxy-node-exporter", "DNS:node-exporter", "IP:127.0.0.1", "IP:::1", "IP:10.0.0.1"):
        assert expected in names
    assert "DNS:proxy-loki" not in names  # Loki serves no TLS
    assert len(names) == len(set(names))


def test_prometheus_scrapes_secured_components_over_https_with_the_password_from_a_file():
    jobs = {job["job_name"]: job for job in prometheus_scrape_configs(stack(**SECURE), "mon1")["scrape_configs"]}
    assert jobs["node"]["scheme"] == "https"
    assert jobs["node"]["tls_config"] == {"ca_file": "/etc/prometheus/web-ca.crt"}
    assert jobs["node"]["basic_auth"] == {"username": "observability", "password_file": "/etc/prometheus/web-password"}
    assert "password" not in jobs["node"]["basic_auth"]
    assert "scheme" not in jobs["loki"] and "basic_auth" not in jobs["loki"]


def test_prometheus_sends_to_secured_alertmanagers_over_https_with_the_password_from_a_file():
    alertmanagers = fleet_endpoints(stack(**SECURE), "alertmanager", "mon1")
    config = prometheus_config([], {}, alertmanagers, [])
    assert config["alerting"]["alertmanagers"] == [{
        "api_version": "v2", "scheme": "https", "static_configs": [{"targets": ["proxy-alertmanager:9093"]}],
        "tls_config": {"ca_file": "/etc/prometheus/web-ca.crt"},
        "basic_auth": {"username": "observability", "password_file": "/etc/prometheus/web-password"}}]


def test_grafana_reaches_secured_datasources_with_basic_auth_and_the_ca_from_files():
    sources = {ds["type"]: ds for ds in grafana_datasources(stack(**SECURE), "mon1")["datasources"]}
    prometheus = sources["prometheus"]
    assert prometheus["url"] == "https://proxy-prometheus:9090"
    assert prometheus["basicAuth"] is True and prometheus["basicAuthUser"] == "observability"
    assert prometheus["jsonData"]["tlsAuthWithCACert"] is True
    assert prometheus["secureJsonData"] == {"basicAuthPassword": "$__file{/etc/grafana/web-password}",
                                            "tlsCACert": "$__file{/etc/grafana/web-ca.crt}"}
    assert "basicAuth" not in sources["loki"] and "secureJsonData" not in sources["loki"]


def test_the_summary_shows_https_urls_for_the_containers_that_serve_tls():
    engine = {"containers": [
        {"Names": ["/proxy-node-exporter"], "State": "running", "Status": "Up",
         "Ports": [{"IP": "10.0.0.2", "PrivatePort": 9100, "PublicPort": 9100, "Type": "tcp"}]},
        {"Names": ["/proxy-cadvisor"], "State": "running", "Status": "Up",
         "Ports": [{"IP": "10.0.0.2", "PrivatePort": 8080, "PublicPort": 8080, "Type": "tcp"}]}]}
    lines = stack_summary(engine, https=["proxy-node-exporter"])
    assert "container: proxy-node-exporter running, no healthcheck at https://10.0.0.2:9100" in lines
    assert "container: proxy-cadvisor running, no healthcheck at http://10.0.0.2:8080" in lines


def test_an_ini_inventorys_true_turns_tls_on_for_the_clients_too():
    [ep] = fleet_endpoints(stack(observability_web_tls="true"), "prometheus", "mon1")
    assert ep["scheme"] == "https"

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""jaeger_config: how to run Jaeger v2 (YAML) or the last 1.x (environment), and the family checks.

Expected layouts read from upstream (jaegertracing/jaeger):
  v2   cmd/jaeger/config-badger.yaml and cmd/jaeger/internal/all-in-one.yaml at v2.20.0 (extensions jaeger_storage,
       jaeger_query, healthcheckv2; otlp receiver; jaeger_storage_exporter; telemetry metrics pull reader)
  1.x  internal/storage/v1/badger/options.go (badger.directory-key/-value, .ephemeral, .span-store-ttl),
       cmd/collector/app/flags/flags.go (collector.zipkin.host-port), internal/config/config.go (flags read from
       the environment, '.' and '-' as '_') and cmd/all-in-one/Dockerfile (exposed ports) at v1.76.0
"""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.jaeger_config import jaeger_config


def test_v2_listens_on_every_interface_and_keeps_spans_in_badger_on_the_volume():
    run = jaeger_config({}, "2.20.0")
    assert run["family"] == 2
    assert run["flags_check"] is None
    assert run["command"] == ["--config=/etc/jaeger/config.yaml"]
    assert run["env"] == {} and run["extra_ports"] == []
    assert run["ready"] == {"port": 13133, "path": "/status"}
    config = run["config"]
    assert config["receivers"]["otlp"]["protocols"] == {
        "grpc": {"endpoint": "0.0.0.0:4317"}, "http": {"endpoint": "0.0.0.0:4318"}}
    assert config["extensions"]["jaeger_query"] == {
        "storage": {"traces": "main"}, "http": {"endpoint": "0.0.0.0:16686"}}
    assert config["extensions"]["healthcheckv2"] == {"use_v2": True, "http": {"endpoint": "0.0.0.0:13133"}}
    assert config["extensions"]["jaeger_storage"]["backends"]["main"]["badger"] == {
        "directories": {"keys": "/badger/keys", "values": "/badger/values"}, "ephemeral": False,
        "ttl": {"spans": "168h"}}
    assert config["service"]["extensions"] == ["jaeger_storage", "jaeger_query", "healthcheckv2"]
    assert config["service"]["pipelines"]["traces"] == {"receivers": ["otlp"], "processors": ["batch"],
                                                        "exporters": ["jaeger_storage_exporter"]}
    assert config["exporters"] == {"jaeger_storage_exporter": {"trace_storage": "main"}}
    reader = config["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"]
    assert reader == {"host": "0.0.0.0", "port": 14269}


def test_v2_takes_the_span_ttl_log_level_and_overrides():
    run = jaeger_config({"span_ttl": "72h30m", "log_level": "debug",
                         "overrides": {"processors": {"batch": {"timeout": "2s"}}}}, "v2.22.0")
    assert run["config"]["extensions"]["jaeger_storage"]["backends"]["main"]["badger"]["ttl"] == {"spans": "72h30m"}
    assert run["config"]["service"]["telemetry"]["logs"] == {"level": "debug"}
    assert run["config"]["processors"] == {"batch": {"timeout": "2s"}}


def test_v1_is_the_seeds_layout_through_the_environment():
    run = jaeger_config({"span_ttl": "48h"}, "1.76.0", bind="10.0.0.5")
    assert run["family"] == 1 and run["config"] is None and run["command"] == []
    # The 1.x image has its own binary, which the flags check runs instead of the catalogue's v2 one.
    assert run["flags_check"] == {"entrypoint": "/go/bin/all-in-one-linux", "args": ["--help"]}
    assert run["env"]["SPAN_STORAGE_TYPE"] == "badger"
    assert run["env"]["BADGER_EPHEMERAL"] == "false"
    assert run["env"]["BADGER_DIRECTORY_KEY"] == "/badger/keys"
    assert run["env"]["BADGER_DIRECTORY_VALUE"] == "/badger/values"
    assert run["env"]["BADGER_SPAN_STORE_TTL"] == "48h"
    assert run["env"]["COLLECTOR_ZIPKIN_HOST_PORT"] == ":9411"
    assert run["env"]["ADMIN_HTTP_HOST_PORT"] == ":14269"
    assert run["ready"] == {"port": 14269, "path": "/"}
    assert run["extra_ports"] == ["10.0.0.5:14268:14268", "10.0.0.5:14250:14250", "10.0.0.5:9411:9411"]


def test_v1_ports_and_env_of_your_own():
    run = jaeger_config({"v1_ports": ["6831/udp"], "v1_env": {"QUERY_BASE_PATH": "/jaeger", "X_FLAG": True}},
                        "1.76.0", bind="::1")
    assert run["extra_ports"] == ["[::1]:6831:6831/udp"]
    assert run["env"]["QUERY_BASE_PATH"] == "/jaeger" and run["env"]["X_FLAG"] == "true"
    assert jaeger_config({}, "1.76.0")["extra_ports"] == []  # nowhere to bind: none


def test_a_family_option_at_its_default_is_not_in_use():
    assert jaeger_config({"v1_ports": ["14268", "14250", "9411"], "v1_env": {}}, "2.20.0")["family"] == 2
    assert jaeger_config({"overrides": {}}, "1.76.0")["family"] == 1


@pytest.mark.parametrize("settings, version, message", [
    ({"overrides": {"processors": {}}}, "1.76.0", "jaeger_config_overrides: is an option of Jaeger v2, but the image "
                                                  "runs Jaeger 1.76.0"),
    ({"v1_env": {"A": "b"}}, "2.20.0", "jaeger_v1_env: is an option of Jaeger 1.x, but the image runs Jaeger 2.20.0"),
    ({"v1_ports": ["6831/udp"]}, "2.20.0", "jaeger_v1_ports: is an option of Jaeger 1.x"),
    ({}, "latest", "jaeger_version: 'latest' is not a Jaeger 1.x or 2.x version"),
    ({}, "3.0.0", "jaeger_version: '3.0.0' is not a Jaeger 1.x or 2.x version"),
    ({"span_ttl": "7d"}, "2.20.0", "jaeger_span_ttl: '7d' is not a Go duration above zero. Fix: write hours"),
    ({"span_ttl": "0"}, "2.20.0", "jaeger_span_ttl: '0' is not a Go duration above zero"),
    ({"span_ttl": 168}, "2.20.0", "jaeger_span_ttl: 168 is not a Go duration"),
    ({"log_level": "verbose"}, "2.20.0", "jaeger_log_level: 'verbose' is not a log level"),
    ({"overrides": ["x"]}, "2.20.0", "jaeger_config_overrides: must be a mapping"),
    ({"overrides": {"service": {"extensions": ["jaeger_storage"]}}}, "2.20.0",
     "jaeger_config_overrides: removes what the stack relies on"),
    ({"overrides": {"service": {"pipelines": {"traces": {"receivers": ["zipkin"]}}}}}, "2.20.0",
     "jaeger_config_overrides: removes what the stack relies on"),
    ({"v1_env": {"lower": "x"}}, "1.76.0", "jaeger_v1_env: 'lower' is not an environment variable name"),
    ({"v1_ports": ["x"]}, "1.76.0", "jaeger_v1_ports: 'x' is not a port"),
    ({"v1_ports": ["70000"]}, "1.76.0", "jaeger_v1_ports: 70000 is not a port"),
    ({"v1_ports": ["16686"]}, "1.76.0", "jaeger_v1_ports: 16686 is one of the catalogue's Jaeger ports"),
    ({"v1_ports": "9411"}, "1.76.0", "jaeger_v1_ports: must be a list of ports"),
    ({"ttl": "1h"}, "2.20.0", "settings: 'ttl' is not a setting of jaeger_config"),
])
def test_bad_settings_are_refused_naming_the_variable(settings, version, message):
    with pytest.raises(AnsibleFilterError) as error:
        jaeger_config(settings, version, bind="127.0.0.1")
    assert message in str(error.value)
    assert "Fix:" in str(error.value)

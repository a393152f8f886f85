# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""promtail_config: Promtail's config.yml for the host's container logs.

Documents (Promtail's pages were dropped from Loki's documentation in 3.7, so those of 3.6, the last release):
  https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/ (#docker_sd_configs, #relabel_configs)
  https://grafana.com/docs/loki/v3.6.x/send-data/promtail/stages/json/, .../labels/, .../timestamp/
  https://grafana.com/docs/loki/v3.7.x/get-started/labels/bp-labels/ (bounded label values)

The relabel rules and pipeline stages are run here by a small interpreter that follows those pages: relabel regexes
are anchored at both ends (re.fullmatch), action replace by default with regex (.*) and replacement $1, an empty
result removes the label; the json stage extracts nothing from a line that is not JSON (drop_malformed false keeps
it) and sets missing fields to null; labels skips null values; timestamp with action_on_failure skip keeps the time
Docker recorded.
"""
from __future__ import annotations

import copy
import datetime
import json
import re

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.promtail_config import promtail_config

URL = "http://proxy-loki:3100/loki/api/v1/push"
SETTINGS = {"push_url": URL, "host": "app1"}

EXPECTED = {
    "server": {"http_listen_port": 9080, "grpc_listen_port": 0, "health_check_target": False},
    "positions": {"filename": "/var/lib/promtail/positions.yaml"},
    "clients": [{"url": URL}],
    "scrape_configs": [{
        "job_name": "docker",
        "docker_sd_configs": [{"host": "unix:///var/run/docker.sock", "refresh_interval": "5s"}],
        "relabel_configs": [
            {"source_labels": ["__meta_docker_container_name"], "regex": "/(.*)", "target_label": "container_name"},
            {"source_labels": ["__meta_docker_container_label_com_docker_compose_service"], "regex": "(.+)",
             "target_label": "service"},
            {"source_labels": ["__meta_docker_container_log_stream"], "target_label": "stream"},
            {"target_label": "host", "replacement": "app1"},
        ],
        "pipeline_stages": [
            {"json": {"expressions": {"timestamp": "timestamp", "level": "level", "logger": "logger"},
                      "drop_malformed": False}},
            {"labels": {"level": "level", "logger": "logger"}},
            {"timestamp": {"source": "timestamp", "format": "RFC3339Nano", "action_on_failure": "skip"}},
        ],
    }],
}


def build(**settings):
    return promtail_config(dict(SETTINGS, **settings))


# --- A small interpreter of the generated configuration ---------------------------------------------------------

def relabel(rules, meta):
    """Labels of a discovered target after Prometheus-style relabelling, or None when a keep rule drops it."""
    labels = dict(meta)
    for rule in rules:
        value = rule.get("separator", ";").join(labels.get(name, "") for name in rule.get("source_labels", []))
        match = re.fullmatch(rule.get("regex", "(.*)"), value)
        action = rule.get("action", "replace")
        if action == "keep":
            if not match:
                return None
        elif action == "replace":
            if match:
                replacement = re.sub(r"\$\{?(\d+)\}?", r"\\g<\1>", rule.get("replacement", "$1"))
                result = match.expand(replacement)
                if result:
                    labels[rule["target_label"]] = result
                else:
                    labels.pop(rule["target_label"], None)
        else:
            raise AssertionError("action %s not interpreted" % action)
    return {name: value for name, value in labels.items() if not name.startswith("__")}


def run_pipeline(stages, labels, line, docker_time):
    """(labels, line, time) after the pipeline stages, as Promtail's json, labels and timestamp stages do."""
    labels, extracted, time = dict(labels), dict(labels), docker_time
    for stage in stages:
        (kind, cfg), = stage.items()
        if kind == "json":
            try:
                data = json.loads(line)
            except ValueError:
                if cfg.get("drop_malformed"):
                    return None
                continue
            for name, field in cfg["expressions"].items():
                extracted[name] = data.get(field) if isinstance(data, dict) else None
        elif kind == "labels":
            for name, source in cfg.items():
                value = extracted.get(source or name)
                if isinstance(value, bool):
                    labels[name] = "true" if value else "false"
                elif isinstance(value, (str, int, float)):
                    labels[name] = str(value)
        elif kind == "timestamp":
            assert cfg["format"] == "RFC3339Nano"
            value = extracted.get(cfg["source"])
            try:
                time = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
                assert time.tzinfo is not None
            except (AttributeError, ValueError, AssertionError):
                assert cfg["action_on_failure"] == "skip"
                time = docker_time
        else:
            raise AssertionError("stage %s not interpreted" % kind)
    return labels, line, time


def docker_job(config):
    return config["scrape_configs"][0]


def target(name, **container_labels):
    meta = {"__meta_docker_container_name": "/" + name, "__meta_docker_container_log_stream": "stdout",
            "__meta_docker_container_id": "4f2a9c0d1e3b"}
    for key, value in container_labels.items():
        meta["__meta_docker_container_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)] = value
    return meta


# structlog's JSONRenderer output with the seed's processors (add_logger_name, add_log_level, TimeStamper iso UTC).
BACKEND_LINE = json.dumps({"method": "GET", "path": "/api/tasks/42", "status": 503, "duration": 1.7,
                           "request_id": "0b7c6f0e-5f57-4c43-9a53-3c1c1b6c2d11", "user_id": "123",
                           "event": "request_finished", "logger": "src.middleware.metrics", "level": "error",
                           "timestamp": "2026-11-25T10:00:00.123456Z"})
DOCKER_TIME = datetime.datetime(2026, 11, 25, 10, 0, 1, tzinfo=datetime.timezone.utc)


# --- Good input -------------------------------------------------------------------------------------------------

def test_default_config():
    assert build() == EXPECTED


def test_the_seeds_logql_selects_the_backend_container():
    # {container_name="proxy-backend"} (seed guide, "Log Queries (LogQL Examples)")
    labels = relabel(docker_job(build())["relabel_configs"], target("proxy-backend"))
    assert labels == {"container_name": "proxy-backend", "stream": "stdout", "host": "app1"}
    assert re.fullmatch("/(.*)", "/proxy-backend").group(1) == "proxy-backend"


def test_compose_service_becomes_the_service_label():
    labels = relabel(docker_job(build())["relabel_configs"],
                     target("proxy_backend_1", **{"com.docker.compose.service": "backend"}))
    assert labels == {"container_name": "proxy_backend_1", "service": "backend", "stream": "stdout", "host": "app1"}


def test_structlog_line_gets_level_and_logger_labels_and_its_own_time():
    config = build()
    labels = relabel(docker_job(config)["relabel_configs"], target("proxy-backend"))
    labels, line, time = run_pipeline(docker_job(config)["pipeline_stages"], labels, BACKEND_LINE, DOCKER_TIME)
    assert labels == {"container_name": "proxy-backend", "stream": "stdout", "host": "app1", "level": "error",
                      "logger": "src.middleware.metrics"}
    assert time == datetime.datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    # The line reaches Loki unchanged, so "| json | status >= 500", "| json | user_id=\"123\"" and
    # "| json | duration > 1" of the seed's queries find their fields at query time.
    assert line == BACKEND_LINE
    fields = json.loads(line)
    assert fields["status"] >= 500 and fields["user_id"] == "123" and fields["duration"] > 1


def test_lines_that_are_not_json_pass_through_untouched():
    config = build()
    labels = relabel(docker_job(config)["relabel_configs"], target("proxy-backend"))
    for text in ("Traceback (most recent call last):", 'level=info ts=2026-11-25T10:00:00Z msg="ready"', "[1, 2]",
                 '{"event": "no level or time"}'):
        result = run_pipeline(docker_job(config)["pipeline_stages"], labels, text, DOCKER_TIME)
        assert result == (labels, text, DOCKER_TIME), text


def test_no_field_in_the_pipeline_is_high_cardinality():
    stages = docker_job(build())["pipeline_stages"]
    assert set(stages[1]["labels"]) == {"level", "logger"}
    assert not {"request_id", "user_id", "duration", "status"} & set(stages[0]["json"]["expressions"])
    assert not [stage for stage in stages if "output" in stage]  # the line is never replaced


def test_json_labels_are_configurable():
    stages = docker_job(build(labels=["level", "method"]))["pipeline_stages"]
    assert stages[0] == {"json": {"expressions": {"timestamp": "timestamp", "level": "level", "method": "method"},
                                  "drop_malformed": False}}
    assert stages[1] == {"labels": {"level": "level", "method": "method"}}
    assert docker_job(build(labels=[]))["pipeline_stages"] == [
        {"json": {"expressions": {"timestamp": "timestamp"}, "drop_malformed": False}},
        {"timestamp": {"source": "timestamp", "format": "RFC3339Nano", "action_on_failure": "skip"}},
    ]


def test_name_prefix_keeps_only_matching_containers():
    job = docker_job(build(containers_filter={"name_prefix": "proxy."}))
    assert job["relabel_configs"][0] == {"source_labels": ["__meta_docker_container_name"], "regex": "/proxy\\..*",
                                         "action": "keep"}
    assert relabel(job["relabel_configs"], target("proxy.backend"))["container_name"] == "proxy.backend"
    assert relabel(job["relabel_configs"], target("proxyXbackend")) is None
    assert relabel(job["relabel_configs"], target("other-proxy.backend")) is None
    assert "filters" not in job["docker_sd_configs"][0]


def test_label_filter_goes_to_the_docker_api():
    job = docker_job(build(containers_filter={"label": "com.docker.compose.project=proxy"}, refresh_interval="1m"))
    assert job["docker_sd_configs"] == [{"host": "unix:///var/run/docker.sock", "refresh_interval": "1m",
                                         "filters": [{"name": "label",
                                                      "values": ["com.docker.compose.project=proxy"]}]}]
    assert len(job["relabel_configs"]) == 4


def test_extra_scrape_configs_are_appended_and_settings_reach_their_keys():
    syslog = {"job_name": "syslog", "syslog": {"listen_address": "0.0.0.0:1514"},
              "relabel_configs": [{"source_labels": ["__syslog_message_hostname"], "target_label": "host"}]}
    config = build(extra_scrape_configs=[syslog], http_port=9081, host="db1.example.com",
                   push_url="https://logs.example.com/tenant/loki/api/v1/push")
    assert config["scrape_configs"][1:] == [syslog]
    assert config["server"]["http_listen_port"] == 9081
    assert config["clients"] == [{"url": "https://logs.example.com/tenant/loki/api/v1/push"}]
    assert docker_job(config)["relabel_configs"][-1] == {"target_label": "host", "replacement": "db1.example.com"}


def test_output_is_plain_and_the_input_is_left_alone():
    settings = dict(SETTINGS, labels=["level"], extra_scrape_configs=[{"job_name": "x", "static_configs": []}])
    before = copy.deepcopy(settings)
    config = promtail_config(settings)
    assert settings == before
    assert yaml.safe_load(yaml.safe_dump(config)) == config
    config["scrape_configs"][1]["job_name"] = "changed"
    assert settings["extra_scrape_configs"][0]["job_name"] == "x"


# --- Bad input ------------------------------------------------------------------------------------------------------

BP = "https://grafana.com/docs/loki/v3.7.x/get-started/labels/bp-labels/"
URL_FIX = "Fix: give the URL of Loki's push API, e.g. 'http://proxy-loki:3100/loki/api/v1/push'"
BAD_INPUT = [
    ("url-missing", {"push_url": None}, "promtail_loki_url: is not set. " + URL_FIX),
    ("url-without-push-path", {"push_url": "http://proxy-loki:3100"},
     "promtail_loki_url: 'http://proxy-loki:3100' is not Loki's push endpoint, whose path ends in /loki/api/v1/push. "
     "Fix: append /loki/api/v1/push to Loki's address, e.g. 'http://proxy-loki:3100/loki/api/v1/push'"),
    ("url-without-scheme", {"push_url": "proxy-loki:3100/loki/api/v1/push"},
     "promtail_loki_url: 'proxy-loki:3100/loki/api/v1/push' is not an http:// or https:// URL. " + URL_FIX),
    ("url-bad-port", {"push_url": "http://proxy-loki:31000000/loki/api/v1/push"},
     "promtail_loki_url: 'http://proxy-loki:31000000/loki/api/v1/push' is not an http:// or https:// URL. " + URL_FIX),
    ("high-cardinality-request-id", {"labels": ["level", "request_id"]},
     "promtail_json_labels[1]: 'request_id' has a new value for every request, user or moment (high cardinality): as "
     "a label each value starts another Loki stream, which bloats the index and slows every query (" + BP + "). Fix: "
     "leave it out: it stays in the log line and is parsed at query time, e.g. {container_name=\"proxy-backend\"} | "
     "json | request_id=\"...\""),
    ("high-cardinality-status", {"labels": ["status"]},
     "promtail_json_labels[0]: 'status' has a new value for every request, user or moment (high cardinality): as a "
     "label each value starts another Loki stream, which bloats the index and slows every query (" + BP + "). Fix: "
     "leave it out: it stays in the log line and is parsed at query time, e.g. {container_name=\"proxy-backend\"} | "
     "json | status=\"...\""),
    ("high-cardinality-user-id", {"labels": ["User_ID"]},
     "promtail_json_labels[0]: 'User_ID' has a new value for every request, user or moment (high cardinality): as a "
     "label each value starts another Loki stream, which bloats the index and slows every query (" + BP + "). Fix: "
     "leave it out: it stays in the log line and is parsed at query time, e.g. {container_name=\"proxy-backend\"} | "
     "json | User_ID=\"...\""),
    ("label-not-a-name", {"labels": ["http.method"]},
     "promtail_json_labels[0]: 'http.method' is not a label name. Fix: use a top-level JSON field whose name is "
     "letters, digits and '_', not starting with a digit, e.g. 'level'"),
    ("label-reserved", {"labels": ["__level"]},
     "promtail_json_labels[0]: '__level' starts with '__', which is reserved for internal labels. Fix: use a field "
     "name without the leading underscores"),
    ("label-from-docker", {"labels": ["host"]},
     "promtail_json_labels[0]: 'host' is a label this configuration sets from Docker; a JSON field of that name would "
     "overwrite it. Fix: leave it out"),
    ("label-twice", {"labels": ["level", "level"]},
     "promtail_json_labels[1]: 'level' is listed twice. Fix: list each field once"),
    ("too-many-labels", {"labels": ["f%d" % number for number in range(12)]},
     "promtail_json_labels: 12 fields plus the 4 labels from Docker (container_name, service, stream, host) exceed "
     "the 15 labels per stream that Loki 3 accepts. Fix: keep at most 11 fields"),
    ("labels-not-a-list", {"labels": "level"},
     "promtail_json_labels: must be a list of JSON field names, got string. Fix: set it like ['level', 'logger']"),
    ("duplicate-job", {"extra_scrape_configs": [{"job_name": "syslog"}, {"job_name": "syslog"}]},
     "promtail_scrape_configs_extra[1].job_name: 'syslog' is already the name of promtail_scrape_configs_extra[0]. "
     "Fix: give every job a unique job_name"),
    ("job-named-docker", {"extra_scrape_configs": [{"job_name": "docker"}]},
     "promtail_scrape_configs_extra[0].job_name: 'docker' is already the name of the docker job this collection "
     "generates. Fix: give every job a unique job_name"),
    ("job-without-name", {"extra_scrape_configs": [{"static_configs": []}]},
     "promtail_scrape_configs_extra[0].job_name: None is not a job name. Fix: name the job with letters, digits, '_', "
     "'.' or '-', e.g. 'syslog'"),
    ("containers-filter-unknown-key", {"containers_filter": {"name": "proxy"}},
     "promtail_containers_filter: {'name': 'proxy'} is not a containers filter. Fix: set name_prefix, label or both, "
     "e.g. {'name_prefix': 'proxy-'}, or leave it unset to ship every container's logs"),
    ("containers-filter-bad-prefix", {"containers_filter": {"name_prefix": "/proxy"}},
     "promtail_containers_filter.name_prefix: '/proxy' is not the start of a container name. Fix: use letters, "
     "digits, '_', '.' or '-', starting with a letter or digit, e.g. 'proxy-'"),
    ("containers-filter-bad-label", {"containers_filter": {"label": "=proxy"}},
     "promtail_containers_filter.label: '=proxy' is not a Docker label filter. Fix: write key or key=value, e.g. "
     "'com.docker.compose.project=proxy'"),
    ("refresh-zero", {"refresh_interval": "0s"},
     "promtail_docker_refresh_interval: '0s' is not a duration longer than zero. Fix: write a number with a unit, "
     "e.g. '5s' or '1m'"),
    ("host-missing", {"host": None},
     "inventory_hostname: None cannot be the host label. Fix: pass the inventory hostname, e.g. 'app1'"),
    ("port", {"http_port": 0}, "http_port: 0 is not a port. Fix: give a port from 1 to 65535"),
    ("unknown-setting", {"loki_url": URL},
     "settings: 'loki_url' is not a setting of promtail_config. Fix: use containers_filter, extra_scrape_configs, "
     "host, http_port, labels, push_url, refresh_interval"),
]


@pytest.mark.parametrize("settings, message", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_names_the_variable_and_the_fix(settings, message):
    with pytest.raises(AnsibleFilterError) as error:
        build(**settings)
    assert str(error.value) == message

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import copy
import json
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.alertmanager_config import (
    alertmanager_config,
    parse_matchers,
)

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "alertmanager_seed.yml")
SLACK_URL = "https://hooks.slack.invalid/services/T000/B000/XXXX"
PAGERDUTY_KEY = "0123456789abcdef0123456789abcdef"
TEXT = "{{ range .Alerts }}{{ .Annotations.description }}{{ end }}"


def seed():
    with open(FIXTURE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["alertmanager_config"]


EXPECTED_SEED_CONFIG = {
    "global": {
        "resolve_timeout": "5m",
        "slack_api_url_file": "/etc/alertmanager/secrets/slack_api_url",
    },
    "route": {
        "receiver": "default",
        "group_by": ["alertname", "cluster", "service"],
        "group_wait": "10s",
        "group_interval": "10s",
        "repeat_interval": "12h",
        "routes": [
            {"receiver": "critical", "continue": True, "matchers": ['severity="critical"']},
            {"receiver": "warning", "matchers": ['severity="warning"']},
        ],
    },
    "receivers": [
        {"name": "default",
         "slack_configs": [{"channel": "#alerts", "title": "{{ .GroupLabels.alertname }}", "text": TEXT}]},
        {"name": "critical",
         "slack_configs": [{"channel": "#critical-alerts", "title": "🚨 CRITICAL: {{ .GroupLabels.alertname }}",
                            "text": TEXT}],
         "pagerduty_configs": [{"service_key_file": "/etc/alertmanager/secrets/pagerduty_critical_service_key"}]},
        {"name": "warning",
         "slack_configs": [{"channel": "#warnings", "title": "⚠️ WARNING: {{ .GroupLabels.alertname }}",
                            "text": TEXT}]},
    ],
    "inhibit_rules": [
        {"source_matchers": ['severity="critical"'], "target_matchers": ['severity="warning"'],
         "equal": ["alertname", "cluster", "service"]},
    ],
}


def test_seed_renders_to_the_expected_config():
    result = alertmanager_config(seed())
    assert result["config"] == EXPECTED_SEED_CONFIG
    assert result["warnings"] == []


def test_seed_secrets_go_to_files_named_after_their_variables():
    result = alertmanager_config(seed())
    assert result["secret_files"] == {
        "slack_api_url": "alertmanager_config.global.slack_api_url",
        "pagerduty_critical_service_key": "alertmanager_config.receivers[1].pagerduty_configs[0].service_key",
    }
    assert result["secrets"] == {"slack_api_url": SLACK_URL, "pagerduty_critical_service_key": PAGERDUTY_KEY}


def test_no_secret_value_is_anywhere_in_the_config():
    result = alertmanager_config(seed())
    rendered = json.dumps(result["config"]) + yaml.safe_dump(result["config"])
    for value in result["secrets"].values():
        assert value not in rendered
    assert "hooks.slack" not in rendered and "0123456789abcdef" not in rendered


def test_input_is_not_modified():
    spec = seed()
    before = copy.deepcopy(spec)
    alertmanager_config(spec)
    assert spec == before


def test_secrets_dir_and_variable_name_the_paths():
    result = alertmanager_config(seed(), secrets_dir="/run/secrets/am/", variable="am")
    assert result["config"]["global"]["slack_api_url_file"] == "/run/secrets/am/slack_api_url"
    assert result["secret_files"]["slack_api_url"] == "am.global.slack_api_url"


def test_receiver_level_secrets_and_webhook_url_secret_become_files():
    spec = {
        "route": {"receiver": "team a", "routes": [{"matchers": ["team=b"], "receiver": "hooks"}]},
        "receivers": [
            {"name": "team a",
             "slack_configs": [{"api_url": "https://hooks.slack.invalid/a", "channel": "#a"},
                               {"api_url": "https://hooks.slack.invalid/b", "channel": "#b"}],
             "pagerduty_configs": [{"routing_key": "k" * 32}]},
            {"name": "hooks",
             "webhook_configs": [{"url": "http://127.0.0.1:5001/"}, {"url_secret": "https://hook.invalid/?token=t"}]},
        ],
    }
    result = alertmanager_config(spec)
    secrets = "/etc/alertmanager/secrets/"
    assert result["config"]["receivers"] == [
        {"name": "team a",
         "slack_configs": [{"api_url_file": secrets + "slack_team_a_api_url", "channel": "#a"},
                           {"api_url_file": secrets + "slack_team_a_1_api_url", "channel": "#b"}],
         "pagerduty_configs": [{"routing_key_file": secrets + "pagerduty_team_a_routing_key"}]},
        {"name": "hooks",
         "webhook_configs": [{"url": "http://127.0.0.1:5001/"}, {"url_file": secrets + "webhook_hooks_1_url"}]},
    ]
    assert result["secret_files"] == {
        "slack_team_a_api_url": "alertmanager_config.receivers[0].slack_configs[0].api_url",
        "slack_team_a_1_api_url": "alertmanager_config.receivers[0].slack_configs[1].api_url",
        "pagerduty_team_a_routing_key": "alertmanager_config.receivers[0].pagerduty_configs[0].routing_key",
        "webhook_hooks_1_url": "alertmanager_config.receivers[1].webhook_configs[1].url_secret",
    }
    assert result["secrets"]["webhook_hooks_1_url"] == "https://hook.invalid/?token=t"


def test_match_and_match_re_are_appended_to_matchers_with_quoting():
    spec = {
        "route": {"receiver": "r", "routes": [{
            "matchers": ['{env="prod", team!~"db|cache"}'],
            "match": {"service": 'api "v2"', "k8s.namespace": "web"},
            "match_re": {"instance": r"node-\d+:9100"},
            "receiver": "r"}]},
        "receivers": [{"name": "r"}],
        "inhibit_rules": [{"source_match_re": {"alertname": "Node.*"}, "target_matchers": ["severity=warning"]}],
    }
    config = alertmanager_config(spec)["config"]
    assert config["route"]["routes"][0]["matchers"] == [
        '{env="prod", team!~"db|cache"}',
        'service="api \\"v2\\""',
        '"k8s.namespace"="web"',
        'instance=~"node-\\\\d+:9100"',
    ]
    assert config["inhibit_rules"] == [
        {"source_matchers": ['alertname=~"Node.*"'], "target_matchers": ["severity=warning"]}]


@pytest.mark.parametrize("text, expected", [
    ('severity="critical"', [("severity", "=", "critical")]),
    ("severity = critical", [("severity", "=", "critical")]),
    ('{job=~"node|cadvisor", instance!="a:9100",}', [("job", "=~", "node|cadvisor"), ("instance", "!=", "a:9100")]),
    (r'"foo.bar"!~"x\\d\"y"', [("foo.bar", "!~", 'x\\d"y')]),
    ("{}", []),
])
def test_matchers_parse_like_alertmanagers_utf8_parser(text, expected):
    assert parse_matchers(text) == expected


def test_time_intervals_pass_through_and_are_referenced():
    intervals = [{"name": "offhours", "time_intervals": [{"times": [{"start_time": "18:00", "end_time": "24:00"}]}]}]
    spec = {"route": {"receiver": "r", "routes": [{"receiver": "r", "mute_time_intervals": ["offhours"]}]},
            "receivers": [{"name": "r"}], "time_intervals": intervals, "templates": ["/etc/alertmanager/*.tmpl"]}
    config = alertmanager_config(spec)["config"]
    assert config["time_intervals"] == intervals
    assert config["templates"] == ["/etc/alertmanager/*.tmpl"]
    assert config["route"]["routes"][0]["mute_time_intervals"] == ["offhours"]


def test_receiver_no_route_uses_is_a_warning_not_an_error():
    spec = seed()
    spec["receivers"].append({"name": "oncall-archive", "webhook_configs": [{"url": "http://127.0.0.1:5001/"}]})
    result = alertmanager_config(spec)
    assert result["warnings"] == ["alertmanager_config.receivers[3]: receiver 'oncall-archive' is not used by any "
                                  "route, so Alertmanager never notifies it"]
    assert result["config"]["receivers"][3]["name"] == "oncall-archive"


def _nested_route(spec):
    spec["route"]["routes"][1]["routes"] = [{"match": {"team": "db"}, "receiver": "dba"}]


def _set(*path_and_value):
    """Return a function that sets spec[path...] = value."""
    *path, key, value = path_and_value

    def change(spec):
        target = spec
        for part in path:
            target = target[part]
        target[key] = value
    return change


def _drop(*path_and_key):
    *path, key = path_and_key

    def change(spec):
        target = spec
        for part in path:
            target = target[part]
        del target[key]
    return change


MATCHER_FIX = ("Fix: write label, operator (=, !=, =~ or !~) and double-quoted value, e.g. 'severity=\"critical\"'; "
               "inside quotes escape \" and \\ as \\\" and \\\\ (a regex \\d is written \"\\\\d\")")
REGEX_FIX = "Fix: fix the regular expression (Go RE2 syntax; Alertmanager anchors it at both ends)"
DURATION_FIX = ("Fix: write a number with a unit, largest unit first, e.g. '30s', '5m' or '1h30m' "
                "(units: y, w, d, h, m, s, ms)")
ROUTE = "alertmanager_config.route"

BAD_INPUT = [
    ("unknown-receiver-in-nested-route", _nested_route,
     ROUTE + ".routes[1].routes[0].receiver: 'dba' is not a receiver. Fix: use one of the names defined under "
     "receivers (critical, default, warning), or add a receiver named 'dba'"),
    ("unknown-receiver-at-root", _set("route", "receiver", "defualt"),
     ROUTE + ".receiver: 'defualt' is not a receiver. Fix: use one of the names defined under receivers "
     "(critical, default, warning), or add a receiver named 'defualt'"),
    ("duplicate-receiver", lambda spec: spec["receivers"].append({"name": "critical"}),
     "alertmanager_config.receivers[3].name: 'critical' is already the name of alertmanager_config.receivers[1]. "
     "Fix: give every receiver a unique name"),
    ("matcher-double-equals", _set("route", "routes", 0, "matchers", ["severity==critical"]),
     ROUTE + ".routes[0].matchers[0]: 'severity==critical' is not a valid matcher: expected a value after "
     "'severity=', found '=' at column 10. " + MATCHER_FIX),
    ("matcher-unclosed-quote", _set("route", "routes", 0, "matchers", ['severity="critical']),
     ROUTE + ".routes[0].matchers[0]: 'severity=\"critical' is not a valid matcher: the quote at column 10 is never "
     "closed. " + MATCHER_FIX),
    ("matcher-single-quotes", _set("route", "routes", 0, "matchers", ["severity='critical'"]),
     ROUTE + ".routes[0].matchers[0]: \"severity='critical'\" is not a valid matcher: \"'\" at column 10 is only "
     "allowed inside double quotes. " + MATCHER_FIX),
    ("matcher-single-backslash", _set("route", "routes", 0, "matchers", ['job=~"\\d+"']),
     ROUTE + ".routes[0].matchers[0]: 'job=~\"\\d+\"' is not a valid matcher: '\\d' inside the quotes starting at "
     "column 6 is not a valid escape. " + MATCHER_FIX),
    ("inhibit-matcher-no-operator", _set("inhibit_rules", 0, "target_matchers", ["severity"]),
     "alertmanager_config.inhibit_rules[0].target_matchers[0]: 'severity' is not a valid matcher: expected an "
     "operator (=, !=, =~ or !~) after 'severity', found the end. " + MATCHER_FIX),
    ("bad-regex", _set("route", "routes", 0, "matchers", ['job=~"(node"']),
     ROUTE + ".routes[0].matchers[0]: the regex '(node' in 'job=~\"(node\"' does not compile: missing ), "
     "unterminated subpattern. " + REGEX_FIX),
    ("bad-regex-in-match_re", _set("inhibit_rules", 0, "source_match_re", {"service": "api|(db"}),
     "alertmanager_config.inhibit_rules[0].source_match_re.service: the regex 'api|(db' in 'service=~\"api|(db\"' "
     "does not compile: missing ), unterminated subpattern. " + REGEX_FIX),
    ("regex-lookahead-re2-lacks", _set("route", "routes", 0, "matchers", ['job!~"(?!node).*"']),
     ROUTE + ".routes[0].matchers[0]: the regex '(?!node).*' in 'job!~\"(?!node).*\"' does not compile: lookaround "
     "assertions are not supported by Go's RE2. " + REGEX_FIX),
    ("duration-with-space", _set("route", "group_wait", "10 s"),
     ROUTE + ".group_wait: '10 s' is not a Prometheus duration. " + DURATION_FIX),
    ("duration-units-out-of-order", _set("route", "routes", 0, "repeat_interval", "30m12h"),
     ROUTE + ".routes[0].repeat_interval: '30m12h' is not a Prometheus duration. " + DURATION_FIX),
    ("duration-zero-group-interval", _set("route", "group_interval", "0s"),
     ROUTE + ".group_interval: must not be zero (Alertmanager rejects it). Fix: give a positive duration, e.g. '5m'"),
    ("resolve-timeout-integer", _set("global", "resolve_timeout", 300),
     "alertmanager_config.global.resolve_timeout: 300 is not a Prometheus duration. " + DURATION_FIX),
    ("slack-without-url", _drop("global", "slack_api_url"),
     "alertmanager_config.receivers[0].slack_configs[0]: has no Slack webhook URL, and the global section sets none. "
     "Fix: set api_url here or slack_api_url under global"),
    ("slack-url-and-file", _set("receivers", 0, "slack_configs", 0, {"api_url": SLACK_URL, "api_url_file": "/s"}),
     "alertmanager_config.receivers[0].slack_configs[0]: sets both api_url and api_url_file. Fix: keep one of them"),
    ("slack-url-unexpanded-env", _set("global", "slack_api_url", "${SLACK_WEBHOOK_URL}"),
     "alertmanager_config.global.slack_api_url: looks like an unexpanded environment variable such as "
     "${SLACK_WEBHOOK_URL} (value not shown: it is a secret). Fix: give the real value (e.g. from Ansible Vault): "
     "Alertmanager does not expand variables in its configuration"),
    ("slack-url-not-http", _set("receivers", 2, "slack_configs", 0, "api_url", "hooks.slack.invalid/x"),
     "alertmanager_config.receivers[2].slack_configs[0].api_url: is not an http:// or https:// URL (value not shown: "
     "it is a secret). Fix: give the full URL, e.g. https://hooks.slack.com/services/..."),
    ("pagerduty-without-key", _drop("receivers", 1, "pagerduty_configs", 0, "service_key"),
     "alertmanager_config.receivers[1].pagerduty_configs[0]: has neither routing_key nor service_key. Fix: set "
     "routing_key (Events API v2 integration key) or service_key (Events API v1)"),
    ("pagerduty-key-unexpanded-env",
     _set("receivers", 1, "pagerduty_configs", 0, "service_key", "${PAGERDUTY_SERVICE_KEY}"),
     "alertmanager_config.receivers[1].pagerduty_configs[0].service_key: looks like an unexpanded environment "
     "variable such as ${PAGERDUTY_SERVICE_KEY} (value not shown: it is a secret). Fix: give the real value (e.g. "
     "from Ansible Vault): Alertmanager does not expand variables in its configuration"),
    ("webhook-without-url", lambda spec: spec["receivers"].append({"name": "hook", "webhook_configs": [{}]}),
     "alertmanager_config.receivers[3].webhook_configs[0]: must set exactly one of url, url_secret and url_file, "
     "sets none. Fix: use url for a plain URL, url_secret for one that carries a token"),
    ("continue-string", _set("route", "routes", 0, "continue", "true"),
     ROUTE + ".routes[0].continue: must be a boolean, got string 'true'. Fix: write continue: true or continue: "
     "false, unquoted"),
    ("continue-on-root", _set("route", "continue", True),
     ROUTE + ".continue: is not allowed on the root route, which takes every alert. Fix: move it to a child route "
     "under alertmanager_config.route.routes"),
    ("unknown-top-level-key", _set("inhibit", []),
     "alertmanager_config.inhibit: is not a top-level key of the Alertmanager configuration. Fix: use global, "
     "templates, route, receivers, inhibit_rules, time_intervals"),
    ("deprecated-mute_time_intervals", _set("mute_time_intervals", []),
     "alertmanager_config.mute_time_intervals: is not a top-level key of the Alertmanager configuration "
     "(mute_time_intervals is deprecated: use time_intervals). Fix: use global, templates, route, receivers, "
     "inhibit_rules, time_intervals"),
    ("misspelt-route-key", _set("route", "routes", 1, "recevier", "warning"),
     ROUTE + ".routes[1].recevier: is not a route key. Fix: use one of receiver, group_by, continue, matchers, "
     "match, match_re, group_wait, group_interval, repeat_interval, mute_time_intervals, active_time_intervals, "
     "routes"),
    ("group_by-string", _set("route", "group_by", "alertname"),
     ROUTE + ".group_by: must be a list of label names, got string 'alertname'. Fix: write it like "
     "[alertname, cluster] or ['...']"),
    ("group_by-wildcard-and-labels", _set("route", "group_by", ["...", "cluster"]),
     ROUTE + ".group_by: mixes '...' with label names. Fix: use ['...'] alone to group by all labels, or list labels"),
    ("inhibit-equal-string", _set("inhibit_rules", 0, "equal", "alertname"),
     "alertmanager_config.inhibit_rules[0].equal: must be a list of label names, got string 'alertname'. Fix: "
     "write it like [alertname, cluster]"),
    ("match-boolean-value", _set("route", "routes", 0, "match", {"paging": True}),
     ROUTE + ".routes[0].match.paging: must be a string, got boolean True. Fix: quote the value, e.g. 'true'"),
    ("undefined-time-interval", _set("route", "routes", 0, "mute_time_intervals", ["offhours"]),
     ROUTE + ".routes[0].mute_time_intervals: 'offhours' is not a time interval. Fix: define it under time_intervals"),
    ("misspelt-receiver-key", _set("receivers", 0, "slack_config", []),
     "alertmanager_config.receivers[0].slack_config: is not a receiver key. Fix: a receiver has a name and "
     "integration lists such as slack_configs, pagerduty_configs, webhook_configs or email_configs"),
    ("secret-file-name-collision", lambda spec: spec["receivers"].extend([
        {"name": "team a", "pagerduty_configs": [{"routing_key": "a" * 32}]},
        {"name": "team/a", "pagerduty_configs": [{"routing_key": "b" * 32}]}]),
     "alertmanager_config.receivers[4].pagerduty_configs[0].routing_key: would be written to the secret file "
     "'pagerduty_team_a_routing_key', which already holds alertmanager_config.receivers[3].pagerduty_configs[0]."
     "routing_key. Fix: give the receivers names that differ in letters, digits, '_', '.' or '-'"),
    ("receiver-without-name", _drop("receivers", 2, "name"),
     "alertmanager_config.receivers[2].name: must be a non-empty string, got null. Fix: give every receiver a "
     "unique name, e.g. default"),
    ("no-route", _drop("route"),
     "alertmanager_config: has no route. Fix: set route; Alertmanager needs a route tree and its receivers"),
]


@pytest.mark.parametrize("change, message", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_names_the_variable_path_and_the_fix(change, message):
    spec = seed()
    change(spec)
    with pytest.raises(AnsibleFilterError) as error:
        alertmanager_config(spec)
    assert str(error.value) == message


@pytest.mark.parametrize("change", [
    _set("receivers", 0, "slack_configs", 0, "api_url", "hooks.slack.invalid/services/SECRET-TOKEN"),
    _set("receivers", 0, "slack_configs", 0, "api_url", "https://hooks.slack.invalid/SECRET-TOKEN x"),
    _set("receivers", 0, "slack_configs", ["https://hooks.slack.invalid/SECRET-TOKEN"]),
    _set("receivers", 0, {"slack_configs": [{"api_url": "https://hooks.slack.invalid/SECRET-TOKEN"}]}),
    _set("receivers", 1, "pagerduty_configs", 0, "service_key", "SECRET-TOKEN with spaces"),
    _set("global", "slack_api_url:https://hooks.slack.invalid/SECRET-TOKEN"),
], ids=["not-a-url", "space-inside", "entry-not-a-mapping", "receiver-without-name", "key-with-spaces",
        "global-not-a-mapping"])
def test_errors_never_show_a_secret_value(change):
    """Ansible prints a filter's error even for a task with no_log, so the message must not carry the secret."""
    spec = seed()
    change(spec)
    with pytest.raises(AnsibleFilterError) as error:
        alertmanager_config(spec)
    assert "SECRET-TOKEN" not in str(error.value)


@pytest.mark.parametrize("spec, secrets_dir, message", [
    ("route: x", "/etc/alertmanager/secrets",
     "alertmanager_config: must be a mapping in Alertmanager's configuration schema, got string. Fix: set it like "
     "{route: {receiver: default}, receivers: [{name: default}]}"),
    ({"route": {"receiver": "r"}, "receivers": [{"name": "r"}]}, "secrets",
     "secrets_dir: 'secrets' is not an absolute path. Fix: give the directory as Alertmanager sees it, e.g. "
     "/etc/alertmanager/secrets"),
])
def test_bad_arguments(spec, secrets_dir, message):
    with pytest.raises(AnsibleFilterError) as error:
        alertmanager_config(spec, secrets_dir=secrets_dir)
    assert str(error.value) == message


def test_every_integration_secret_and_http_config_credential_becomes_a_file():
    """Every inline secret that has a *_file key in Alertmanager 0.28 and 0.34 goes to a file, http_config too."""
    http = {"basic_auth": {"username": "u", "password": "SECRET-basic"},
            "oauth2": {"client_id": "id", "client_secret": "SECRET-oauth", "token_url": "https://auth.invalid/t"},
            "tls_config": {"key": "-----BEGIN KEY-----\nSECRET-key\n-----END KEY-----\n", "cert_file": "/c.pem"}}
    spec = {
        "global": {"smtp_smarthost": "mail.invalid:587", "smtp_auth_password": "SECRET-smtp",
                   "opsgenie_api_key": "SECRET-og", "victorops_api_key": "SECRET-vo",
                   "rocketchat_token": "SECRET-rt", "rocketchat_token_id": "SECRET-rtid",
                   "http_config": {"authorization": {"type": "Bearer", "credentials": "SECRET-auth"}}},
        "route": {"receiver": "all"},
        "receivers": [{
            "name": "all",
            "email_configs": [{"to": "a@b.invalid", "auth_username": "u", "auth_password": "SECRET-mail"}],
            "opsgenie_configs": [{"api_key": "SECRET-og2"}],
            "victorops_configs": [{"api_key": "SECRET-vo2", "routing_key": "team"}],
            "pushover_configs": [{"user_key": "SECRET-pu", "token": "SECRET-pt"}],
            "telegram_configs": [{"bot_token": "SECRET-tg", "chat_id": 1}],
            "discord_configs": [{"webhook_url": "https://discord.invalid/api/webhooks/SECRET-dc"}],
            "msteams_configs": [{"webhook_url": "https://teams.invalid/SECRET-ms"}],
            "msteamsv2_configs": [{"webhook_url": "https://teams.invalid/SECRET-ms2"}],
            "rocketchat_configs": [{"token": "SECRET-rc", "token_id": "SECRET-rcid"}],
            "webhook_configs": [{"url": "http://127.0.0.1:5001/", "http_config": http},
                                {"url": "http://127.0.0.1:5002/", "http_config": {"bearer_token": "SECRET-bt"}}],
        }],
    }
    result = alertmanager_config(spec)
    dump = json.dumps(result["config"])
    assert "SECRET" not in dump
    d = "/etc/alertmanager/secrets/"
    glob = result["config"]["global"]
    assert glob["smtp_auth_password_file"] == d + "smtp_auth_password"
    assert glob["http_config"] == {"authorization": {"type": "Bearer",
                                                     "credentials_file": d + "http_config_authorization_credentials"}}
    receiver = result["config"]["receivers"][0]
    assert receiver["email_configs"] == [{"to": "a@b.invalid", "auth_username": "u",
                                          "auth_password_file": d + "email_all_auth_password"}]
    assert receiver["telegram_configs"] == [{"bot_token_file": d + "telegram_all_bot_token", "chat_id": 1}]
    assert receiver["webhook_configs"][0]["http_config"] == {
        "basic_auth": {"username": "u", "password_file": d + "webhook_all_basic_auth_password"},
        "oauth2": {"client_id": "id", "client_secret_file": d + "webhook_all_oauth2_client_secret",
                   "token_url": "https://auth.invalid/t"},
        "tls_config": {"key_file": d + "webhook_all_tls_key", "cert_file": "/c.pem"}}
    assert receiver["webhook_configs"][1]["http_config"] == {"bearer_token_file": d + "webhook_all_1_bearer_token"}
    assert result["secret_files"]["webhook_all_basic_auth_password"] == (
        "alertmanager_config.receivers[0].webhook_configs[0].http_config.basic_auth.password")
    assert result["secret_files"]["rocketchat_token_id"] == "alertmanager_config.global.rocketchat_token_id"
    assert sorted(result["secrets"]) == sorted(result["secret_files"])
    values = set(result["secrets"].values())
    assert {"SECRET-smtp", "SECRET-og", "SECRET-vo", "SECRET-rt", "SECRET-rtid", "SECRET-auth", "SECRET-mail",
            "SECRET-og2", "SECRET-vo2", "SECRET-pu", "SECRET-pt", "SECRET-tg", "SECRET-rc", "SECRET-rcid",
            "SECRET-basic", "SECRET-oauth", "SECRET-bt", "https://discord.invalid/api/webhooks/SECRET-dc",
            "https://teams.invalid/SECRET-ms", "https://teams.invalid/SECRET-ms2"} <= values
    # The PEM key loses only the whitespace around it, as prometheus/common's FileSecret trims what it reads.
    assert result["secrets"]["webhook_all_tls_key"] == "-----BEGIN KEY-----\nSECRET-key\n-----END KEY-----"
    assert len(values) == 21


@pytest.mark.parametrize("change, message", [
    (lambda spec: spec["global"].update(smtp_auth_password="SECRET-pw", smtp_auth_password_file="/run/x"),
     "alertmanager_config.global: sets both smtp_auth_password and smtp_auth_password_file. Fix: keep one of them"),
    (_set("global", "smtp_auth_password", "${SMTP_PASSWORD}"),
     "alertmanager_config.global.smtp_auth_password: looks like an unexpanded environment variable such as "
     "${PASSWORD} (value not shown: it is a secret). Fix: give the real value (e.g. from Ansible Vault): "
     "Alertmanager does not expand variables in its configuration"),
    (_set("global", "smtp_auth_password", " SECRET-pw "),
     "alertmanager_config.global.smtp_auth_password: starts or ends with whitespace (value not shown: it is a "
     "secret), which Alertmanager trims when it reads the secret file. Fix: remove the whitespace around the secret"),
    (_set("global", "http_config", {"basic_auth": {"password": "SECRET-pw", "password_file": "/x"}}),
     "alertmanager_config.global.http_config.basic_auth: sets both password and password_file. Fix: keep one of them"),
    (_set("global", "http_config", {"bearer_token": 5}),
     "alertmanager_config.global.http_config.bearer_token: must be a non-empty string (value not shown: it is a "
     "secret). Fix: set the secret (e.g. from Ansible Vault)"),
    (_set("global", "smtp_auth_secret", "SECRET-cram"),
     "alertmanager_config.global.smtp_auth_secret: is a secret that Alertmanager 0.28 to 0.30 read only from "
     "alertmanager.yml, and this collection writes no secret there (value not shown: it is a secret). Fix: use "
     "smtp_auth_password (CRAM-MD5 needs the secret inline) instead"),
    (_set("receivers", 0, "email_configs", [{"to": "a@b.invalid", "auth_secret": "SECRET-cram"}]),
     "alertmanager_config.receivers[0].email_configs[0].auth_secret: is a secret that Alertmanager 0.28 to 0.30 read "
     "only from alertmanager.yml, and this collection writes no secret there (value not shown: it is a secret). Fix: "
     "use auth_password (CRAM-MD5 needs the secret inline) instead"),
    (_set("receivers", 0, "discord_configs", [{"webhook_url": "discord.invalid/SECRET-x"}]),
     "alertmanager_config.receivers[0].discord_configs[0].webhook_url: is not an http:// or https:// URL (value not "
     "shown: it is a secret). Fix: give the full URL, e.g. https://hooks.slack.com/services/..."),
    (_set("receivers", 0, "webhook_configs", [{"url": "http://h:1/", "http_config": {"bearer_token": "SECRET-a"}},
                                              {"url": "http://h:1/", "http_config": {"bearer_token": "SECRET-a"}}]),
     None),
], ids=["both-forms", "unexpanded", "whitespace", "http-both-forms", "not-a-string", "global-inline-only",
        "email-inline-only", "discord-not-a-url", "two-entries-two-files"])
def test_new_secrets_are_checked_without_showing_them(change, message):
    spec = seed()
    change(spec)
    if message is None:
        result = alertmanager_config(spec)
        assert sorted(name for name in result["secrets"] if "bearer" in name) == [
            "webhook_default_1_bearer_token", "webhook_default_bearer_token"]
        return
    with pytest.raises(AnsibleFilterError) as error:
        alertmanager_config(spec)
    assert str(error.value) == message
    assert "SECRET" not in str(error.value)

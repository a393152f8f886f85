# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The canary test: every secret of the stack set to a value holding one canary string, then the canary is counted
where a secret must never appear. Run by `scripts/test deploy` after `scripts/deploy --local-images` succeeded: it
converges the deploy test host (proxy-obs-host) with the canary values (-vvv --diff), runs a converge that fails on
purpose after the secrets were staged, and converges the host back to the local inventory's values at the end.

Where the canary must not be (count 0): the output of both runs, `docker inspect` of every container of the test
host, the process lists of the test host and of this machine sampled every 0.2 s during the good run, every file
under the configuration root that others may read, and anything under `.staging` or `.previous`.
Where it must be (so that the test can fail): the secret files on the host, read as root; Grafana accepts the canary
admin password; alertmanager.yml and prometheus.yml name the secret files.
"""
from __future__ import annotations

import base64
import glob
import json
import os
import re
import secrets
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HOST = "proxy-obs-host"
CONFIG_ROOT = "/etc/proxy-observability"
INVENTORY = os.path.join(ROOT, "inventory", "local", "hosts.yml")
LOCAL_IMAGES = os.path.join(ROOT, ".cache", "images", "local-images.yml")
GRAFANA_URL = "http://127.0.0.1:3001"
# The local PostgreSQL fixture (molecule/resources/playbooks/fixtures.yml): its password is changed to the canary's
# for the canary runs (the sample backend and postgres-exporter log in with it) and back afterwards.
FIXTURE_POSTGRES = "proxy-fixture-postgres"
FIXTURE_PASSWORD = "fixture-password"

CANARY = "CANARY-" + secrets.token_hex(8)
DB_PASSWORD = CANARY + "-db"

# Every secret variable of the roles (no_log in an argument spec, or a secret-looking name), with a canary value
# that passes the variable's own checks. Jinja in these values is rendered by Ansible (extra vars are templated).
SECRETS = {
    "alertmanager_slack_api_url": "https://hooks.slack.invalid/services/" + CANARY + "-slack",
    "alertmanager_pagerduty_service_key": CANARY + "-pagerduty",
    "grafana_admin_password": CANARY + "-admin",
    "grafana_secret_key": CANARY + "-secretkey",
    "postgres_exporter_password": DB_PASSWORD,
    "backend_database_url": "postgresql+psycopg://postgres:%s@%s:5432/postgres" % (DB_PASSWORD, FIXTURE_POSTGRES),
    "redis_exporter_password": CANARY + "-redis",
    "observability_web_auth_password": CANARY + "-web",
}
# Secret-looking variables the canary runs leave unset, each with the reason. A new one must be added to SECRETS or
# here (test_every_secret_variable_is_covered), so the list cannot go stale silently.
NOT_SET = {
    "observability_tls_key": "read only with observability_web_tls on, which the deploy test host does not use",
    "observability_tls_ca_passphrase": "read only with observability_web_tls on (the internal CA's key)",
    "backend_redis_url": "the local Redis has no password; the URL goes to a secret file like backend_database_url",
    "observability_web_auth_users": "refused on a host that runs redis_exporter (one user only), as the test host does",
}
# Names that look like secrets but are not.
NOT_SECRET = {
    "docker_host_daemon_allow_keys": "a list of daemon.json key names",
}
SECRET_NAME = re.compile(r"password|passphrase|secret|token|credential|_key$|_key_|_keys?$|api_url|database_url|"
                         r"redis_url|auth_users")

# Secrets inside alertmanager_config and prometheus_scrape_configs_extra (the SMTP password, an http_config password,
# a scrape job's basic auth password), and the seed's Slack and PagerDuty routes fed by the two variables above.
EXTRA = {
    "alertmanager_config": {
        "global": {"resolve_timeout": "5m", "slack_api_url": "{{ alertmanager_slack_api_url }}",
                   "smtp_smarthost": "127.0.0.1:25", "smtp_from": "alerts@example.invalid",
                   "smtp_auth_username": "alerts", "smtp_auth_password": CANARY + "-smtp"},
        "route": {"receiver": "default", "group_by": ["alertname"],
                  "routes": [{"matchers": ['severity="critical"'], "receiver": "critical"},
                             {"matchers": ['severity="info"'], "receiver": "mail"}]},
        "receivers": [
            {"name": "default", "slack_configs": [{"channel": "#alerts"}]},
            {"name": "critical", "pagerduty_configs": [{"service_key": "{{ alertmanager_pagerduty_service_key }}"}],
             "webhook_configs": [{"url_secret": "https://hooks.example.invalid/" + CANARY + "-hook",
                                  "http_config": {"basic_auth": {"username": "u",
                                                                 "password": CANARY + "-hookauth"}}}]},
            {"name": "mail", "email_configs": [{"to": "oncall@example.invalid"}]},
        ],
    },
    "prometheus_scrape_configs_extra": [
        {"job_name": "canary", "fallback_scrape_protocol": "PrometheusText0.0.4",
         "static_configs": [{"targets": ["127.0.0.1:9"]}],
         "basic_auth": {"username": "scraper", "password": CANARY + "-scrape"}},
    ],
}
# A rule file Prometheus' promtool refuses: the check play fails after every secret file was staged.
BROKEN_RULES = {"prometheus_rule_files_extra": {"broken": {"groups": [{"name": "broken", "rules": [
    {"alert": "Broken", "expr": "up ==="}]}]}}}

# Secret files that must hold the canary after the good run (relative to the configuration root).
EXPECTED_SECRET_FILES = (
    "alertmanager/secrets/slack_api_url",
    "alertmanager/secrets/pagerduty_critical_service_key",
    "alertmanager/secrets/smtp_auth_password",
    "alertmanager/secrets/webhook_critical_url",
    "alertmanager/secrets/webhook_critical_basic_auth_password",
    "prometheus/secrets/scrape_canary_basic_auth_password",
    "grafana/secrets/admin_password",
    "grafana/secrets/secret_key",
    "postgres_exporter/password",
    "redis_exporter/passwords.json",
    "backend/database_url",
)


def _variables():
    """Every variable the roles declare: defaults and argument spec options, with the no_log flag of the specs."""
    found = {}
    for path in glob.glob(os.path.join(ROOT, "roles", "*", "defaults", "main.yml")):
        with open(path, encoding="utf-8") as handle:
            for name in yaml.safe_load(handle) or {}:
                found.setdefault(name, False)
    for path in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")):
        with open(path, encoding="utf-8") as handle:
            specs = (yaml.safe_load(handle) or {}).get("argument_specs") or {}
        for spec in specs.values():
            for name, option in (spec.get("options") or {}).items():
                found[name] = found.get(name, False) or bool(option.get("no_log"))
    return found


def test_every_secret_variable_is_covered():
    """A role's new secret (no_log, or a secret-looking name) must get a canary value or a reason to be left out."""
    variables = _variables()
    assert set(SECRETS) | set(NOT_SET) <= set(variables), "the canary sets variables no role declares"
    secret_like = {name for name, no_log in variables.items()
                   if (no_log or SECRET_NAME.search(name)) and not name.startswith("_")}
    missing = sorted(secret_like - set(SECRETS) - set(NOT_SET) - set(NOT_SECRET))
    assert not missing, ("secret-looking variables the canary test does not set: %s. Add them to SECRETS in %s (or "
                         "to NOT_SET / NOT_SECRET with the reason)" % (", ".join(missing), __file__))


def _sh(args, check=True, stdin=None, timeout=120):
    result = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError("%s failed (%d): %s%s" % (" ".join(args[:6]), result.returncode, result.stdout[-2000:],
                                                       result.stderr[-2000:]))
    return result


def _on_host(*args, **kwargs):
    return _sh(["docker", "exec", "-i", HOST] + list(args), **kwargs)


def _set_fixture_password(password):
    """ALTER the fixture's password, with the SQL on standard input (never on a command line)."""
    _on_host("docker", "exec", "-i", FIXTURE_POSTGRES, "psql", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres",
             stdin="ALTER USER postgres PASSWORD '%s';\n" % password)


class _Sampler(threading.Thread):
    """Samples `ps -eo args` on this machine and inside the test host every 0.2 s until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.samples = 0
        self.hits = []

    def run(self):
        while not self.stop.is_set():
            for where, args in (("this machine", ["ps", "-eo", "args"]),
                                (HOST, ["docker", "exec", HOST, "ps", "-eo", "args"])):
                out = _sh(args, check=False, timeout=30).stdout
                self.samples += 1
                self.hits += ["%s: %s" % (where, line) for line in out.splitlines() if CANARY in line]
            time.sleep(0.2)


def _converge(tmp_path, name, extra, verbose=True, sample=False):
    """Run site.yml against the deploy test host with the given extra vars (a 0600 file, removed afterwards); return
    (rc, output, sampler)."""
    varsfile = tmp_path / ("%s.json" % name)
    varsfile.write_text(json.dumps(extra), encoding="utf-8")
    varsfile.chmod(0o600)
    args = ["ansible-playbook", "-i", INVENTORY, "proxy_agent.observability.site", "-e", "@" + LOCAL_IMAGES,
            "-e", "@%s" % varsfile] + (["-vvv", "--diff"] if verbose else [])
    sampler = _Sampler() if sample else None
    if sampler:
        sampler.start()
    try:
        result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    finally:
        varsfile.unlink()
        if sampler:
            sampler.stop.set()
            sampler.join()
    (tmp_path / ("%s.log" % name)).write_text(result.stdout + result.stderr, encoding="utf-8")
    return result.returncode, result.stdout + result.stderr, sampler


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The good canary run, the failing one, and what the host holds after the good one; then converge back."""
    tmp_path = tmp_path_factory.mktemp("canary")
    assert _on_host("true", check=False).returncode == 0, (
        "the deploy test host %s is not running: run `bash scripts/deploy --local-images` first" % HOST)
    # An empty grafana_secret_key keeps the key on the host: the converge back gives the one from before the canary.
    grafana_key = _on_host("cat", CONFIG_ROOT + "/grafana/secrets/secret_key", check=False).stdout.strip()
    _set_fixture_password(DB_PASSWORD)
    found = {}
    try:
        extra = dict(SECRETS, **EXTRA)
        found["good_rc"], found["good"], found["sampler"] = _converge(tmp_path, "good", extra, sample=True)
        found["inspect"] = _on_host("sh", "-c", "docker inspect $(docker ps -aq)").stdout
        found["readable"] = _on_host(
            "sh", "-c", "find %s -xdev -perm -o+r ! -type d -print0 | xargs -0r grep -l -F -e '%s' || true"
            % (CONFIG_ROOT, CANARY)).stdout
        found["kept"] = _on_host("sh", "-c", "find %s/.staging %s/.previous -mindepth 1 2>/dev/null || true"
                                 % (CONFIG_ROOT, CONFIG_ROOT)).stdout
        found["secret_files"] = {
            path: _on_host("cat", "%s/%s" % (CONFIG_ROOT, path), check=False).stdout for path in EXPECTED_SECRET_FILES}
        found["alertmanager.yml"] = _on_host("cat", CONFIG_ROOT + "/alertmanager/alertmanager.yml").stdout
        found["prometheus.yml"] = _on_host("cat", CONFIG_ROOT + "/prometheus/prometheus.yml").stdout
        request = urllib.request.Request(GRAFANA_URL + "/api/user", headers={
            "Authorization": "Basic " + base64.b64encode(("admin:" + SECRETS["grafana_admin_password"]).encode())
            .decode()})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                found["grafana"] = answer.status
        except urllib.error.HTTPError as error:
            found["grafana"] = error.code
        found["bad_rc"], found["bad"], dummy = _converge(tmp_path, "broken", dict(extra, **BROKEN_RULES))
        found["bad_kept"] = _on_host("sh", "-c", "find %s/.staging %s/.previous -mindepth 1 2>/dev/null || true"
                                     % (CONFIG_ROOT, CONFIG_ROOT)).stdout
        yield found
    finally:
        # Back to the local inventory's values, as the README describes the deploy test host.
        _set_fixture_password(FIXTURE_PASSWORD)
        rc, output, dummy = _converge(tmp_path, "back", {"grafana_secret_key": grafana_key} if grafana_key else {},
                                      verbose=False)
        assert rc == 0, "the converge back to the local inventory's values failed:\n" + output[-4000:]
        left = _on_host("grep", "-rlF", CANARY, CONFIG_ROOT, check=False).stdout
        assert left == "", "the converge back left the canary in: %s" % left


def test_the_good_run_succeeded_and_printed_no_secret(runs):
    assert runs["good_rc"] == 0, runs["good"][-4000:]
    assert runs["good"].count(CANARY) == 0, [line for line in runs["good"].splitlines() if CANARY in line][:5]


def test_the_failing_run_failed_after_staging_and_printed_no_secret(runs):
    assert runs["bad_rc"] != 0
    assert "prometheus_rule_files_extra['broken']" in runs["bad"], runs["bad"][-4000:]
    assert runs["bad"].count(CANARY) == 0, [line for line in runs["bad"].splitlines() if CANARY in line][:5]
    assert runs["bad_kept"] == ""


def test_no_container_shows_a_secret_in_docker_inspect(runs):
    assert '"Env"' in runs["inspect"]
    assert runs["inspect"].count(CANARY) == 0, [line for line in runs["inspect"].splitlines() if CANARY in line][:5]


def test_no_process_list_showed_a_secret_during_the_run(runs):
    assert runs["sampler"].samples > 20
    assert runs["sampler"].hits == []


def test_no_file_others_can_read_holds_a_secret_and_no_copy_is_kept(runs):
    assert runs["readable"] == ""
    assert runs["kept"] == ""


def test_the_canary_was_used(runs):
    empty = [path for path, content in runs["secret_files"].items() if CANARY not in content]
    assert not empty, "these secret files do not hold the canary: %s" % empty
    assert runs["grafana"] == 200
    assert "slack_api_url_file: /etc/alertmanager/secrets/slack_api_url" in runs["alertmanager.yml"]
    assert "smtp_auth_password_file: /etc/alertmanager/secrets/smtp_auth_password" in runs["alertmanager.yml"]
    assert "password_file: /etc/prometheus/secrets/scrape_canary_basic_auth_password" in runs["prometheus.yml"]

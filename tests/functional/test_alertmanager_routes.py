# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The configuration the alertmanager_config filter renders from the seed is accepted and routes as the seed meant.

Renders tests/fixtures/alertmanager_seed.yml through the filter, writes alertmanager.yml and the secret files the way
the role does (secret files 0640, group 65534), and asks amtool from the pinned Alertmanager image
(PROXY_OBS_ALERTMANAGER_IMAGE, built by `tests/images/build.sh alertmanager`; never pulled) to check the file and
to resolve alerts to receivers. Also shows why the filter departs from the seed: the seed's own file, with its
unexpanded ${SLACK_WEBHOOK_URL}, is rejected by amtool.
"""
from __future__ import annotations

import copy
import os
import subprocess

import pytest
from docker_check import docker_unavailable
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.alertmanager_config import alertmanager_config

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(os.path.dirname(HERE), "fixtures", "alertmanager_seed.yml")
IMAGE = os.environ.get("PROXY_OBS_ALERTMANAGER_IMAGE", "localhost/proxy-obs/alertmanager:0.33.1")
CONFIG_DIR = "/etc/alertmanager"
CONFIG_FILE = CONFIG_DIR + "/alertmanager.yml"
NOBODY = 65534

# monitoring-observability-guide.md, "AlertManager Configuration", config/alertmanager.yml, verbatim.
SEED_ALERTMANAGER_YML = """\
global:
  resolve_timeout: 5m
  slack_api_url: '${SLACK_WEBHOOK_URL}'

route:
  group_by: ['alertname', 'cluster', 'service']
  group_wait: 10s
  group_interval: 10s
  repeat_interval: 12h
  receiver: 'default'
  routes:
    - match:
        severity: critical
      receiver: 'critical'
      continue: true
    - match:
        severity: warning
      receiver: 'warning'

receivers:
  - name: 'default'
    slack_configs:
      - channel: '#alerts'
        title: '{{ .GroupLabels.alertname }}'
        text: '{{ range .Alerts }}{{ .Annotations.description }}{{ end }}'

  - name: 'critical'
    slack_configs:
      - channel: '#critical-alerts'
        title: '🚨 CRITICAL: {{ .GroupLabels.alertname }}'
        text: '{{ range .Alerts }}{{ .Annotations.description }}{{ end }}'
    pagerduty_configs:
      - service_key: '${PAGERDUTY_SERVICE_KEY}'

  - name: 'warning'
    slack_configs:
      - channel: '#warnings'
        title: '⚠️ WARNING: {{ .GroupLabels.alertname }}'
        text: '{{ range .Alerts }}{{ .Annotations.description }}{{ end }}'

inhibit_rules:
  - source_match:
      severity: 'critical'
    target_match:
      severity: 'warning'
    equal: ['alertname', 'cluster', 'service']
"""


_UNAVAILABLE = docker_unavailable()
pytestmark = pytest.mark.skipif(_UNAVAILABLE is not None, reason="docker is unavailable: %s" % _UNAVAILABLE)


@pytest.fixture(scope="module", autouse=True)
def image_present():
    inspect = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, text=True, timeout=60,
                             check=False)
    if inspect.returncode != 0:
        pytest.fail("image %s is missing; build it with `bash tests/images/build.sh alertmanager` (this test never "
                    "pulls)" % IMAGE)


def seed_spec():
    with open(FIXTURE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["alertmanager_config"]


def _share_with_nobody(path, mode):
    """Give the path to root:65534 with mode (as the role does), or make it world-readable when not root."""
    if os.geteuid() == 0:
        os.chown(path, 0, NOBODY)
        os.chmod(path, mode)
    else:
        os.chmod(path, mode | ((mode & 0o070) >> 3))


def write_config_dir(directory, result):
    """Write alertmanager.yml and the secret files into directory, mounted as /etc/alertmanager."""
    secrets = directory / "secrets"
    secrets.mkdir()
    for name, value in result["secrets"].items():
        (secrets / name).write_text(value, encoding="utf-8")
        _share_with_nobody(secrets / name, 0o640)
    config = directory / "alertmanager.yml"
    config.write_text(yaml.safe_dump(result["config"], sort_keys=False, allow_unicode=True), encoding="utf-8")
    _share_with_nobody(config, 0o640)
    _share_with_nobody(secrets, 0o750)
    _share_with_nobody(directory, 0o750)
    return directory


def run_in_image(directory, entrypoint, *args):
    cmd = ["docker", "run", "--rm", "--pull=never", "--network=none", "-v", "%s:%s:ro" % (directory, CONFIG_DIR),
           "--entrypoint", entrypoint, IMAGE] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def amtool(directory, *args):
    return run_in_image(directory, "/bin/amtool", *args)


def routes_test(directory, receivers, *labels):
    return amtool(directory, "config", "routes", "test", "--config.file=" + CONFIG_FILE,
                  "--verify.receivers=" + receivers, *labels)


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory):
    return write_config_dir(tmp_path_factory.mktemp("alertmanager-seed"), alertmanager_config(seed_spec()))


def test_rendered_seed_passes_amtool_check_config(seed_dir):
    result = amtool(seed_dir, "check-config", CONFIG_FILE)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "SUCCESS" in output, output
    assert " - 3 receivers" in output and " - 1 inhibit rules" in output, output


def test_rendered_config_holds_no_secret_value(seed_dir):
    text = (seed_dir / "alertmanager.yml").read_text(encoding="utf-8")
    assert "slack_api_url_file: /etc/alertmanager/secrets/slack_api_url" in text
    assert "service_key_file: /etc/alertmanager/secrets/pagerduty_critical_service_key" in text
    assert "hooks.slack.invalid" not in text and "0123456789abcdef" not in text


def test_secret_files_are_readable_by_alertmanagers_user(seed_dir):
    result = run_in_image(seed_dir, "/bin/sh", "-c", "id -u; cat %s/secrets/slack_api_url; echo; "
                          "cat %s/secrets/pagerduty_critical_service_key" % (CONFIG_DIR, CONFIG_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["65534", "https://hooks.slack.invalid/services/T000/B000/XXXX",
                                     "0123456789abcdef0123456789abcdef"]


ROUTING = [
    # continue: true on the critical route only lets Alertmanager go on to the sibling warning route, which does
    # not match severity=critical; the root's default receiver is not added because a child route matched.
    ("critical", ["severity=critical", "alertname=HighErrorRate"], "critical"),
    ("warning", ["severity=warning", "alertname=HighLatency"], "warning"),
    ("no-severity", ["alertname=Watchdog"], "default"),
    ("other-severity", ["severity=info", "alertname=Deploy"], "default"),
]


@pytest.mark.parametrize("labels, receivers", [case[1:] for case in ROUTING], ids=[case[0] for case in ROUTING])
def test_alert_reaches_the_seeds_receiver(seed_dir, labels, receivers):
    result = routes_test(seed_dir, receivers, *labels)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receivers, result.stdout + result.stderr


def test_critical_alert_does_not_also_reach_default(seed_dir):
    result = routes_test(seed_dir, "critical,default", "severity=critical", "alertname=HighErrorRate")
    assert result.returncode != 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["critical", "WARNING: Expected receivers did not match resolved receivers."]


def test_routing_tree_shows_continue_on_the_critical_route(seed_dir):
    result = amtool(seed_dir, "config", "routes", "show", "--config.file=" + CONFIG_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert '├── {severity="critical"}  continue: true  receiver: critical' in lines, result.stdout
    assert '└── {severity="warning"}  receiver: warning' in lines, result.stdout


def test_continue_delivers_to_a_later_matching_sibling_too(tmp_path):
    spec = copy.deepcopy(seed_spec())
    spec["route"]["routes"].append({"match": {"team": "db"}, "receiver": "warning"})
    directory = write_config_dir(tmp_path, alertmanager_config(spec))
    result = routes_test(directory, "critical,warning", "severity=critical", "team=db", "alertname=ReplicationLag")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "critical,warning"


def test_seeds_original_file_is_rejected_by_amtool(tmp_path):
    (tmp_path / "alertmanager.yml").write_text(SEED_ALERTMANAGER_YML, encoding="utf-8")
    _share_with_nobody(tmp_path / "alertmanager.yml", 0o640)
    _share_with_nobody(tmp_path, 0o750)
    result = amtool(tmp_path, "check-config", CONFIG_FILE)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert 'FAILED: unsupported scheme "" for URL' in output, output


# The filter's matcher parser against amtool's: what the filter accepts, amtool's UTF-8 parser accepts (no
# fallback to the classic parser); what the filter rejects, amtool rejects or only takes through that fallback.
ACCEPTED_MATCHERS = [
    'severity="critical"',
    "severity = critical",
    '{job=~"node|cadvisor", instance!="a:9100",}',
    r'"foo.bar"!~"x\\d\"y"',
    r'job=~"\\pL+\\z"',
]
REJECTED_MATCHERS = [
    "severity==critical",
    'severity="critical',
    "severity='critical'",
    r'job=~"\d+"',
    "severity",
    'job=~"(node"',
    'job!~"(?!node).*"',
]


def test_matchers_the_filter_accepts_pass_amtools_utf8_parser(tmp_path):
    spec = {"route": {"receiver": "r", "routes": [{
        "receiver": "r", "matchers": ACCEPTED_MATCHERS,
        "match": {"k8s.namespace": "web", "service": 'api "v2"'}, "match_re": {"instance": r"node-\d+:9100"}}]},
        "receivers": [{"name": "r"}]}
    directory = write_config_dir(tmp_path, alertmanager_config(spec))
    result = amtool(directory, "check-config", CONFIG_FILE)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "incompatible" not in output, output


@pytest.mark.parametrize("matcher", REJECTED_MATCHERS)
def test_matchers_the_filter_rejects_fail_or_need_amtools_fallback(tmp_path, matcher):
    spec = {"route": {"receiver": "r", "routes": [{"receiver": "r", "matchers": [matcher]}]},
            "receivers": [{"name": "r"}]}
    with pytest.raises(AnsibleFilterError, match="is not a valid matcher|does not compile"):
        alertmanager_config(spec)
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    _share_with_nobody(tmp_path / "alertmanager.yml", 0o640)
    _share_with_nobody(tmp_path, 0o750)
    result = amtool(tmp_path, "check-config", CONFIG_FILE)
    output = result.stdout + result.stderr
    assert result.returncode != 0 or "incompatible" in output, output

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The application alert rules are valid and behave as tests/rules/proxy-agent.rules.test.yml says.

The template is rendered exactly as the role renders it (roles/prometheus/tasks/preflight.yml: the
ansible.builtin.template lookup with `[[ ]]` as variable delimiters and template_vars holding the role's default
`for` durations and thresholds), then `promtool check rules` and `promtool test rules` run inside the Prometheus
image (PROXY_OBS_PROMETHEUS_IMAGE, default the locally built localhost/proxy-obs/prometheus:3.5.3). A missing image
fails the tests; only a missing Docker engine skips them.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEMPLATE = os.path.join(ROOT, "roles", "prometheus", "templates", "rules", "proxy-agent.rules.yml.j2")
RULES_NAME = "proxy-agent.yml"  # as the role deploys it: /etc/prometheus/rules/proxy-agent.yml
TEST_FILE = os.path.join(ROOT, "tests", "rules", "proxy-agent.rules.test.yml")
ROLE_DEFAULTS = os.path.join(ROOT, "roles", "prometheus", "defaults", "main.yml")
ROLE_VARS = os.path.join(ROOT, "roles", "prometheus", "vars", "main.yml")
RUNBOOKS = os.path.join(ROOT, "docs", "runbooks.md")
IMAGE = os.environ.get("PROXY_OBS_PROMETHEUS_IMAGE", "localhost/proxy-obs/prometheus:3.5.3")
RUNBOOK_BASE = "https://github.com/proxy-agent/ansible-collection-observability/blob/main/docs/runbooks.md"

# The role's defaults (the seed's values).
DEFAULT_VARS = {
    "prometheus_alert_for": {
        "HighErrorRate": "5m",
        "HighResponseTime": "5m",
        "ServiceDown": "2m",
        "DatabaseConnectionPoolExhausted": "5m",
        "HighMemoryUsage": "5m",
        "CeleryQueueBacklog": "10m",
    },
    "prometheus_alert_thresholds": {
        "error_ratio": 0.05,
        "p95_seconds": 1,
        "db_connections_ratio": 0.8,
        "memory_ratio": 0.9,
        "celery_queue_length": 1000,
    },
}
ALERTS = list(DEFAULT_VARS["prometheus_alert_for"])
SEVERITY = {
    "HighErrorRate": "critical",
    "HighResponseTime": "warning",
    "ServiceDown": "critical",
    "DatabaseConnectionPoolExhausted": "warning",
    "HighMemoryUsage": "warning",
    "CeleryQueueBacklog": "warning",
}


def _docker_unavailable_reason():
    docker = shutil.which("docker")
    if docker is None:
        return "docker is not available: no `docker` command on PATH"
    try:
        result = subprocess.run([docker, "version", "--format", "{{.Server.Version}}"], capture_output=True,
                                text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return "docker is not available: `docker version` did not answer within 30s"
    if result.returncode != 0:
        return f"docker is not available: the engine does not answer ({(result.stderr or result.stdout).strip()})"
    return None


_REASON = _docker_unavailable_reason()
if _REASON:
    pytest.skip(_REASON, allow_module_level=True)


def _ansible_bin():
    beside_python = os.path.join(os.path.dirname(sys.executable), "ansible")
    return beside_python if os.path.exists(beside_python) else shutil.which("ansible") or "ansible"


def render(directory, variables, via="lookup", name=RULES_NAME):
    """Render the template into `directory`; return the rendered file's path.

    via="lookup" is the role's way (the template lookup with template_vars, written with copy), via="module" the
    template module with the same delimiters; both must give the same file.
    """
    os.makedirs(directory, exist_ok=True)
    vars_file = os.path.join(directory, f"vars-{via}.json")
    dest = os.path.join(directory, name)
    if via == "lookup":
        with open(vars_file, "w", encoding="utf-8") as handle:
            json.dump({"alert_rules_src": TEMPLATE, "alert_rules_vars": variables}, handle)
        module = "ansible.builtin.copy"
        args = {"dest": dest, "mode": "0644",
                "content": "{{ lookup('ansible.builtin.template', alert_rules_src, variable_start_string='[[', "
                           "variable_end_string=']]', template_vars=alert_rules_vars) }}"}
    else:
        with open(vars_file, "w", encoding="utf-8") as handle:
            json.dump(variables, handle)
        module = "ansible.builtin.template"
        args = {"src": TEMPLATE, "dest": dest, "mode": "0644",
                "variable_start_string": "[[", "variable_end_string": "]]"}
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    cmd = [_ansible_bin(), "localhost", "-i", "localhost,", "-c", "local", "-m", module, "-a", json.dumps(args),
           "-e", "@" + vars_file, "-e", "ansible_python_interpreter={{ ansible_playbook_python }}"]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"rendering failed:\n{result.stdout}\n{result.stderr}"
    return dest


def promtool(directory, *args):
    """Run promtool in the image with `directory` mounted read-only at /rules."""
    cmd = ["docker", "run", "--rm", "--pull", "never", "--network", "none", "--user", str(os.getuid()),
           "-v", f"{directory}:/rules:ro", "--entrypoint", "/bin/promtool", IMAGE, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def rules_by_name(path):
    document = load_yaml(path)
    return {rule["alert"]: rule for group in document["groups"] for rule in group["rules"]}


def write_tests(directory, document):
    path = os.path.join(directory, "generated.test.yml")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(document, handle, sort_keys=False)
    return "/rules/generated.test.yml"


@pytest.fixture(scope="module")
def image():
    result = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE], capture_output=True,
                            text=True, timeout=60, check=False)
    if result.returncode != 0:
        pytest.fail(f"image {IMAGE} is missing: build it with `bash tests/images/build.sh prometheus` "
                    "(or point PROXY_OBS_PROMETHEUS_IMAGE at an image with /bin/promtool)")
    return IMAGE


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Directory holding the rules rendered with the defaults and the promtool test file beside them."""
    directory = str(tmp_path_factory.mktemp("rules"))
    render(directory, DEFAULT_VARS)
    shutil.copy(TEST_FILE, os.path.join(directory, os.path.basename(TEST_FILE)))
    return directory


def test_rendered_rules_keep_prometheus_templates_and_use_the_defaults(rendered):
    with open(os.path.join(rendered, RULES_NAME), encoding="utf-8") as handle:
        text = handle.read()
    assert "[[" not in text and "]]" not in text and "[%" not in text, text
    assert "{{ $value | humanizePercentage }}" in text and "{{ $labels.job }}" in text, text
    document = yaml.safe_load(text)
    assert [(g["name"], g["interval"]) for g in document["groups"]] == [("application_alerts", "30s")]
    rules = rules_by_name(os.path.join(rendered, RULES_NAME))
    assert list(rules) == ALERTS
    for name, rule in rules.items():
        assert rule["for"] == DEFAULT_VARS["prometheus_alert_for"][name], rule
        assert rule["labels"] == {"severity": SEVERITY[name]}, rule
        assert set(rule["annotations"]) == {"summary", "description", "runbook_url"}, rule
        assert rule["annotations"]["runbook_url"] == f"{RUNBOOK_BASE}#{name.lower()}", rule
    assert re.search(r"\)\s*> 0\.05\s*$", rules["HighErrorRate"]["expr"]), rules["HighErrorRate"]["expr"]
    assert rules["CeleryQueueBacklog"]["expr"].strip() == "celery_queue_length > 1000"


def test_the_template_module_renders_the_same_file(rendered, tmp_path):
    path = render(str(tmp_path), DEFAULT_VARS, via="module")
    with open(path, encoding="utf-8") as module_file, \
            open(os.path.join(rendered, RULES_NAME), encoding="utf-8") as lookup_file:
        assert module_file.read() == lookup_file.read()


def test_promtool_check_rules(image, rendered):
    result = promtool(rendered, "check", "rules", "--lint-fatal", f"/rules/{RULES_NAME}")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"SUCCESS: {len(ALERTS)} rules found" in output, output


def test_promtool_test_rules(image, rendered):
    result = promtool(rendered, "test", "rules", "/rules/" + os.path.basename(TEST_FILE))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "SUCCESS" in output and "FAILED" not in output, output


def test_every_rule_has_a_firing_and_a_quiet_case():
    cases = [case for group in load_yaml(TEST_FILE)["tests"] for case in group["alert_rule_test"]]
    for name in ALERTS:
        own = [case for case in cases if case["alertname"] == name]
        firing = [case for case in own if case.get("exp_alerts")]
        quiet = [case for case in own if not case.get("exp_alerts")]
        assert firing, f"{name}: no case proves it fires"
        assert quiet, f"{name}: no case proves it stays quiet"
        for case in firing:
            for alert in case["exp_alerts"]:
                assert alert["exp_labels"].get("severity") == SEVERITY[name], case
                assert set(alert["exp_annotations"]) == {"summary", "description", "runbook_url"}, case


def test_runbook_has_an_anchor_for_every_alert():
    with open(RUNBOOKS, encoding="utf-8") as handle:
        headings = re.findall(r"^#{2,3} (.+?)\s*$", handle.read(), re.M)
    # GitHub's anchor: lower case, punctuation other than - and _ dropped, spaces to dashes.
    anchors = {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}
    missing = [name for name in ALERTS if name.lower() not in anchors]
    assert not missing, f"docs/runbooks.md has no section for {missing} (headings: {headings})"


def test_a_shortened_for_is_rendered_and_takes_effect(image, tmp_path):
    variables = copy.deepcopy(DEFAULT_VARS)
    variables["prometheus_alert_for"]["ServiceDown"] = "10s"
    path = render(str(tmp_path), variables)
    rules = rules_by_name(path)
    assert rules["ServiceDown"]["for"] == "10s"
    assert rules["ServiceDown"]["annotations"]["description"].endswith("for more than 10s.")
    assert {name: rule["for"] for name, rule in rules.items() if name != "ServiceDown"} == {
        name: value for name, value in DEFAULT_VARS["prometheus_alert_for"].items() if name != "ServiceDown"}
    # A target down from the start fires at the first evaluation 10s later, long before the default 2m.
    document = {
        "rule_files": [RULES_NAME],
        "evaluation_interval": "30s",
        "tests": [{
            "interval": "30s",
            "input_series": [{"series": 'up{job="node", instance="node-1:9100"}', "values": "0 0 0 0"}],
            "alert_rule_test": [
                {"eval_time": "0s", "alertname": "ServiceDown", "exp_alerts": []},
                {"eval_time": "30s", "alertname": "ServiceDown", "exp_alerts": [{
                    "exp_labels": {"severity": "critical", "job": "node", "instance": "node-1:9100"},
                    "exp_annotations": {
                        "summary": "Service node is down on node-1:9100",
                        "description": "Prometheus has failed to scrape node-1:9100 (job node) for more than 10s.",
                        "runbook_url": f"{RUNBOOK_BASE}#servicedown",
                    },
                }]},
            ],
        }],
    }
    result = promtool(str(tmp_path), "test", "rules", write_tests(str(tmp_path), document))
    assert result.returncode == 0, result.stdout + result.stderr


def _first_case(document, alertname, firing):
    for group in document["tests"]:
        for case in group["alert_rule_test"]:
            if case["alertname"] == alertname and bool(case.get("exp_alerts")) == firing:
                return case
    raise AssertionError(f"no {'firing' if firing else 'quiet'} case for {alertname}")


def _wrong_annotation(document):
    case = _first_case(document, "HighErrorRate", firing=True)
    case["exp_alerts"][0]["exp_annotations"]["description"] = "Error rate is 10% over the last 5 minutes"
    return "HighErrorRate"


def _quiet_case_expected_to_fire(document):
    case = _first_case(document, "HighMemoryUsage", firing=False)
    firing = _first_case(document, "HighMemoryUsage", firing=True)
    case["exp_alerts"] = copy.deepcopy(firing["exp_alerts"])
    return "HighMemoryUsage"


def _firing_case_expected_quiet(document):
    _first_case(document, "DatabaseConnectionPoolExhausted", firing=True)["exp_alerts"] = []
    return "DatabaseConnectionPoolExhausted"


@pytest.mark.parametrize("mutate", [_wrong_annotation, _quiet_case_expected_to_fire, _firing_case_expected_quiet],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_wrong_expectation_makes_promtool_fail(image, rendered, tmp_path, mutate):
    """The harness can fail: the real rules against deliberately wrong expectations."""
    shutil.copy(os.path.join(rendered, RULES_NAME), tmp_path / RULES_NAME)
    document = load_yaml(TEST_FILE)
    alertname = mutate(document)
    result = promtool(str(tmp_path), "test", "rules", write_tests(str(tmp_path), document))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "FAILED" in output and f"alertname: {alertname}" in output, output


def test_role_defaults_match_the_values_tested_here():
    """The role passes `_prometheus_alert_*_defaults | combine(prometheus_alert_*)` (tasks/preflight.yml)."""
    for path in (ROLE_VARS, ROLE_DEFAULTS):
        if not os.path.exists(path):
            pytest.skip(f"{os.path.relpath(path, ROOT)} does not exist yet")
    role_vars, defaults = load_yaml(ROLE_VARS) or {}, load_yaml(ROLE_DEFAULTS) or {}
    for name, expected in DEFAULT_VARS.items():
        base = "_" + name + "_defaults"
        assert base in role_vars, f"{os.path.relpath(ROLE_VARS, ROOT)} does not define {base}"
        assert name in defaults, f"{os.path.relpath(ROLE_DEFAULTS, ROOT)} does not define {name}"
        effective = {**role_vars[base], **(defaults[name] or {})}
        assert effective == expected, f"{name}: the role passes {effective!r}, the tests assume {expected!r}"

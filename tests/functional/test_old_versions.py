# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The configuration the collection renders still works with the older majors users may pin: Prometheus 2.x and an
older Alertmanager.

The images are the Debian trixie builds of tests/images/build.sh (not built by default):

    bash tests/images/build.sh prometheus-trixie alertmanager-trixie
    # -> localhost/proxy-obs/prometheus:2.53.3, localhost/proxy-obs/alertmanager:0.28.1

(PROXY_OBS_OLD_PROMETHEUS_IMAGE / PROXY_OBS_OLD_ALERTMANAGER_IMAGE name others; they are never pulled.) Without
them, or without a Docker engine, the tests are skipped.

- The real site playbook runs in check mode against this machine, like test_preflight_metrics.py (fixtures in
  conftest.py: the docker_host role's tasks skipped, observability_config_root in a temporary directory), with
  observability_image_overrides pointing at the old images. Its play "Check every configuration with the image that
  will run it" calls proxy_agent.observability.config_dir with state=checked: it stages each configuration in a
  private temporary directory, runs `promtool check config` / `amtool check-config` and then the server binary with
  the container's flags and `--help` (the flags check) from the image given, and removes the copy. The run passing
  proves that the old checkers and the old servers' flag parsers accept what the roles render. The run needs the
  stack's Docker network to exist (the container task checks its parameters against the engine even in check mode);
  a throwaway internal network with a unique name stands in for it and is removed afterwards.
- No copy stays in staging, so the old servers start from the directory the role rendered, rebuilt from the run's
  `-vvv` output (the module's `files`; the secret files, hidden by no_log, hold the fake secrets of SECRETS), with
  the exact flags the playbook would run them with.
- The alert rules, rendered as the role renders them (test_alert_rules.render), pass `promtool check rules` and the
  unit tests of tests/rules/proxy-agent.rules.test.yml with the 2.x promtool.
- A job key that only Prometheus 3 knows is refused by the 2.x promtool in the check play, before any live file
  is written and with no copy left in staging (the checker from the pinned image is the safety net for a 2.x pin).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import time
import uuid

import pytest
import yaml
from docker_check import docker_unavailable
from test_alert_rules import DEFAULT_VARS, RULES_NAME, TEST_FILE, render

PROMETHEUS = os.environ.get("PROXY_OBS_OLD_PROMETHEUS_IMAGE", "localhost/proxy-obs/prometheus:2.53.3")
ALERTMANAGER = os.environ.get("PROXY_OBS_OLD_ALERTMANAGER_IMAGE", "localhost/proxy-obs/alertmanager:0.28.1")
BUILD = "bash tests/images/build.sh prometheus-trixie alertmanager-trixie"
COMPONENTS = ["prometheus", "alertmanager"]
# The seed's Alertmanager configuration (the role's default) needs these two secrets; fake ones, as in
# test_preflight_metrics.py.
SECRETS = {"alertmanager_slack_api_url": "https://hooks.slack.invalid/services/T0/B0/test",
           "alertmanager_pagerduty_service_key": "0123456789abcdef"}
# The files the alertmanager role writes with secret_files (roles/alertmanager/tasks/main.yml: secrets/ + the file
# names of plugins/filter/alertmanager_config.py for the seed's receivers), with the fake secrets they hold.
SECRET_FILES = {"alertmanager": {"secrets/slack_api_url": SECRETS["alertmanager_slack_api_url"],
                                 "secrets/pagerduty_critical_service_key": SECRETS["alertmanager_pagerduty_service_key"]}}
# Runs twice: with state=checked in the check play, then with state=present in the deploy play.
STAGE_TASK = "Stage, check and swap in the configuration of %s"
RUN_TASK = "Run container proxy-%s"
# Where each component's configuration is mounted and the port it serves readiness on.
SERVICES = {"prometheus": ("/etc/prometheus", 9090), "alertmanager": ("/etc/alertmanager", 9093)}


def _why_skip():
    reason = docker_unavailable()
    if reason:
        return "the checkers run in Docker: %s" % reason
    missing = [image for image in (PROMETHEUS, ALERTMANAGER)
               if subprocess.run(["docker", "image", "inspect", image], capture_output=True, timeout=60,
                                 check=False).returncode != 0]
    if missing:
        return "old-version images not built here: %s (build them with `%s`)" % (", ".join(missing), BUILD)
    return None


_REASON = _why_skip()
if _REASON:
    pytest.skip(_REASON, allow_module_level=True)


def _docker(*args, timeout=120):
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)


def _printed_result(text, host):
    """The result printed for host in the output of one task (text up to the next task), or None."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^(ok|changed|failed|fatal): \[%s\]" % re.escape(host), line):
            body = []
            for following in lines[index + 1:]:
                if following and not following.startswith(" "):
                    break
                body.append(following)
            return yaml.safe_load(textwrap.dedent("\n".join(body))) or {}
    return None


def task_results(stdout, task, host="localhost"):
    """The results a task printed for host with -v (callback_result_format = yaml), as dicts, one each time the task
    ran and printed one (a skipped task prints none), in the order of the run."""
    results = []
    for header in re.finditer(r"^TASK \[(?:[^\]]*: )?%s\] \**$" % re.escape(task), stdout, re.M):
        following = re.search(r"^TASK \[", stdout[header.end():], re.M)
        result = _printed_result(stdout[header.end():header.end() + following.start() if following else None], host)
        if result is not None:
            results.append(result)
    return results


def task_result(stdout, task, host="localhost"):
    """The first result a task printed for host; None if it printed none."""
    return next(iter(task_results(stdout, task, host)), None)


def rendered_directory(stdout, component, target):
    """Rebuild in target the configuration directory the role rendered for component (nothing of it stays on disk
    in check mode), from the arguments of the check play's config_dir task (printed with -vvv): its files, and the
    fake secrets of SECRET_FILES for its secret files, whose content no_log hides. Readable by the container's user.
    Returns target."""
    results = task_results(stdout, STAGE_TASK % component)
    assert results and "invocation" in results[0], "no module arguments of %r (run with -vvv):\n%s" % (
        STAGE_TASK % component, stdout)
    arguments = results[0]["invocation"]["module_args"]
    assert arguments["state"] == "checked", arguments
    secrets = SECRET_FILES.get(component, {})
    assert sorted(arguments["secret_files"]) == sorted(secrets), (
        "the role writes other secret files than SECRET_FILES[%r] knows: %s" % (component, arguments["secret_files"]))
    for relative, content in {**arguments["files"], **secrets}.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        path.chmod(0o644)
    for directory in [target, *(path for path in target.rglob("*") if path.is_dir())]:
        directory.chmod(0o755)
    # Every file the configuration refers to under its mount is there (the secret files in particular).
    mount = SERVICES[component][0]
    for name, content in arguments["files"].items():
        for referred in re.findall(r"_file: (%s/\S+)" % re.escape(mount), content):
            assert (target / os.path.relpath(referred, mount)).is_file(), "%s refers to %s, not rebuilt" % (
                name, referred)
    return target


def _run_site(run_playbook, config_root, network, extra=None, verbosity="-v"):
    extra_vars = {
        "observability_components": COMPONENTS,
        "observability_image_pull": False,
        "observability_config_root": str(config_root),
        "observability_network_name": network,
        "observability_image_overrides": {"prometheus": PROMETHEUS, "alertmanager": ALERTMANAGER},
        **SECRETS,
    }
    extra_vars.update(extra or {})
    return run_playbook("proxy_agent.observability.site", extra_vars, args=[verbosity, "--skip-tags", "docker_host"])


_SITE_RUN = {}


@pytest.fixture(name="site_run")
def fixture_site_run(run_playbook, network, tmp_path_factory, monkeypatch):
    """The check-mode run of the site playbook with the old images, made once for the tests of this module:
    (process, config root). With -vvv, so that the results carry the module arguments (the rendered files), printed
    without the YAML format's readability changes (callback_format_pretty: true strips trailing whitespace, so the
    files would not come back byte for byte)."""
    if "run" not in _SITE_RUN:
        config_root = tmp_path_factory.mktemp("old-versions") / "config"
        monkeypatch.setenv("ANSIBLE_CALLBACK_FORMAT_PRETTY", "false")
        _SITE_RUN["run"] = (_run_site(run_playbook, config_root, network, verbosity="-vvv"), config_root)
    return _SITE_RUN["run"]


def test_check_mode_run_with_the_old_images_succeeds_and_checks_with_them(site_run):
    result, config_root = site_run
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for component, image, checker, args, success in (
            ("prometheus", PROMETHEUS, "/bin/promtool", ["check", "config", "/etc/prometheus/prometheus.yml"],
             "SUCCESS: /etc/prometheus/prometheus.yml is valid prometheus config file syntax"),
            ("alertmanager", ALERTMANAGER, "/bin/amtool", ["check-config", "/etc/alertmanager/alertmanager.yml"],
             "Checking '/etc/alertmanager/alertmanager.yml'  SUCCESS")):
        # Once in the check play (state=checked), once in the deploy play (state=present).
        staged = task_results(result.stdout, STAGE_TASK % component)
        assert len(staged) == 2, "not two results of %r in the output:\n%s" % (STAGE_TASK % component, output)
        checked, deployed = staged
        assert checked["invocation"]["module_args"]["state"] == "checked", checked
        assert checked["checked"] is True, checked
        assert len(checked["checks"]) == 2, checked
        config_check, flags_check = checked["checks"]
        command = config_check["command"]
        # docker run ... --entrypoint CHECKER ... IMAGE ARGS: the old image's own checker ran.
        assert command[command.index("--entrypoint") + 1] == checker, command
        assert command[-len(args) - 1:] == [image] + args, command
        assert config_check["rc"] == 0 and success in config_check["stdout"], config_check
        # Then the old server's own binary parsed the flags the role runs it with (read from the check-mode container
        # task) and printed its help: docker run ... --entrypoint /bin/SERVER ... IMAGE FLAGS --help.
        run = task_result(result.stdout, RUN_TASK % component)
        assert run and run.get("actions"), "no result of %r in the output:\n%s" % (RUN_TASK % component, output)
        flags = run["actions"][0]["create_parameters"]["Cmd"]
        command = flags_check["command"]
        assert command[command.index("--entrypoint") + 1] == "/bin/%s" % component, command
        assert command[-len(flags) - 2:] == [image] + flags + ["--help"], command
        assert flags_check["rc"] == 0 and "usage: %s" % component in flags_check["stdout"], flags_check
        # The checkers ran on a private copy, not on the live directory.
        copy = command[command.index("--volume") + 1].split(":", 1)[0]
        assert copy != str(config_root / component) and not os.path.exists(copy), command
        # The deploy play deploys what the check play checked (in check mode: nothing).
        assert deployed["invocation"]["module_args"]["state"] == "present", deployed
        assert deployed["invocation"]["module_args"]["checked_fingerprint"] == checked["fingerprint"], deployed
        # Check mode: the live directory untouched.
        assert not (config_root / component).exists()
        # No staging copy left: neither the component's staging directory nor a private copy of a check.
        assert not (config_root / ".staging" / component).exists()
        assert not (config_root / ".staging").exists() or not any((config_root / ".staging").iterdir()), \
            list((config_root / ".staging").iterdir())
    # An unchanged fingerprint: the deploy play did not run the checkers again. (Alertmanager's secret files are
    # fingerprinted with the host's key, which check mode does not create, so on this fresh root its fingerprint
    # differs between the plays and its checkers run again.)
    assert task_results(result.stdout, STAGE_TASK % "prometheus")[1]["checked"] is False
    prometheus = task_result(result.stdout, STAGE_TASK % "prometheus")["checks"][0]["stdout"]
    # promtool followed rule_files to the role's alert rules and accepted them too.
    assert "Checking /etc/prometheus/rules/proxy-agent.yml" in prometheus, prometheus
    assert "SUCCESS: 6 rules found" in prometheus, prometheus
    # The version the old checkers report is the one pinned.
    for image, binary in ((PROMETHEUS, "/bin/promtool"), (ALERTMANAGER, "/bin/amtool")):
        version = _docker("run", "--rm", "--network", "none", "--entrypoint", binary, image, "--version")
        assert image.rsplit(":", 1)[1] in version.stdout + version.stderr, version


@pytest.mark.parametrize("component", COMPONENTS)
def test_old_server_starts_with_the_rendered_config_and_the_roles_flags(site_run, component, tmp_path):
    """The flags the role passes (read from the check-mode container task) are accepted by the old server too, with
    the configuration the role rendered (rebuilt from the run's output: check mode leaves no copy of it)."""
    result, config_root = site_run
    assert result.returncode == 0, "the check-mode run failed (see the test above)"
    run = task_result(result.stdout, RUN_TASK % component)
    assert run and run.get("actions"), "no result of %r in the output:\n%s" % (RUN_TASK % component, result.stdout)
    params = run["actions"][0]["create_parameters"]
    mount, port = SERVICES[component]
    assert params["Image"] == {"prometheus": PROMETHEUS, "alertmanager": ALERTMANAGER}[component]
    assert "%s/%s:%s:ro" % (config_root, component, mount) in params["HostConfig"]["Binds"], params
    name = "proxy-obs-test-old-%s-%s" % (component, uuid.uuid4().hex[:8])
    rendered = rendered_directory(result.stdout, component, tmp_path / component)
    # As the role runs it (user, read-only, no capabilities), on no network, with the rendered directory in place of
    # the live one (check mode wrote none) and a throwaway data volume.
    started = _docker("run", "-d", "--name", name, "--network", "none", "--user", params["User"], "--read-only",
                      "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                      "-v", "%s:%s:ro" % (rendered, mount), params["Image"], *params["Cmd"])
    try:
        assert started.returncode == 0, started.stderr
        ready = None
        for _attempt in range(30):
            ready = _docker("exec", name, "wget", "-q", "-O", "-", "http://127.0.0.1:%d/-/ready" % port, timeout=30)
            if ready.returncode == 0:
                break
            if _docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip() != "true":
                break
            time.sleep(1)
        logs = _docker("logs", name)
        assert ready.returncode == 0, "%s did not become ready with %s:\n%s%s" % (
            params["Image"], params["Cmd"], logs.stdout, logs.stderr)
        if component == "prometheus":
            rules = _docker("exec", name, "wget", "-q", "-O", "-", "http://127.0.0.1:9090/api/v1/rules", timeout=30)
            assert '"name":"application_alerts"' in rules.stdout, rules.stdout + rules.stderr
    finally:
        _docker("rm", "-f", "-v", name)


def test_prometheus_2_promtool_checks_and_unit_tests_the_alert_rules(tmp_path):
    """The role's rules (rendered with its defaults, as test_alert_rules.py renders them) under promtool 2.x."""
    render(str(tmp_path), DEFAULT_VARS)
    shutil.copy(TEST_FILE, tmp_path / os.path.basename(TEST_FILE))

    def promtool(*args):
        return _docker("run", "--rm", "--network", "none", "--user", str(os.getuid()), "-v", "%s:/rules:ro" % tmp_path,
                       "--entrypoint", "/bin/promtool", PROMETHEUS, *args, timeout=300)

    checked = promtool("check", "rules", "--lint-fatal", "/rules/" + RULES_NAME)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: %d rules found" % len(DEFAULT_VARS["prometheus_alert_for"]) in checked.stdout, checked.stdout
    tested = promtool("test", "rules", "/rules/" + os.path.basename(TEST_FILE))
    output = tested.stdout + tested.stderr
    assert tested.returncode == 0, output
    assert "SUCCESS" in output and "FAILED" not in output, output


def test_a_prometheus_3_only_job_key_is_refused_by_the_2x_promtool_before_any_change(tmp_path, run_playbook, network):
    """fallback_scrape_protocol (Prometheus 3.0) passes the collection's checks but not promtool 2.x."""
    job = {"job_name": "legacy-app", "fallback_scrape_protocol": "PrometheusText0.0.4",
           "static_configs": [{"targets": ["legacy.example.com:9000"]}]}
    config_root = tmp_path / "config"
    result = _run_site(run_playbook, config_root, network, {"prometheus_scrape_configs_extra": [job]})
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "promtool rejected the configuration" in output and PROMETHEUS in output, output
    assert "field fallback_scrape_protocol not found" in output, output
    # Refused in the check play: the deploy play, which changes containers, never started.
    assert "PLAY [Check every configuration with the image that will run it]" in result.stdout, output
    assert "PLAY [Deploy the stack components]" not in result.stdout, output
    assert not (config_root / "prometheus").exists(), "a live file was written although promtool refused"
    staging = config_root / ".staging"
    assert not staging.exists() or not any(staging.iterdir()), "a copy was left in staging: %s" % list(
        staging.iterdir())

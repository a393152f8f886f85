# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.proxy_agent.observability.plugins.modules import config_check


class Exit(Exception):
    pass


def _run(monkeypatch, args, rc=0, stdout="", stderr="", have_timeout=True, have_docker=True):
    calls = []

    def run_command(self, command, **kwargs):
        calls.append(command)
        return rc, stdout, stderr

    def get_bin_path(self, name, *a, **k):
        if name == "timeout":
            return "/usr/bin/timeout" if have_timeout else None
        return "/usr/bin/docker" if have_docker else None

    def exit_json(self, **kwargs):
        raise Exit(dict(kwargs, failed=False))

    def fail_json(self, **kwargs):
        raise Exit(dict(kwargs, failed=True))

    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", get_bin_path)
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    with patch_module_args(args), pytest.raises(Exit) as exc:
        config_check.main()
    return exc.value.args[0], calls


ARGS = {"image": "prom/prometheus:v3.14.0", "mount": "/etc/prometheus", "entrypoint": "/bin/promtool",
        "args": ["check", "config", "/etc/prometheus/prometheus.yml"], "user": "65534"}


def test_checker_runs_isolated_in_the_deployed_image(monkeypatch, tmp_path):
    result, calls = _run(monkeypatch, dict(ARGS, path=str(tmp_path)), stdout="SUCCESS")
    assert result["failed"] is False and result["changed"] is False
    assert calls == [["/usr/bin/timeout", "--kill-after=10", "120",
                      "/usr/bin/docker", "run", "--rm", "--network", "none", "--cap-drop", "ALL",
                      "--security-opt", "no-new-privileges", "--read-only",
                      "--volume", "%s:/etc/prometheus:ro" % tmp_path, "--entrypoint", "/bin/promtool",
                      "--user", "65534", "prom/prometheus:v3.14.0", "check", "config",
                      "/etc/prometheus/prometheus.yml"]]


def test_rejection_fails_with_the_checkers_message(monkeypatch, tmp_path):
    result, _calls = _run(monkeypatch, dict(ARGS, path=str(tmp_path)), rc=1, stdout="Checking x\n  FAILED: parsing YAML",
                          stderr="bad scrape interval\n")
    assert result["failed"] is True
    assert result["msg"] == ("promtool rejected the configuration staged in %s (image prom/prometheus:v3.14.0): "
                             "Checking x\n  FAILED: parsing YAML\nbad scrape interval" % tmp_path)
    assert result["rc"] == 1


def test_timeout_is_reported_as_such(monkeypatch, tmp_path):
    result, _calls = _run(monkeypatch, dict(ARGS, path=str(tmp_path), timeout=5), rc=124)
    assert result["msg"] == ("promtool did not finish within 5 s: the checker hung or the image is too slow to start; "
                             "raise timeout if the host is slow.")


def test_missing_directory_is_named(monkeypatch, tmp_path):
    result, calls = _run(monkeypatch, dict(ARGS, path=str(tmp_path / "absent")))
    assert calls == []
    assert result["msg"] == ("path: %s is not a directory on the host. Stage the configuration there before "
                             "checking it." % (tmp_path / "absent"))


def test_missing_docker_cli_is_named(monkeypatch, tmp_path):
    result, calls = _run(monkeypatch, dict(ARGS, path=str(tmp_path)), have_docker=False)
    assert calls == []
    assert result["msg"].startswith("docker_cli: 'docker' was not found on the host.")


def test_runs_in_check_mode_because_it_changes_nothing(monkeypatch, tmp_path):
    result, calls = _run(monkeypatch, dict(ARGS, path=str(tmp_path), _ansible_check_mode=True), stdout="SUCCESS")
    assert result["failed"] is False
    assert len(calls) == 1
    assert json.dumps(result)

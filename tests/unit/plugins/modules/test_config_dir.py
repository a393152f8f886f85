# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json
import os
import stat

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.proxy_agent.observability.plugins.modules import config_dir


class Exit(Exception):
    pass


class Host:
    """Runs the module against a temporary directory, with the checker's docker run faked."""

    def __init__(self, monkeypatch, tmp_path):
        self.monkeypatch = monkeypatch
        self.root = tmp_path
        self.live = tmp_path / "prometheus"
        self.calls = []
        self.checker_rc = 0
        self.checker_output = "SUCCESS"

    def run(self, check_mode=False, diff=False, **args):
        host = self

        def run_command(self, command, **kwargs):
            staged = command[command.index("--volume") + 1].split(":")[0]
            host.calls.append(dict(command=command, staged={
                os.path.relpath(os.path.join(r, n), staged): open(os.path.join(r, n)).read()
                for r, _d, names in os.walk(staged) for n in names}))
            return host.checker_rc, host.checker_output, ""

        def get_bin_path(self, name, *a, **k):
            return "/usr/bin/" + name

        def exit_json(self, **kwargs):
            raise Exit(dict(kwargs, failed=False))

        def fail_json(self, **kwargs):
            raise Exit(dict(kwargs, failed=True))

        for name, value in (("run_command", run_command), ("get_bin_path", get_bin_path),
                            ("exit_json", exit_json), ("fail_json", fail_json)):
            self.monkeypatch.setattr(basic.AnsibleModule, name, value)
        module_args = dict(dict(path=str(self.live)), **args)
        module_args["_ansible_check_mode"] = check_mode
        module_args["_ansible_diff"] = diff
        with patch_module_args(module_args), pytest.raises(Exit) as exc:
            config_dir.main()
        return exc.value.args[0]

    def tree(self, path=None):
        path = path or self.live
        return {os.path.relpath(os.path.join(r, n), path): open(os.path.join(r, n)).read()
                for r, _d, names in os.walk(path) for n in names}


CHECK = dict(image="prom/prometheus:v3.14.0", mount="/etc/prometheus", user="65534:65534",
             checks=[dict(entrypoint="/bin/promtool", args=["check", "config", "/etc/prometheus/prometheus.yml"])])
FILES = {"prometheus.yml": "global: {}\n", "rules/a.yml": "groups: []\n"}


@pytest.fixture
def host(monkeypatch, tmp_path):
    return Host(monkeypatch, tmp_path)


def test_first_deploy_checks_the_staged_files_then_writes_them(host):
    result = host.run(files=FILES, **CHECK)
    assert result["failed"] is False and result["changed"] is True and result["checked"] is True
    assert result["updated"] == ["prometheus.yml", "rules/a.yml"] and result["removed"] == []
    assert host.tree() == FILES
    (call,) = host.calls
    assert call["staged"] == FILES
    assert call["command"][-8:] == ["--entrypoint", "/bin/promtool", "--user", "65534:65534",
                                    "prom/prometheus:v3.14.0", "check", "config", "/etc/prometheus/prometheus.yml"]
    assert "%s:/etc/prometheus:ro" % (host.root / ".staging" / "prometheus") in call["command"]
    assert not (host.root / ".previous" / "prometheus").exists()  # nothing to keep on a first deploy


def test_unchanged_configuration_runs_no_checker_and_reports_no_change(host):
    first = host.run(files=FILES, **CHECK)
    second = host.run(files=FILES, **CHECK)
    assert second["changed"] is False and second["checked"] is False
    assert second["fingerprint"] == first["fingerprint"]
    assert len(host.calls) == 1


def test_a_new_image_rechecks_an_unchanged_configuration_once(host):
    host.run(files=FILES, **CHECK)
    newer = dict(CHECK, image="prom/prometheus:v3.15.0")
    result = host.run(files=FILES, **newer)
    assert result["changed"] is False and result["checked"] is True
    assert host.calls[-1]["command"].count("prom/prometheus:v3.15.0") == 1
    assert host.run(files=FILES, **newer)["checked"] is False
    assert len(host.calls) == 2


def test_rejected_configuration_leaves_the_live_directory_alone(host):
    host.run(files=FILES, **CHECK)
    host.checker_rc, host.checker_output = 1, "FAILED: parsing YAML file prometheus.yml: bad"
    result = host.run(files={"prometheus.yml": "global: [\n"}, **CHECK)
    assert result["failed"] is True
    assert "promtool rejected the configuration" in result["msg"] and "parsing YAML file" in result["msg"]
    assert host.tree() == FILES


def test_change_keeps_the_previous_files_and_prunes_old_ones(host):
    host.run(files=FILES, **CHECK)
    inode = os.stat(host.live).st_ino
    result = host.run(files={"prometheus.yml": "global: {scrape_interval: 5s}\n"}, **CHECK)
    assert result["changed"] is True
    assert result["updated"] == ["prometheus.yml"] and result["removed"] == ["rules/a.yml"]
    assert host.tree() == {"prometheus.yml": "global: {scrape_interval: 5s}\n"}
    assert not (host.live / "rules").exists()
    assert os.stat(host.live).st_ino == inode  # swapped in place: the bind-mounted directory stays the same
    assert host.tree(host.root / ".previous" / "prometheus") == FILES


def test_restored_puts_the_previous_files_back_and_forces_a_recheck(host):
    host.run(files=FILES, **CHECK)
    host.run(files={"prometheus.yml": "new\n"}, **CHECK)
    result = host.run(state="restored")
    assert result["changed"] is True and host.tree() == FILES
    assert host.run(files=FILES, **CHECK)["checked"] is True  # the fingerprint was forgotten


def test_restored_without_a_backup_changes_nothing(host):
    host.run(files=FILES, **CHECK)
    result = host.run(state="restored")
    assert result["changed"] is False and host.tree() == FILES


def test_check_mode_validates_but_does_not_touch_the_live_directory(host):
    host.run(files=FILES, **CHECK)
    result = host.run(check_mode=True, files={"prometheus.yml": "changed\n"}, **CHECK)
    assert result["changed"] is True and result["checked"] is True
    assert host.calls[-1]["staged"] == {"prometheus.yml": "changed\n"}
    assert host.tree() == FILES


def test_secret_files_are_group_readable_only_and_hidden_in_the_diff(host):
    result = host.run(diff=True, files={"alertmanager.yml": "route: {}\n"},
                      secret_files={"secrets/slack": "https://hooks.example/T0/B0/xyz"}, secret_group=65534)
    mode = stat.S_IMODE(os.stat(host.live / "secrets" / "slack").st_mode)
    assert mode == 0o640
    if os.geteuid() == 0:
        assert os.stat(host.live / "secrets" / "slack").st_gid == 65534
    assert "xyz" not in json.dumps(result["diff"])
    assert {d["before_header"] for d in result["diff"]} == {"alertmanager.yml", "secrets/slack"}


def test_mode_drift_is_repaired(host):
    host.run(files=FILES, **CHECK)
    os.chmod(host.live / "prometheus.yml", 0o600)
    result = host.run(files=FILES, **CHECK)
    assert result["changed"] is True and result["updated"] == ["prometheus.yml"]
    assert stat.S_IMODE(os.stat(host.live / "prometheus.yml").st_mode) == 0o644


@pytest.mark.parametrize("name", ["/etc/passwd", "../x.yml", "rules/../../x", "./a.yml", ""])
def test_paths_outside_the_directory_are_rejected(host, name):
    result = host.run(files={name: "x"})
    assert result["failed"] is True
    assert result["msg"].startswith("files: '%s' is not a plain relative path" % name)


def test_checks_need_the_image(host):
    result = host.run(files=FILES, checks=CHECK["checks"])
    assert result["failed"] is True and result["msg"].startswith("image: is required when checks are given")


def test_non_string_content_is_rejected_with_the_fix(host):
    result = host.run(files={"prometheus.yml": {"global": {}}})
    assert result["failed"] is True
    assert result["msg"] == ("files: the content of 'prometheus.yml' must be a string, got dict. "
                             "Render it with to_nice_yaml or to_json first.")


def test_staged_writes_only_the_staging_directory(host):
    host.run(files=FILES, **CHECK)
    result = host.run(state="staged", files={"prometheus.yml": "next\n"})
    assert result["changed"] is False and result["staging"] == str(host.root / ".staging" / "prometheus")
    assert host.tree(host.root / ".staging" / "prometheus") == {"prometheus.yml": "next\n"}
    assert host.tree() == FILES

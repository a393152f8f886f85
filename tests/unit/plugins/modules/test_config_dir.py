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
            host.calls.append(dict(command=command, path=staged, staged={
                os.path.relpath(os.path.join(r, n), staged): open(os.path.join(r, n)).read()
                for r, _d, names in os.walk(staged) for n in names}, modes={
                os.path.relpath(os.path.join(r, n), staged): os.stat(os.path.join(r, n))
                for r, _d, names in os.walk(staged) for n in names},
                parent_mode=stat.S_IMODE(os.stat(os.path.dirname(staged)).st_mode)))
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


# Secrets (issue 11, "Never leak"): readable by the container's UID alone, no copy left in staging or backup, nothing
# written in check mode, a fingerprint that does not let anyone test guesses of a secret.

CANARY = "canary-3f1c9d"
SECRETS = {"secrets/slack": "https://hooks.example/T0/B0/" + CANARY}
AM = dict(image="prom/alertmanager:v0.33.1", mount="/etc/alertmanager", user="65534:65534",
          checks=[dict(entrypoint="/bin/amtool", args=["check-config", "/etc/alertmanager/alertmanager.yml"])])
AM_FILES = {"alertmanager.yml": "route: {}\n"}


def files_holding(root, text):
    """Every file below root whose bytes contain text."""
    return sorted(os.path.relpath(os.path.join(r, n), root) for r, _d, names in os.walk(root) for n in names
                  if text.encode() in open(os.path.join(r, n), "rb").read())


def test_secret_files_belong_to_the_containers_uid_alone(host):
    host.run(files=AM_FILES, secret_files=SECRETS, secret_group=65534, **AM)
    info = os.stat(host.live / "secrets" / "slack")
    assert stat.S_IMODE(info.st_mode) == 0o400
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (65534, 0)  # the container's UID, never a shared group such as nogroup
    # The checker, which runs as that user, saw the secret in the staged copy, with the same owner and mode.
    staged = host.calls[0]["modes"]["secrets/slack"]
    assert stat.S_IMODE(staged.st_mode) == 0o400
    if os.geteuid() == 0:
        assert (staged.st_uid, staged.st_gid) == (65534, 0)
    assert host.calls[0]["staged"]["secrets/slack"] == SECRETS["secrets/slack"]


def test_owner_drift_of_a_secret_file_is_repaired(host):
    if os.geteuid() != 0:
        pytest.skip("changing a file's owner needs root")
    host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    os.chown(host.live / "secrets" / "slack", 0, 65534)
    os.chmod(host.live / "secrets" / "slack", 0o640)
    result = host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["changed"] is True and result["updated"] == ["secrets/slack"]
    info = os.stat(host.live / "secrets" / "slack")
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o400, 65534, 0)


def test_secret_files_need_a_numeric_uid_in_user(host):
    result = host.run(files=AM_FILES, secret_files=SECRETS, **dict(AM, user="nobody"))
    assert result["failed"] is True
    assert result["msg"].startswith("user: 'nobody' does not start with a numeric UID, so the owner of secret_files "
                                    "is unknown")
    assert "Fix: give the container's user as numbers, 'UID:GID'" in result["msg"]
    assert not host.live.exists()


def test_restored_recognises_the_kept_secret_files(host):
    host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    host.run(files=AM_FILES, secret_files={"secrets/slack": "https://hooks.example/new"}, **AM)
    result = host.run(diff=True, state="restored")
    assert result["changed"] is True and result["updated"] == ["secrets/slack"]
    assert CANARY not in json.dumps(result["diff"])  # a kept 0400 file is still known as a secret
    assert host.tree()["secrets/slack"] == SECRETS["secrets/slack"]
    info = os.stat(host.live / "secrets" / "slack")
    assert stat.S_IMODE(info.st_mode) == 0o400
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (65534, 0)


def test_present_removes_the_staging_directory_after_the_checks(host):
    result = host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["checked"] is True
    assert host.calls[0]["path"] == str(host.root / ".staging" / host.live.name)
    assert not (host.root / ".staging" / host.live.name).exists()
    assert stat.S_IMODE(os.stat(host.root / ".staging").st_mode) == 0o700


def test_present_removes_the_staging_directory_when_a_checker_rejects_it(host):
    host.checker_rc, host.checker_output = 1, "FAILED: bad"
    result = host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["failed"] is True and "amtool rejected the configuration" in result["msg"]
    assert not (host.root / ".staging" / host.live.name).exists()
    assert files_holding(host.root, CANARY) == []


def test_present_removes_a_copy_left_in_staging(host):
    host.run(state="staged", files=AM_FILES, secret_files=SECRETS, **AM)
    assert files_holding(host.root / ".staging", CANARY) == [host.live.name + "/secrets/slack"]
    host.run(files=AM_FILES, secret_files=SECRETS, **dict(AM, checks=[]))
    assert not (host.root / ".staging" / host.live.name).exists()


def test_checked_checks_a_private_copy_and_changes_nothing_else(host):
    result = host.run(state="checked", files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["failed"] is False and result["changed"] is False and result["checked"] is True
    assert [c["rc"] for c in result["checks"]] == [0]
    (call,) = host.calls
    assert call["staged"] == dict(AM_FILES, **SECRETS)
    # A fresh directory of its own, in a private (0700) one below .staging, removed afterwards.
    assert os.path.dirname(os.path.dirname(call["path"])) == str(host.root / ".staging")
    assert os.path.basename(call["path"]) == host.live.name and call["parent_mode"] == 0o700
    assert not os.path.exists(os.path.dirname(call["path"]))
    assert os.listdir(host.root / ".staging") == []
    assert not host.live.exists() and not (host.root / ".previous").exists()
    assert not (host.root / ".state" / (host.live.name + ".json")).exists()
    assert files_holding(host.root, CANARY) == []
    # The fingerprint is the one the deploy computes for the same configuration.
    assert host.run(files=AM_FILES, secret_files=SECRETS, **AM)["fingerprint"] == result["fingerprint"]


def test_checked_fails_with_the_checkers_message_and_leaves_no_copy(host):
    host.checker_rc, host.checker_output = 1, "FAILED: unknown route key"
    result = host.run(state="checked", files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["failed"] is True
    assert "amtool rejected the configuration" in result["msg"] and "unknown route key" in result["msg"]
    assert not os.path.exists(host.calls[0]["path"]) and os.listdir(host.root / ".staging") == []
    assert not host.live.exists()


def test_checked_runs_no_checker_for_a_configuration_already_checked_with_this_image(host):
    host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    result = host.run(state="checked", files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["checked"] is False and result["checks"] == []
    assert len(host.calls) == 1


def test_present_with_the_checked_fingerprint_does_not_run_the_checkers_again(host):
    checked = host.run(state="checked", files=AM_FILES, secret_files=SECRETS, **AM)
    result = host.run(files=AM_FILES, secret_files=SECRETS, checked_fingerprint=checked["fingerprint"], **AM)
    assert result["changed"] is True and result["checked"] is False and "checks" not in result
    assert len(host.calls) == 1
    assert host.tree() == dict(AM_FILES, **SECRETS)
    # Recorded as checked: the next run runs nothing either.
    assert host.run(files=AM_FILES, secret_files=SECRETS, **AM)["checked"] is False
    assert len(host.calls) == 1


def test_present_with_another_fingerprint_runs_the_checkers(host):
    checked = host.run(state="checked", files=AM_FILES, secret_files=SECRETS, **AM)
    result = host.run(files={"alertmanager.yml": "route: {receiver: x}\n"}, secret_files=SECRETS,
                      checked_fingerprint=checked["fingerprint"], **AM)
    assert result["checked"] is True and len(host.calls) == 2


def test_committed_removes_the_kept_previous_files(host):
    host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    host.run(files=AM_FILES, secret_files={"secrets/slack": "https://hooks.example/new"}, **AM)
    backup = host.root / ".previous" / host.live.name
    assert files_holding(backup, CANARY) == ["secrets/slack"]
    assert stat.S_IMODE(os.stat(host.root / ".previous").st_mode) == 0o700
    assert host.run(check_mode=True, state="committed")["changed"] is True and backup.exists()
    result = host.run(state="committed")
    assert result["failed"] is False and result["changed"] is True
    assert not backup.exists() and files_holding(host.root, CANARY) == []
    assert host.run(state="committed")["changed"] is False
    assert host.run(state="restored")["changed"] is False  # nothing left to put back


def test_check_mode_writes_no_secret_anywhere(host):
    result = host.run(check_mode=True, files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["changed"] is True and result["checked"] is True
    staged = host.calls[0]["staged"]
    assert staged["alertmanager.yml"] == AM_FILES["alertmanager.yml"]
    assert staged["secrets/slack"] == config_dir.PLACEHOLDER.decode()  # the path exists, the secret does not
    assert files_holding(host.root, CANARY) == []
    assert not host.live.exists() and not (host.root / ".state").exists()


def test_checked_in_check_mode_writes_no_secret_anywhere(host):
    result = host.run(check_mode=True, state="checked", files=AM_FILES, secret_files=SECRETS, **AM)
    assert result["checked"] is True
    assert host.calls[0]["staged"]["secrets/slack"] == config_dir.PLACEHOLDER.decode()
    assert files_holding(host.root, CANARY) == []


def test_staged_in_check_mode_writes_placeholders_for_secrets(host):
    result = host.run(check_mode=True, state="staged", files=AM_FILES, secret_files=SECRETS, **AM)
    assert host.tree(result["staging"]) == dict(AM_FILES, **{"secrets/slack": config_dir.PLACEHOLDER.decode()})
    assert files_holding(host.root, CANARY) == []


def test_the_fingerprint_of_a_secret_is_keyed_with_the_hosts_private_key(host):
    first = host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    key = host.root / ".state" / ".fingerprint.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(host.root / ".state").st_mode) == 0o700
    assert len(bytes.fromhex(key.read_text().strip())) == 32
    # Idempotent: the same content gives the same fingerprint, and nothing runs.
    again = host.run(files=AM_FILES, secret_files=SECRETS, **AM)
    assert again["fingerprint"] == first["fingerprint"] and again["changed"] is False and again["checked"] is False
    # Without the key, the same content gives another fingerprint: it cannot be recomputed to test a guess.
    key.unlink()
    other = host.run(state="checked", files=AM_FILES, secret_files=SECRETS, **AM)
    assert other["fingerprint"] != first["fingerprint"]
    assert CANARY not in (host.root / ".state" / (host.live.name + ".json")).read_text()

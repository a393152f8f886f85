# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input for the backup, restore and remove playbooks stops them in a check, naming the variable and the fix,
before any host changes (check mode against this machine, as the other preflight tests). Their runs on a converged
host are in Molecule default (molecule/default/cleanup.yml)."""
from __future__ import annotations

import json

import pytest

from test_preflight_metrics import check_mode_vars

COMPONENTS = ["node_exporter", "prometheus"]


@pytest.mark.parametrize("playbook, variables, message", [
    ("proxy_agent.observability.backup", {}, "backup_dir must be an absolute directory on the controller"),
    ("proxy_agent.observability.backup", {"backup_dir": "backups/today"},
     "backup_dir must be an absolute directory on the controller"),
    ("proxy_agent.observability.restore", {}, "restore_dir must be the absolute path of a backup directory"),
    ("proxy_agent.observability.remove", {"remove_volumes": True},
     "remove_volumes is true, which deletes the stack's data volumes on localhost"),
    ("proxy_agent.observability.remove", {"remove_volumes": True, "remove_volumes_confirm": "yes"},
     "but remove_volumes_confirm is not 'delete-the-data'. Fix: set remove_volumes_confirm=delete-the-data"),
], ids=["backup-no-dir", "backup-relative-dir", "restore-no-dir", "remove-unconfirmed", "remove-wrong-phrase"])
def test_bad_input_stops_before_any_change(tmp_path, run_playbook, stops_in_a_check, playbook, variables, message):
    result = run_playbook(playbook, check_mode_vars(tmp_path, COMPONENTS, variables))
    stops_in_a_check(result, message)
    assert "Fix: " in result.stdout + result.stderr


def test_restore_without_a_backup_of_the_host_names_the_directory(tmp_path, run_playbook, stops_in_a_check):
    backup = tmp_path / "backup"
    (backup / "other-host").mkdir(parents=True)
    manifest = {"format": 1, "host": "other-host", "archives": []}
    (backup / "other-host" / "manifest.json").write_text(json.dumps(manifest))
    result = run_playbook("proxy_agent.observability.restore",
                          check_mode_vars(tmp_path, COMPONENTS, {"restore_dir": str(backup)}))
    stops_in_a_check(result, "restore_dir: %s/localhost/manifest.json does not exist" % backup)


def test_restore_refuses_a_manifest_written_for_another_host(tmp_path, run_playbook, stops_in_a_check):
    backup = tmp_path / "backup"
    (backup / "localhost").mkdir(parents=True)
    (backup / "localhost" / "manifest.json").write_text(json.dumps({"format": 1, "host": "mon9", "archives": []}))
    result = run_playbook("proxy_agent.observability.restore",
                          check_mode_vars(tmp_path, COMPONENTS, {"restore_dir": str(backup)}))
    stops_in_a_check(result, "the manifest in localhost's directory was written for host 'mon9'")

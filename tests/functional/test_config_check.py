# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""config_check against the real checkers in the locally built images, through ansible like a role runs it."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMETHEUS = os.environ.get("PROXY_OBS_PROMETHEUS_IMAGE", "localhost/proxy-obs/prometheus:3.5.3")
ALERTMANAGER = os.environ.get("PROXY_OBS_ALERTMANAGER_IMAGE", "localhost/proxy-obs/alertmanager:0.33.1")


def _image_present(image):
    try:
        return subprocess.run(["docker", "image", "inspect", image], capture_output=True, check=False).returncode == 0
    except FileNotFoundError:
        return False


def check(path, image, mount, entrypoint, args, check_mode=False):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    module_args = json.dumps({"image": image, "path": str(path), "mount": mount, "entrypoint": entrypoint,
                              "args": args, "user": "65534"})
    cmd = ["ansible", "localhost", "-c", "local", "-e", "ansible_python_interpreter=" + os.sys.executable,
           "-m", "proxy_agent.observability.config_check", "-a", module_args]
    if check_mode:
        cmd.append("--check")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


@pytest.fixture()
def staged(tmp_path):
    tmp_path.chmod(0o755)
    return tmp_path


@pytest.mark.skipif(not _image_present(PROMETHEUS), reason="image %s not built (tests/images/build.sh)" % PROMETHEUS)
@pytest.mark.parametrize("check_mode", [False, True])
def test_promtool_accepts_a_good_config(staged, check_mode):
    (staged / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\nscrape_configs:\n"
                                           "  - job_name: self\n    static_configs:\n"
                                           "      - targets: ['localhost:9090']\n")
    rc, result = check(staged, PROMETHEUS, "/etc/prometheus", "/bin/promtool",
                       ["check", "config", "/etc/prometheus/prometheus.yml"], check_mode)
    assert rc == 0, result
    assert result["changed"] is False
    assert "SUCCESS" in result["stdout"] + result["stderr"]


@pytest.mark.skipif(not _image_present(PROMETHEUS), reason="image %s not built (tests/images/build.sh)" % PROMETHEUS)
def test_promtool_rejection_reaches_the_play_with_its_message(staged):
    (staged / "prometheus.yml").write_text("global:\n  scrape_interval: 15 seconds\n")
    rc, result = check(staged, PROMETHEUS, "/etc/prometheus", "/bin/promtool",
                       ["check", "config", "/etc/prometheus/prometheus.yml"])
    assert rc != 0
    assert result["msg"].startswith("promtool rejected the configuration staged in %s" % staged)
    assert "15 seconds" in result["msg"]


@pytest.mark.skipif(not _image_present(ALERTMANAGER), reason="image %s not built (tests/images/build.sh)" % ALERTMANAGER)
def test_amtool_rejects_the_seeds_unexpanded_placeholder(staged):
    (staged / "alertmanager.yml").write_text(
        "global:\n  slack_api_url: '${SLACK_WEBHOOK_URL}'\nroute:\n  receiver: default\n"
        "receivers:\n  - name: default\n    slack_configs:\n      - channel: '#alerts'\n")
    rc, result = check(staged, ALERTMANAGER, "/etc/alertmanager", "/bin/amtool",
                       ["check-config", "/etc/alertmanager/alertmanager.yml"])
    assert rc != 0
    assert "unsupported scheme" in result["msg"]

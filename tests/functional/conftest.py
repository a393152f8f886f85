# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the functional tests that run the collection's playbooks against this machine.

`run_playbook` runs a playbook with the inventory of this directory (localhost, in both stack groups);
`stops_in_a_check` asserts that a run failed with a given message in a check task, with nothing changed before it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Tasks that only check input (argument specs, the stack's and the roles' preflight): a run that bad input stops
# must stop in one of them.
CHECK_TASKS = (
    "Validating arguments against arg spec",
    "Build the fleet once for the whole run",
    "Check the stack-wide settings",
    "Check the daemon, network and volume settings",
    "Check the extra volumes",
    "Check that the OS family is supported",
    "Find the Loki that Promtail pushes to",
    "Build the Prometheus configuration",
    "Check that the seed's receivers have their secrets",
    "Build and check the Alertmanager configuration before changing anything",
    "Check the database settings",
    "Check the Redis address",
    "Check the setting values before changing anything",
    "Build and check the Loki configuration before changing anything",
    "Build and check the Promtail configuration before changing anything",
    "Check the admin account",
    "Check the Grafana release against the plugins, the environment and the Grafana that runs now",
    "Build and check the datasources and dashboards before changing anything",
    "Build and check the Jaeger configuration before changing anything",
    "Check the backend settings before changing anything",
    "Check the backend's wheelhouse",
    "Stop on a missing wheelhouse",
    "Check the backup directory",
    "Check the restore directories",
    "Check that the backup has this host",
    "Check the archives against the manifest and the running releases",
    "Stop when the data would go without the confirmation",
)


def _run_playbook(playbook, extra_vars, check=True, args=(), inventory=None):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    cmd = ["ansible-playbook", "-i", inventory or os.path.join(HERE, "inventory.yml"), playbook, "-e",
           json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    cmd.extend(args)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)


def _stops_in_a_check(result, message):
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    # The YAML result format folds long messages and doubles the quotes of a single-quoted string.
    assert message in output or " ".join(message.split()) in " ".join(output.split()).replace("''", "'"), output
    before_failure = re.split(r"^(?:fatal|failed): ", result.stdout, maxsplit=1, flags=re.M)[0]
    failed_task = re.findall(r"^TASK \[(?:[^\]]*: )?([^\]]+)\]", before_failure, re.M)[-1]
    assert failed_task.startswith(CHECK_TASKS), output
    assert "changed:" not in before_failure, output


@pytest.fixture(name="run_playbook")
def fixture_run_playbook():
    """run_playbook(playbook, extra_vars, check=True, args=(), inventory=None) -> the finished ansible-playbook
    process; inventory replaces this directory's inventory.yml."""
    return _run_playbook


@pytest.fixture(name="stops_in_a_check")
def fixture_stops_in_a_check():
    """stops_in_a_check(result, message): the run failed with message in a check task, nothing changed before."""
    return _stops_in_a_check


@pytest.fixture(name="network", scope="module")
def fixture_network(request):
    """A throwaway internal Docker network standing in for the stack's (for runs that skip the docker_host role),
    labelled with the test module that made it."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    name = "proxy-obs-%s-%s" % (module.replace("_", "-"), uuid.uuid4().hex[:8])
    created = subprocess.run(["docker", "network", "create", "--internal", "--label",
                              "io.proxy-agent.observability.test=%s" % module, name],
                             capture_output=True, text=True, timeout=120, check=False)
    assert created.returncode == 0, created.stderr
    yield name
    subprocess.run(["docker", "network", "rm", name], capture_output=True, timeout=120, check=False)

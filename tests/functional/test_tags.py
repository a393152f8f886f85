# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every tag of the roles works alone with the site playbook: `--tags prometheus_run` deploys Prometheus, and does
not stop on a fact that only an untagged step would have set (the checks run whatever the tags: `always`).

The tags are read from the roles' task files (`tags:` and `apply: tags:`) and must be the ones the README documents
(DOCUMENTED_TAGS). For each one, the real site playbook runs in check mode against this machine with `--tags <tag>`
and nothing else (same harness as test_preflight_metrics.py: the functional inventory, the local images, the
configuration root in a temporary directory, fake secrets), with the tag's component and one other. The run must
succeed; one of the tasks the tag selects in the role's tasks/main.yml (followed into the files and the _common
steps it includes; the checks only for a tag that selects nothing else) must report ok or changed, not only
`skipping`; and no shared deploy step may run for a component other than the tag's own. The stack network is a
throwaway internal network with a unique name (the container task checks its parameters against the engine even in
check mode), removed afterwards.

The runs take 10 to 30 seconds each (more on a busy machine): the first test that needs one runs every selected tag,
a few at a time, and each parametrised test then reads its own run.
"""
from __future__ import annotations

import glob
import os
import re
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from docker_check import docker_unavailable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOCAL_IMAGES = os.path.join(ROOT, ".cache", "images", "local-images.yml")
PARALLEL = 3

# Every component of the catalogue.
COMPONENTS = ["node_exporter", "cadvisor", "postgres_exporter", "redis_exporter", "loki", "jaeger", "promtail",
              "alertmanager", "prometheus", "grafana", "backend"]
# What every component needs (fake secrets and addresses).
SETTINGS = {
    "observability_image_pull": False,
    "alertmanager_slack_api_url": "https://hooks.slack.invalid/services/T0/B0/test",
    "alertmanager_pagerduty_service_key": "0123456789abcdef",
    "grafana_admin_password": "a-test-password",
    "postgres_exporter_uri": "db.internal:5432/app?sslmode=disable",
    "postgres_exporter_password": "a-test-password",
    "redis_exporter_addr": "redis://cache.internal:6379",
    "backend_database_url": "postgresql+psycopg://app:secret@db.internal:5432/app",
    "backend_redis_url": "redis://cache.internal:6379/0",
}

# The tags the README documents: every component's own tag; _configure (render and check its configuration) and _run
# (its container) for the components with a configuration of their own; the image step of the sample backend; the
# steps of docker_host.
CONFIGURED = ["alertmanager", "backend", "grafana", "jaeger", "loki", "prometheus", "promtail"]
DOCUMENTED_TAGS = (COMPONENTS + [c + suffix for c in CONFIGURED for suffix in ("_configure", "_run")] + ["backend_image"]
                   + ["docker_host"] + ["docker_host_" + step for step in
                                        ("preflight", "install", "daemon", "resources", "images")])


def _container(component):
    return "proxy-" + component.replace("_", "-")


def _role_tags():
    """{tag: role} of every tag the public roles' task files give (`always` and templated tags left out)."""
    found = {}

    def walk(tasks, role):
        for task in tasks or []:
            if not isinstance(task, dict):
                continue
            tags = _tags(task)
            for args in task.values():
                if isinstance(args, dict) and isinstance(args.get("apply"), dict):
                    tags += _tags(args["apply"])
            for tag in tags:
                if tag not in ("always", "never") and "{" not in tag:
                    found.setdefault(tag, role)
            for key in ("block", "rescue", "always"):
                walk(task.get(key), role)

    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))):
        role = path.split(os.sep)[-3]
        if not role.startswith("_"):
            walk(_load(role, os.path.basename(path)), role)
    return found


NEEDS = {"promtail": ["loki"], "grafana": ["prometheus", "loki"]}

INCLUDES = ("ansible.builtin.include_tasks", "ansible.builtin.import_tasks", "include_tasks", "import_tasks")
ROLE_INCLUDES = ("ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role")


def _load(role, name):
    with open(os.path.join(ROOT, "roles", role, "tasks", name), encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def _tags(task):
    tags = task.get("tags") or []
    return [tags] if isinstance(tags, str) else list(tags)


def _names(role, tasks):
    """Patterns of the names of every task in tasks, following includes of task files ({{ }} matches anything)."""
    found = []
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        for key in ("block", "rescue", "always"):
            found += _names(role, task.get(key))
        target = _included(role, task)
        if target:
            found += _names(*target)
        elif task.get("name") and not any(key in task for key in ("block", "rescue", "always")):
            found.append(re.compile(".*".join(re.escape(part) for part in re.split(r"{{.*?}}", task["name"])) + "$"))
    return found


def _included(role, task):
    """(role, tasks) a task includes, or None."""
    for module in INCLUDES:
        if module in task:
            args = task[module]
            name = args.get("file") if isinstance(args, dict) else args
            if name and "{{" not in name:
                return role, _load(role, name)
    for module in ROLE_INCLUDES:
        if module in task and task[module].get("name", "").endswith("._common"):
            return "_common", _load("_common", task[module].get("tasks_from", "main") + ".yml")
    return None


def _selected(role, tag, tasks, inherited=()):
    """Patterns of the names of the tasks of the role's main.yml that tag selects, the checks left out (they run
    whatever the tags)."""
    found = []
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        tags = list(inherited) + _tags(task)
        for key in ("block", "rescue", "always"):
            found += _selected(role, tag, task.get(key), tags)
        args = next((task[module] for module in INCLUDES if module in task), None)
        if tag not in tags or (isinstance(args, dict) and args.get("file") == "preflight.yml"):
            continue
        found += _names(role, [task])
    return found


def _expected_tasks(tag, role):
    """Patterns of the task names of which at least one must run with --tags tag: the steps the tag selects in the
    role's main.yml (with the files and the _common steps they include), else (a tag that only selects the checks)
    the role's checks."""
    return _selected(role, tag, _load(role, "main.yml")) or _names(role, _load(role, "preflight.yml"))


def _components(role):
    """The components of a run for a tag of role: the role's own and one more that the tag must leave alone, and
    those it needs (Loki for Promtail to push to; Prometheus and Loki, which Grafana's shipped dashboards query).
    Fewer components, fewer tasks: each run takes 10 to 30 s."""
    if role == "docker_host":
        return ["node_exporter"]
    if role == "node_exporter":
        return ["node_exporter", "cadvisor"]
    return ["node_exporter", role] + NEEDS.get(role, [])


def _owner(tag, role):
    """The component whose container the tag may touch, or None."""
    if role in COMPONENTS and tag in (role, role + "_run"):
        return role
    return None


TAGS = _role_tags()


def _ran_tasks(stdout):
    """[(role, task name)] of the tasks of a run's output that reported ok or changed (role "" for a play's own)."""
    ran, current = [], None
    for line in stdout.splitlines():
        header = re.match(r"^(?:TASK|RUNNING HANDLER) \[(?:(?:[\w.]+\.)?([\w]+) : )?(.+)\] \**$", line)
        if header:
            current = (header.group(1) or "", header.group(2).strip())
        elif line.startswith("PLAY "):
            current = None
        elif current is not None and line.startswith(("ok: ", "changed: ")):
            ran.append(current)
            current = None
    return ran


def _why_skip():
    reason = docker_unavailable()
    if reason:
        return "the deploy step checks its containers against Docker: %s" % reason
    return None


@pytest.fixture(scope="module", name="network")
def fixture_network():
    reason = _why_skip()
    if reason:
        pytest.skip(reason)
    name = "proxy-obs-test-tags-%s" % uuid.uuid4().hex[:8]
    created = subprocess.run(["docker", "network", "create", "--internal", "--label",
                              "io.proxy-agent.observability.test=tags", name],
                             capture_output=True, text=True, check=False)
    assert created.returncode == 0, created.stderr
    yield name
    subprocess.run(["docker", "network", "rm", name], capture_output=True, check=False)


_RUNS = {}


@pytest.fixture(name="tag_runs")
def fixture_tag_runs(request, network, run_playbook, tmp_path_factory):
    """{tag: finished ansible-playbook process} of every tag selected in this session, all run on first use."""
    if not _RUNS:
        _RUNS.update(_run_tags(request, network, run_playbook, str(tmp_path_factory.mktemp("tags"))))
    return _RUNS


def _run_tags(request, network, run_playbook, workdir):
    assert os.path.exists(LOCAL_IMAGES), "%s is missing: run scripts/test images first" % LOCAL_IMAGES
    with open(LOCAL_IMAGES, encoding="utf-8") as handle:
        overrides = (yaml.safe_load(handle) or {}).get("observability_image_overrides", {})
    selected = sorted({item.callspec.params["tag"] for item in request.session.items
                       if item.module is request.module and hasattr(item, "callspec")})

    def run(tag):
        extra_vars = dict(SETTINGS, observability_components=_components(TAGS[tag]),
                          observability_image_overrides=overrides, observability_network_name=network,
                          observability_config_root=os.path.join(workdir, tag, "config"))
        return tag, run_playbook("proxy_agent.observability.site", extra_vars, args=["--tags", tag])

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return dict(pool.map(run, selected))


def test_the_roles_have_the_documented_tags():
    """The tags the README documents are the tags the roles have."""
    assert set(TAGS) == set(DOCUMENTED_TAGS), sorted(set(TAGS) ^ set(DOCUMENTED_TAGS))


@pytest.mark.parametrize("tag", sorted(TAGS))
def test_the_tag_works_alone(tag, tag_runs):
    result = tag_runs[tag]
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    ran = _ran_tasks(result.stdout)
    expected = _expected_tasks(tag, TAGS[tag])
    assert expected, "no task found for tag %s" % tag
    assert any(pattern.match(name) for _role, name in ran for pattern in expected), "none of the tasks of --tags %s ran:\n%s" % (tag, output)
    # The shared deploy steps (named after their component) ran only for the tag's own component.
    own = _owner(tag, TAGS[tag])
    for role, name in ran:
        if role == "_common":
            touched = [c for c in COMPONENTS if re.search(r"\b(%s|%s)\b" % (c, _container(c)), name)]
            assert touched in ([], [own]), "--tags %s ran %r:\n%s" % (tag, name, output)

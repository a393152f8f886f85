# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cAdvisor follows the engine's data root: the role mounts the DockerRootDir that docker_host_info reports, at the
same path, and passes it as --docker_root (upstream's fallback when it cannot read docker info); a dry run on a host
without an engine yet uses the engine's default, /var/lib/docker."""
from __future__ import annotations

import jinja2
import pytest
from role_files import load_role_file


def _deploy_vars():
    tasks = load_role_file("cadvisor", "tasks", "main.yml")
    (deploy,) = [t for t in tasks if t.get("name") == "Deploy cAdvisor"]
    return deploy["vars"]


def _render(engine_result):
    """The volumes and the command the role gives the container for one result of docker_host_info."""
    env = jinja2.Environment(undefined=jinja2.ChainableUndefined)  # as Ansible: x.y.z | default() on a missing x.y
    env.filters["proxy_agent.observability.container_ports"] = lambda component: {"http": 8080}
    variables = _deploy_vars()
    context = {"__cadvisor_engine": engine_result, "cadvisor_extra_flags": []}
    context["__cadvisor_docker_root"] = env.from_string(variables["__cadvisor_docker_root"]).render(context)
    volumes = [env.from_string(v).render(context) for v in variables["_common_volumes"]]
    command = env.compile_expression(variables["_common_command"].strip()[2:-2])(**context)
    return volumes, command


@pytest.mark.parametrize("root", ["/var/lib/docker", "/srv/docker", "/var/lib/docker/own-root"])
def test_the_engines_data_root_is_mounted_at_its_own_path_and_passed_as_docker_root(root):
    volumes, command = _render({"host_info": {"DockerRootDir": root}})
    assert "%s:%s:ro" % (root, root) in volumes
    assert [v for v in volumes if v.startswith("/var/lib/docker")] == (
        ["%s:%s:ro" % (root, root)] if root.startswith("/var/lib/docker") else [])
    assert "--docker_root=%s" % root in command


def test_a_dry_run_without_an_engine_uses_the_engines_default():
    volumes, command = _render({"failed": True, "msg": "Error connecting"})
    assert "/var/lib/docker:/var/lib/docker:ro" in volumes
    assert "--docker_root=/var/lib/docker" in command

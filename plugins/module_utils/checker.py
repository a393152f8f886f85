# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run an upstream configuration checker in a throwaway container of the image that will be deployed.

Shared by the config_check and config_dir modules."""

from __future__ import annotations

import os

CHECKER_OPTIONS = dict(
    image=dict(type="str"),
    mount=dict(type="str", default="/config"),
    user=dict(type="str"),
    timeout=dict(type="int", default=120),
    docker_cli=dict(type="path", default="docker"),
)


def build_command(docker_cli, image, path, mount, entrypoint, args, user=None):
    """Return the docker command line that runs one checker against the directory ``path``."""
    command = [docker_cli, "run", "--rm", "--network", "none", "--cap-drop", "ALL",
               "--security-opt", "no-new-privileges", "--read-only",
               "--volume", "%s:%s:ro" % (path, mount),
               "--entrypoint", entrypoint]
    if user:
        command += ["--user", user]
    command.append(image)
    command.extend(args)
    return command


def run_check(module, image, path, mount, entrypoint, args, user=None, timeout=120, docker_cli="docker"):
    """Run one checker; fail the module with the checker's own message when it rejects the directory.

    Returns dict(command, rc, stdout, stderr)."""
    command = build_command(docker_cli, image, path, mount, entrypoint, args, user)
    cli = module.get_bin_path(docker_cli)
    if cli is None:
        module.fail_json(msg="docker_cli: '%s' was not found on the host. Install the docker command line client "
                         "(docker.io or docker-ce-cli) or set docker_cli to its path." % docker_cli,
                         command=command)
    command[0] = cli
    limiter = module.get_bin_path("timeout")
    run = ([limiter, "--kill-after=10", str(timeout)] if limiter else []) + command
    rc, stdout, stderr = module.run_command(run, environ_update={"LANG": "C.UTF-8"})
    name = os.path.basename(entrypoint)
    result = dict(command=command, rc=rc, stdout=stdout, stderr=stderr)
    if limiter and rc in (124, 137):
        module.fail_json(msg="%s did not finish within %d s: the checker hung or the image is too slow to start; "
                         "raise timeout if the host is slow." % (name, timeout), **result)
    if rc != 0:
        output = "\n".join(part.strip() for part in (stdout, stderr) if part.strip())
        module.fail_json(msg="%s rejected the configuration staged in %s (image %s): %s"
                         % (name, path, image, output or "exit code %d and no output" % rc), **result)
    return result

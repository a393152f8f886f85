#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: config_check
short_description: Check a staged configuration directory with the upstream checker from the image that will run it
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Runs a checker (C(promtool check config), C(promtool check rules), C(amtool check-config),
    C(loki -verify-config), C(promtail -check-syntax), ...) in a throwaway container of the very image that will be
    deployed, with the staged configuration directory mounted read-only, no network and no capabilities.
  - Fails with the checker's own message when it rejects the configuration, so a bad configuration is caught before
    the live one is touched.
  - Changes nothing on the host, so it runs in check mode too.
  - Needs the C(docker) command line client on the host (Debian's C(docker.io) and Docker's C(docker-ce-cli) have it).
options:
  image:
    description: The image that will run the configuration.
    type: str
    required: true
  path:
    description: The staged configuration directory on the host.
    type: path
    required: true
  mount:
    description: Where O(path) is mounted in the checker container.
    type: str
    default: /config
  entrypoint:
    description: The checker binary inside the image, for example C(/bin/promtool).
    type: str
    required: true
  args:
    description: Arguments of the checker; paths refer to O(mount).
    type: list
    elements: str
    default: []
  user:
    description: User (and group) to run the checker as, for example the image's own C(65534). Defaults to the image's user.
    type: str
  timeout:
    description: Seconds the checker may run.
    type: int
    default: 120
  docker_cli:
    description: Path or name of the docker command line client.
    type: path
    default: docker
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The checker only reads the staged directory, so it runs in check mode as well.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
"""

EXAMPLES = r"""
- name: Check the staged Prometheus configuration with promtool from the image to deploy
  proxy_agent.observability.config_check:
    image: prom/prometheus:v3.14.0
    path: /etc/proxy-observability/.staging/prometheus
    mount: /etc/prometheus
    entrypoint: /bin/promtool
    args: [check, config, /etc/prometheus/prometheus.yml]
"""

RETURN = r"""
command:
  description: The command that ran the checker.
  returned: always
  type: list
  elements: str
rc:
  description: The checker's exit code.
  returned: when the checker ran
  type: int
stdout:
  description: What the checker printed.
  returned: when the checker ran
  type: str
stderr:
  description: What the checker printed on standard error.
  returned: when the checker ran
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule


def build_command(params):
    """Return the docker command line that runs the checker."""
    command = [params["docker_cli"], "run", "--rm", "--network", "none", "--cap-drop", "ALL",
               "--security-opt", "no-new-privileges", "--read-only",
               "--volume", "%s:%s:ro" % (params["path"], params["mount"]),
               "--entrypoint", params["entrypoint"]]
    if params["user"]:
        command += ["--user", params["user"]]
    command.append(params["image"])
    command.extend(params["args"])
    return command


def main():
    module = AnsibleModule(
        argument_spec=dict(
            image=dict(type="str", required=True),
            path=dict(type="path", required=True),
            mount=dict(type="str", default="/config"),
            entrypoint=dict(type="str", required=True),
            args=dict(type="list", elements="str", default=[]),
            user=dict(type="str"),
            timeout=dict(type="int", default=120),
            docker_cli=dict(type="path", default="docker"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not os.path.isdir(params["path"]):
        module.fail_json(msg="path: %s is not a directory on the host. Stage the configuration there before checking it."
                         % params["path"], command=[])
    command = build_command(params)
    cli = module.get_bin_path(params["docker_cli"])
    if cli is None:
        module.fail_json(msg="docker_cli: '%s' was not found on the host. Install the docker command line client "
                         "(docker.io or docker-ce-cli) or set docker_cli to its path." % params["docker_cli"],
                         command=command)
    command[0] = cli
    limiter = module.get_bin_path("timeout")
    run = ([limiter, "--kill-after=10", str(params["timeout"])] if limiter else []) + command
    rc, stdout, stderr = module.run_command(run, environ_update={"LANG": "C.UTF-8"})
    if limiter and rc in (124, 137):
        module.fail_json(msg="%s did not finish within %d s: the checker hung or the image is too slow to start; raise timeout if the host is slow."
                         % (os.path.basename(params["entrypoint"]), params["timeout"]),
                         command=command, rc=rc, stdout=stdout, stderr=stderr)
    result = dict(changed=False, command=command, rc=rc, stdout=stdout, stderr=stderr)
    if rc != 0:
        output = "\n".join(part.strip() for part in (stdout, stderr) if part.strip())
        module.fail_json(msg="%s rejected the configuration staged in %s (image %s): %s"
                         % (os.path.basename(params["entrypoint"]), params["path"], params["image"],
                            output or "exit code %d and no output" % rc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

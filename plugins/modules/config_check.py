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
  entrypoint:
    description: The checker binary inside the image, for example C(/bin/promtool).
    type: str
    required: true
  args:
    description: Arguments of the checker; paths refer to O(mount).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - proxy_agent.observability.checker
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

from ansible_collections.proxy_agent.observability.plugins.module_utils.checker import CHECKER_OPTIONS
from ansible_collections.proxy_agent.observability.plugins.module_utils.checker import run_check


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CHECKER_OPTIONS,
            image=dict(type="str", required=True),
            path=dict(type="path", required=True),
            entrypoint=dict(type="str", required=True),
            args=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not os.path.isdir(params["path"]):
        module.fail_json(msg="path: %s is not a directory on the host. Stage the configuration there before checking it."
                         % params["path"], command=[])
    result = run_check(module, params["image"], params["path"], params["mount"], params["entrypoint"],
                       params["args"], user=params["user"], timeout=params["timeout"],
                       docker_cli=params["docker_cli"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()

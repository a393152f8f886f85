# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: container_ports
short_description: The ports a component listens on inside its container, by name, from the catalogue
version_added: 0.6.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Returns C({port name: container port}) of a component of the catalogue, e.g. C({http: 9093, cluster: 9094}) for
    C(alertmanager). The roles build their listen flags and healthchecks from it, so that a port is written once, in
    the catalogue."
options:
  _input:
    description: The component's name, e.g. C(prometheus).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Prometheus' listen flag
  ansible.builtin.debug:
    msg: "--web.listen-address=:{{ ('prometheus' | proxy_agent.observability.container_ports).http }}"
"""

RETURN = r"""
_value:
  description: Port name to the port inside the container.
  type: dict
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENT_NAMES
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input


def container_ports(component):
    """Return {port name: container port} of component."""
    if component not in COMPONENTS:
        raise bad_input("component", "%r is not a component of this stack" % (component,),
                        "use one of %s" % ", ".join(COMPONENT_NAMES))
    return {name: port["container"] for name, port in COMPONENTS[component]["ports"].items()}


class FilterModule(object):
    """The catalogue's container ports."""

    def filters(self):
        return {"container_ports": container_ports}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: published_ports
short_description: Check that the enabled components publish distinct host ports
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Looks up the host port of every enabled component in O(ports) (C(observability_published_ports)), or in
    O(overrides) where a role's own C(<component>_host_port) replaces it, and checks that each is a port number
    (an integer from 1 to 65535; a string of digits is accepted) and that no two components publish the same host
    port. Docker would otherwise start the first container and fail on the second, half way through a play.
  - A component in O(overrides) is checked as if it were enabled.
  - An error names both components and the variable to fix; a port that comes from O(overrides) and differs from
    O(ports) is named as C(<component>_host_port).
  - Entries of O(ports) for components that are not enabled are not checked, except that their names must be
    components of the stack.
options:
  _input:
    description: The enabled components (C(observability_components)).
    type: list
    elements: str
    required: true
  ports:
    description: Component to host port, for the whole stack (C(observability_published_ports)).
    type: dict
    required: true
  overrides:
    description:
      - Component to host port, from the roles' own variables (C(prometheus_host_port) and so on). Each replaces
        the component's entry in O(ports).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Check the host ports of this host's components
  ansible.builtin.set_fact:
    __ports: >-
      {{ observability_components | proxy_agent.observability.published_ports(
           observability_published_ports, overrides={'prometheus': prometheus_host_port}) }}

# ['prometheus', 'alertmanager'] | proxy_agent.observability.published_ports({'prometheus': 9090, 'alertmanager': 9090})
# fails with:
#   observability_published_ports: alertmanager and prometheus both publish host port 9090.
#   Fix: give each component its own port
"""

RETURN = r"""
_value:
  description: Component to host port (an integer), for the enabled components and those in O(overrides).
  type: dict
  sample: {"prometheus": 9090, "alertmanager": 9093}
"""

import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import COMPONENT_NAMES
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._components import check_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

VAR_PORTS = "observability_published_ports"
_DIGITS = re.compile(r"^[0-9]{1,5}$")


def _as_port(value):
    """The port number value denotes, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        port = value
    elif isinstance(value, str) and _DIGITS.match(value):
        port = int(value)
    else:
        return None
    return port if 1 <= port <= 65535 else None


def _check_mapping(variable, mapping):
    if not isinstance(mapping, Mapping):
        raise bad_input(variable, "must map components to host ports, got %s" % type(mapping).__name__,
                        "set it like {'prometheus': 9090, 'node_exporter': 9100}")
    unknown = sorted(set(mapping) - set(COMPONENT_NAMES), key=str)
    if unknown:
        raise bad_input(variable, "%s is not a component of this stack" % ", ".join(map(repr, unknown)),
                        "use names from: %s" % ", ".join(COMPONENT_NAMES))


def published_ports(components, ports, overrides=None):
    """Return {component: host port} of the enabled components; raise on a bad or shared port."""
    names = check_components(components)
    overrides = {} if overrides is None else overrides
    _check_mapping(VAR_PORTS, ports)
    _check_mapping("overrides", overrides)
    result = {}
    overridden = set()  # components whose role sets a port other than the stack's: errors name that variable
    for name in names + [name for name in overrides if name not in names]:
        if name in overrides:
            variable, value = "%s_host_port" % name, overrides[name]
        elif name in ports:
            variable, value = "%s['%s']" % (VAR_PORTS, name), ports[name]
        else:
            raise bad_input(VAR_PORTS, "has no host port for the enabled component %r" % name,
                            "add an entry for it (a mapping you set replaces the whole default one)")
        port = _as_port(value)
        if port is None:
            raise bad_input(variable, "%r is not a port" % (value,), "give an integer from 1 to 65535")
        result[name] = port
        if name in overrides and _as_port(ports.get(name)) != port:
            overridden.add(name)
    taken = {}
    for name in sorted(result):
        port = result[name]
        if port in taken:
            pair = (taken[port], name)
            changed = [other for other in pair if other in overridden]
            variables = ["%s_host_port" % other for other in changed]
            fix = "give each component its own port"
            if len(changed) == 1:
                fix += ": change %s, or unset it to use %s['%s']" % (variables[0], VAR_PORTS, changed[0])
            elif changed:
                fix += ": change %s, or unset them to use %s" % (" or ".join(variables), VAR_PORTS)
            raise bad_input(" / ".join(variables) or VAR_PORTS,
                            "%s and %s both publish host port %d" % (pair[0], pair[1], port), fix)
        taken[port] = name
    return result


class FilterModule(object):
    """Filters for the stack's published ports."""

    def filters(self):
        return {"published_ports": published_ports}

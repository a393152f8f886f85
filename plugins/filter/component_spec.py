# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: component_spec
short_description: What the container of a component on a host looks like, from the catalogue and the fleet
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Returns, for the shared container deploy path (C(roles/_common/tasks/deploy.yml)), the catalogue's facts about
    O(component) made concrete for O(host): container name (C(<prefix>-<component with - for _>)), network alias,
    data volume and its mount path, user and group, configuration mount, the upstream checkers, the readiness probe,
    and Docker's C(published_ports) (C(bind:host port:container port[/udp]), bound as the fleet decided)."
positional: host, component
options:
  host:
    description: The host (C(inventory_hostname)).
    type: str
    required: true
  component:
    description: The component.
    type: str
    required: true
extends_documentation_fragment:
  - proxy_agent.observability.fleet
"""

EXAMPLES = r"""
- name: Show how Prometheus runs here
  ansible.builtin.debug:
    msg: "{{ _observability_fleet | proxy_agent.observability.component_spec(inventory_hostname, 'prometheus') }}"
"""

RETURN = r"""
_value:
  description: "C(container), C(alias), C(volume) (None without data), C(volume_path), C(volume_owner) (the UID
    that owns the volume's content), C(user), C(group) (the user's group id, which may read secret files),
    C(config_mount) (None for flags only), C(checks), C(port) (the readiness probe's port inside the container),
    C(ready_path), C(ports) (port name to container port), C(published_ports), C(flags_check) (the binary and
    arguments that make it parse the container's flags and exit, or None), C(reload) (signal, restart or none),
    C(verify) (the metrics that prove a (re)load, or None), C(metrics_port) and C(metrics_path) (its own metrics)."
  type: dict
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import container_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import network_alias
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import volume_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import check_fleet
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import published_ports
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input


def component_spec(fleet, host, component):
    """Return the container facts of component on host."""
    check_fleet(fleet)
    record = fleet["hosts"].get(host)
    if record is None or component not in record["components"]:
        raise bad_input("observability_components", "host %s does not run %s" % (host, component),
                        "add %s to the host's observability_components (or its group), or do not apply the role to it"
                        % component)
    entry = COMPONENTS[component]
    ready = entry["ready"]
    volume = entry["volume"]
    return {
        "container": container_name(record["prefix"], component),
        "alias": network_alias(component),
        "volume": volume_name(record["prefix"], component) if volume else None,
        "volume_path": volume["path"] if volume else None,
        "volume_owner": volume["owner"] if volume else None,
        "user": entry["user"],
        "group": int(entry["user"].split(":")[1]),
        "config_mount": entry["config"],
        "checks": [{"entrypoint": check["entrypoint"], "args": list(check["args"])} for check in entry["checks"]],
        "port": entry["ports"][ready["port"]]["container"],
        "ready_path": ready["path"],
        "ports": {name: port["container"] for name, port in entry["ports"].items()},
        "published_ports": published_ports(fleet, host, component),
        "flags_check": ({"entrypoint": entry["flags_check"]["entrypoint"], "args": list(entry["flags_check"]["args"])}
                        if entry["flags_check"] else None),
        "reload": entry["reload"],
        "verify": entry["verify"],
        "metrics_port": entry["ports"][entry["metrics"]["port"]]["container"],
        "metrics_path": entry["metrics"]["path"],
    }


class FilterModule(object):
    """Container facts of the components."""

    def filters(self):
        return {"component_spec": component_spec}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: stack_volumes
short_description: Name and label the data volumes of the enabled components
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Returns one named volume, C(<prefix>_<component>_data), for every enabled component that keeps data,
    labelled as managed by this collection.
options:
  _input:
    description: The enabled components (C(observability_components)).
    type: list
    elements: str
    required: true
  prefix:
    description: The stack prefix (C(observability_prefix)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Create data volumes
  community.docker.docker_volume:
    name: "{{ item.name }}"
    labels: "{{ item.labels }}"
  loop: "{{ observability_components | proxy_agent.observability.stack_volumes(prefix=observability_prefix) }}"
"""

RETURN = r"""
_value:
  description: One entry per volume, with keys C(name), C(component) and C(labels).
  type: list
  elements: dict
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import LABEL_COMPONENT
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import LABEL_MANAGED
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import check_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import check_prefix
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import volume_name


def stack_volumes(components, prefix):
    """Return the named volumes of the enabled stateful components."""
    check_prefix(prefix)
    names = check_components(components)
    return [
        {
            "name": volume_name(prefix, name),
            "component": name,
            "labels": {LABEL_MANAGED: "true", LABEL_COMPONENT: name},
        }
        for name in names if COMPONENTS[name]["volume"]
    ]


class FilterModule(object):
    """Filters for the stack's volumes."""

    def filters(self):
        return {"stack_volumes": stack_volumes}

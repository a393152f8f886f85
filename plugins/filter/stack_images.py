# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: stack_images
short_description: The image each enabled component runs
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Looks up the image of every enabled component in the catalogue, applies the user's overrides, checks that each
    reference is pinned and well formed, and points it at the registry mirror when one is set.
options:
  _input:
    description: The enabled components (C(observability_components)).
    type: list
    elements: str
    required: true
  images:
    description: The image catalogue, component to reference (C(observability_images)).
    type: dict
    required: true
  overrides:
    description: Per-component references that replace catalogue entries (C(observability_image_overrides)).
    type: dict
    default: {}
  mirror:
    description: Registry mirror host (C(observability_registry_mirror)).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Images this host needs
  ansible.builtin.debug:
    msg: "{{ ['prometheus'] | proxy_agent.observability.stack_images(images=observability_images) }}"
"""

RETURN = r"""
_value:
  description: Component name to the image reference to run.
  type: dict
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENT_NAMES
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import check_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._images import image_ref


def stack_images(components, images, overrides=None, mirror=""):
    """Return {component: image reference} for the enabled components."""
    names = check_components(components)
    for variable, mapping in (("observability_images", images), ("observability_image_overrides", overrides or {})):
        if not isinstance(mapping, dict):
            raise bad_input(variable, "must be a mapping of component to image, got %s" % type(mapping).__name__,
                            "set it like {'prometheus': 'prom/prometheus:v3.14.0'}")
        unknown = sorted(set(mapping) - set(COMPONENT_NAMES))
        if unknown:
            raise bad_input(variable, "%s is not a component of this stack" % ", ".join(map(repr, unknown)),
                            "use names from: %s" % ", ".join(COMPONENT_NAMES))
    merged = dict(images)
    merged.update(overrides or {})
    result = {}
    for name in names:
        key = COMPONENTS[name]["image"]
        if key not in merged:
            raise bad_input("observability_images", "has no image for the enabled component %r" % key,
                            "add an entry for it or set observability_image_overrides['%s']" % key)
        variable = "observability_image_overrides['%s']" % key if key in (overrides or {}) \
            else "observability_images['%s']" % key
        result[name] = image_ref(merged[key], mirror=mirror, variable=variable)
    return result


class FilterModule(object):
    """Filters for the stack's images."""

    def filters(self):
        return {"stack_images": stack_images}

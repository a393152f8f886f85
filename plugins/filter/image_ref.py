# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: image_ref
short_description: Check an image reference and point it at a registry mirror
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Checks that an image reference is pinned (a tag other than C(latest), or a digest) and well formed.
  - With O(mirror), replaces the registry host of the reference with the mirror. Images on Docker Hub keep their
    namespace (C(library/) for official images). References to C(localhost/...) are never rewritten.
options:
  _input:
    description: The image reference, for example C(prom/prometheus:v3.14.0).
    type: str
    required: true
  mirror:
    description: Registry host (and optional port and path) to pull through, for example C(mirror.example:5000).
    type: str
    default: ""
  variable:
    description: The variable name that error messages name.
    type: str
    default: observability_images
"""

EXAMPLES = r"""
- name: Mirror an image
  ansible.builtin.debug:
    msg: "{{ 'prom/prometheus:v3.14.0' | proxy_agent.observability.image_ref(mirror='mirror.example:5000') }}"
    # -> mirror.example:5000/prom/prometheus:v3.14.0
"""

RETURN = r"""
_value:
  description: The image reference to use.
  type: str
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._images import image_ref


class FilterModule(object):
    """Filters for image references."""

    def filters(self):
        return {"image_ref": image_ref}

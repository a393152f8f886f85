# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: image_release
short_description: The release an image reference's tag names
version_added: 0.8.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Returns the release that the tag of an image reference names, as C(major.minor.patch) (C(prom/prometheus:v3.5.0)
    gives C(3.5.0), C(grafana/loki:2.9) gives C(2.9.0)), or an empty string when the reference has no such tag (a
    digest, C(main), a malformed reference).
options:
  _input:
    description: The image reference.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Show the release Prometheus runs
  ansible.builtin.debug:
    msg: "{{ 'prom/prometheus:v3.5.0' | proxy_agent.observability.image_release }}"  # 3.5.0
"""

RETURN = r"""
_value:
  description: The release, or an empty string.
  type: str
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._images import image_version


def image_release(ref):
    """Return 'major.minor.patch' from the reference's tag, or ''."""
    version = image_version(ref)
    return ".".join(str(part) for part in version) if version else ""


class FilterModule(object):
    """Filters for image references."""

    def filters(self):
        return {"image_release": image_release}

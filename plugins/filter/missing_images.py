# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: missing_images
short_description: Which wanted images an engine does not hold
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Compares image references with the images M(community.docker.docker_image_info) found, by tag and by digest.
    Docker Hub references match with or without C(docker.io/) and C(library/).
options:
  _input:
    description: Wanted image references.
    type: list
    elements: str
    required: true
  found:
    description: The C(images) list returned by M(community.docker.docker_image_info).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Report missing images
  ansible.builtin.debug:
    msg: "{{ ['prom/prometheus:v3.14.0'] | proxy_agent.observability.missing_images(__info.images) }}"
"""

RETURN = r"""
_value:
  description: The wanted references that are not present, in input order.
  type: list
  elements: str
"""


def _normal(ref):
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


def missing_images(wanted, found):
    """Return the references in wanted that no image in found carries as a tag or digest."""
    present = set()
    for image in found or []:
        for ref in (image.get("RepoTags") or []) + (image.get("RepoDigests") or []):
            present.add(_normal(ref))
    result = []
    for ref in wanted:
        name = _normal(ref)
        if "@" in name:
            # name:tag@digest is stored as name@digest
            base, digest = name.split("@", 1)
            last = base.rsplit("/", 1)[-1]
            if ":" in last:
                base = base.rsplit(":", 1)[0]
            name = "%s@%s" % (base, digest)
        if name not in present and ref not in result:
            result.append(ref)
    return result


class FilterModule(object):
    """Filters for image presence."""

    def filters(self):
        return {"missing_images": missing_images}

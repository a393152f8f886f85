# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: stack_summary
short_description: Describe what runs on a host and where to reach it
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Turns the result of M(community.docker.docker_host_info) (with C(verbose_output=true)) and the component images
    into lines for a person, naming the engine, network, volumes, images (and where they came from), and each
    container with its state, health and URLs.
  - An image labelled C(io.proxy-agent.observability.test-double=true) is reported as a test double, one labelled
    C(io.proxy-agent.observability.source) as built locally from that source.
options:
  _input:
    description: The registered result of M(community.docker.docker_host_info).
    type: dict
    required: true
  images:
    description: Component name to image reference.
    type: dict
    default: {}
  image_info:
    description: The C(images) list of M(community.docker.docker_image_info) for those references.
    type: list
    elements: dict
    default: []
  address:
    description: The address users reach the host at (C(observability_address)), used in URLs for ports published
      on all interfaces.
    type: str
    default: localhost
  host_name:
    description: The host's name, for ports bound to its loopback (listed as C(127.0.0.1:PORT on HOST only), which
      opens only on that host).
    type: str
    default: the host
  https:
    description: Names of the containers that serve HTTPS (C(observability_web_tls)), whose URLs start with
      C(https://).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Show the stack
  ansible.builtin.debug:
    msg: "{{ __engine | proxy_agent.observability.stack_summary(images=_observability_images, address=ansible_host) }}"
"""

RETURN = r"""
_value:
  description: Lines of text.
  type: list
  elements: str
"""

LABEL_TEST_DOUBLE = "io.proxy-agent.observability.test-double"
LABEL_SOURCE = "io.proxy-agent.observability.source"


def _image_origin(ref, image_info):
    for image in image_info or []:
        if ref in (image.get("RepoTags") or []) or ref in (image.get("RepoDigests") or []):
            labels = (image.get("Config") or {}).get("Labels") or {}
            if labels.get(LABEL_TEST_DOUBLE) == "true":
                return "TEST DOUBLE, not the real component"
            if labels.get(LABEL_SOURCE):
                return "built locally from %s" % labels[LABEL_SOURCE]
            return "upstream image"
    return "missing"


def _urls(container, address, host_name, scheme="http"):
    urls = []
    for port in container.get("Ports") or []:
        if not port.get("PublicPort") or port.get("Type") != "tcp":
            continue
        ip = port.get("IP") or "0.0.0.0"
        if ip in ("0.0.0.0", "::"):
            where = address
        elif ":" in ip:
            where = "[%s]" % ip
        else:
            where = ip
        if ip.startswith("127.") or ip == "::1":
            url = "%s:%s on %s only" % (where, port["PublicPort"], host_name)
        else:
            url = "%s://%s:%s" % (scheme, where, port["PublicPort"])
        if url not in urls:
            urls.append(url)
    # The URLs that open from elsewhere first, then the ports only the host itself reaches.
    opens = [url for url in urls if url.startswith(("http://", "https://"))]
    return opens + [url for url in urls if url not in opens]


def stack_summary(engine, images=None, image_info=None, address="localhost", host_name="the host", https=None):
    """Return lines describing the engine, network, volumes, images and containers of one host."""
    host = engine.get("host_info") or {}
    lines = ["engine: Docker %s (%s, %s)" % (host.get("ServerVersion", "?"), host.get("Driver", "?"),
                                             "cgroup v%s" % host.get("CgroupVersion", "?"))]
    for network in engine.get("networks") or []:
        configs = (network.get("IPAM") or {}).get("Config") or []
        subnets = ", ".join(c.get("Subnet", "") for c in configs if c.get("Subnet")) or "subnet chosen by Docker"
        lines.append("network: %s (%s, %s)" % (network.get("Name"), network.get("Driver"), subnets))
    for volume in sorted(engine.get("volumes") or [], key=lambda v: v.get("Name", "")):
        lines.append("volume: %s" % volume.get("Name"))
    for component, ref in sorted((images or {}).items()):
        lines.append("image: %s = %s (%s)" % (component, ref, _image_origin(ref, image_info)))
    for container in sorted(engine.get("containers") or [], key=lambda c: c.get("Names", [""])[0]):
        name = (container.get("Names") or ["?"])[0].lstrip("/")
        status = container.get("Status") or ""
        health = "healthy" if "(healthy)" in status else "unhealthy" if "(unhealthy)" in status else \
            "starting" if "(health: starting)" in status else "no healthcheck"
        urls = _urls(container, address, host_name, "https" if name in (https or []) else "http")
        where = (" at " + " ".join(urls)) if urls else ", no published port"
        lines.append("container: %s %s, %s%s" % (name, container.get("State", "?"), health, where))
    if not engine.get("containers"):
        lines.append("containers: none of the stack's containers run here yet")
    return lines


class FilterModule(object):
    """Filters for the stack summary."""

    def filters(self):
        return {"stack_summary": stack_summary}

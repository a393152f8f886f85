# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: endpoint_url
short_description: The URL of an endpoint of the fleet
version_added: 0.5.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "C(<scheme>://<address>:<port><endpoint path><path>), with an IPv6 address in brackets; an endpoint comes from
    P(proxy_agent.observability.fleet_endpoints#filter)."
positional: path
options:
  _input:
    description: The endpoint.
    type: dict
    required: true
  path:
    description: Path to append, starting with C(/).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Probe every Alertmanager
  ansible.builtin.uri:
    url: "{{ item | proxy_agent.observability.endpoint_url('/-/ready') }}"
  loop: "{{ _observability_fleet | proxy_agent.observability.fleet_endpoints('alertmanager', '') }}"
"""

RETURN = r"""
_value:
  description: The URL.
  type: str
"""

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoint_url as _url
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input


def endpoint_url(endpoint, path=""):
    """Return the URL of endpoint with path appended."""
    if not isinstance(endpoint, Mapping) or not {"scheme", "address", "port"} <= set(endpoint):
        raise bad_input("endpoint", "%r is not an endpoint" % (endpoint,), "pass an item of fleet_endpoints")
    if path and not str(path).startswith("/"):
        raise bad_input("path", "%r does not start with '/'" % (path,), "write the path from the root, e.g. '/-/ready'")
    return _url(endpoint, str(path))


class FilterModule(object):
    """URLs of endpoints."""

    def filters(self):
        return {"endpoint_url": endpoint_url}

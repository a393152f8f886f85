# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: web_client_files
short_description: The files a client of the stack's TLS and basic auth components keeps
version_added: 0.8.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Returns C({files, secret_files}) for the configuration directory of a client of the components that serve TLS
    or basic auth (Prometheus, Grafana): the CA certificate (C(web-ca.crt)) when O(_input) (TLS) is on, and the
    password of the stack's user (C(web-password), a secret file) when O(password) is set, under the names the
    endpoints of P(proxy_agent.observability.fleet_endpoints#filter) give in C(tls.ca_file) and
    C(basic_auth.password_file)."
extends_documentation_fragment:
  - proxy_agent.observability.web_auth
options:
  _input:
    description: TLS on (C(observability_web_tls)).
    type: bool
    required: true
  ca_cert:
    description: PEM of the CA certificate (needed when O(_input) is true).
    type: str
    default: ""
  users:
    description: More users, name to password (C(observability_web_auth_users)); only checked.
    type: dict
    default: {}
  cert:
    description: The user's certificate of the host (C(observability_tls_cert)); only checked, with O(preflight).
    type: str
    default: ""
  key:
    description: Its private key (C(observability_tls_key)); only checked, with O(preflight).
    type: str
    default: ""
  preflight:
    description: Only check the settings (O(ca_cert), O(cert) and O(key) are all PEM or all empty; the bcrypt library
      is installed when a password is set) and return no files.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: What Prometheus needs to scrape the stack's components
  ansible.builtin.set_fact:
    __prometheus_client: >-
      {{ observability_web_tls | proxy_agent.observability.web_client_files(username=observability_web_auth_username,
           password=observability_web_auth_password, ca_cert=_observability_tls.ca_cert) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: The files.
  type: dict
  contains:
    files:
      description: File name to content (C(web-ca.crt)).
      type: dict
    secret_files:
      description: File name to content readable only by the client's user (C(web-password)).
      type: dict
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import client_files


def web_client_files(tls, username="observability", password="", ca_cert="", users=None, cert="", key="",
                     preflight=False):
    """Return {files, secret_files} of a client of the stack's components."""
    return client_files(tls, username, password, ca_cert or "", users, cert or "", key or "", bool(preflight))


class FilterModule(object):
    """Files of the stack's clients."""

    def filters(self):
        return {"web_client_files": web_client_files}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: web_config
short_description: TLS and basic auth files and flags of a component instance
version_added: 0.8.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Returns C({files, secret_files, flags}) for the instance of O(_input) on O(host): for a component that serves
    through Prometheus' exporter-toolkit (Prometheus, Alertmanager, node-exporter, postgres-exporter) the web
    configuration file C(web.yml) (C(tls_server_config) with the certificate C(web.crt) and key C(web.key) of its
    configuration directory, C(basic_auth_users) with bcrypt hashes) and the flag C(--web.config.file); for
    redis_exporter its own flags (C(--tls-server-cert-file), C(--tls-server-key-file), C(--basic-auth-username),
    C(--basic-auth-hash-password) with the bcrypt hash, never the password). C(secret_files) holds the key."
  - "Empty (no files, no flags) when neither O(tls) is on nor O(password) set, and for a component without a web
    configuration."
  - "The bcrypt salt of a user is derived from the host and user name (SHA-256), so that a converge writes the same
    hash again while no two hosts share one. Needs the Python library bcrypt on the controller."
  - "Refused: a password longer than 72 bytes (bcrypt would use only its first 72), O(users) without O(password),
    more than one user for redis_exporter, TLS without O(cert) and O(key)."
extends_documentation_fragment:
  - proxy_agent.observability.web_auth
options:
  _input:
    description: The component, for example C(node_exporter).
    type: str
    required: true
  host:
    description: The host the instance runs on (C(inventory_hostname)), part of the salt.
    type: str
    required: true
  tls:
    description: Serve HTTPS (C(observability_web_tls)).
    type: bool
    default: false
  users:
    description: More users, name to password (C(observability_web_auth_users)).
    type: dict
    default: {}
  cert:
    description: PEM certificate of the host (needed with O(tls)).
    type: str
    default: ""
  key:
    description: PEM private key of the host (needed with O(tls)).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The web configuration of node-exporter
  ansible.builtin.set_fact:
    __node_exporter_web: >-
      {{ 'node_exporter' | proxy_agent.observability.web_config(inventory_hostname, tls=observability_web_tls,
           username=observability_web_auth_username, password=observability_web_auth_password,
           users=observability_web_auth_users, cert=_observability_tls.cert, key=_observability_tls.key) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: The files and flags.
  type: dict
  contains:
    files:
      description: File name in the configuration directory to content (C(web.yml), C(web.crt)).
      type: dict
    secret_files:
      description: File name to content readable only by the container's user (C(web.key)).
      type: dict
    flags:
      description: Flags to add to the container's command.
      type: list
      elements: str
"""

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import web_files


def web_config(component, host, tls=False, username="observability", password="", users=None, cert="", key=""):
    """Return {files, secret_files, flags} of component's instance on host."""
    if component not in COMPONENTS:
        raise bad_input("component", "%r is not a component of this stack" % (component,),
                        "use one of %s" % ", ".join(sorted(COMPONENTS)))
    return web_files(component, str(host), tls, username, password, users, cert or "", key or "")


class FilterModule(object):
    """TLS and basic auth of the components."""

    def filters(self):
        return {"web_config": web_config}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets moved out of a configuration into files, shared by the alertmanager_config and prometheus_scrape_configs
filters. Private to the collection (leading underscore).

Prometheus and Alertmanager share one HTTP client configuration (prometheus/common config/http_config.go,
HTTPClientConfig: Alertmanager's global and per-integration http_config, inlined in Prometheus' scrape_config). Every
inline secret it can hold has a *_file twin there, read with FileSecret (os.ReadFile then strings.TrimSpace): read in
prometheus/common v0.61.0 (Alertmanager 0.28) and v0.70.1 (Alertmanager 0.34, Prometheus 3.14).
"""

from __future__ import annotations

import posixpath
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

SECRET_NOTE = "(value not shown: it is a secret)"

# (section of http_config or None for the top level, inline key, its *_file twin, part of the secret file's name).
HTTP_CONFIG_SECRETS = (
    (None, "bearer_token", "bearer_token_file", "bearer_token"),
    ("basic_auth", "password", "password_file", "basic_auth_password"),
    ("authorization", "credentials", "credentials_file", "authorization_credentials"),
    ("oauth2", "client_secret", "client_secret_file", "oauth2_client_secret"),
    ("tls_config", "key", "key_file", "tls_key"),
)

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


def file_part(name):
    """A name as a part of a secret file's name: every character other than letters, digits, _ . - becomes _."""
    return _UNSAFE_FILE_CHARS.sub("_", str(name))


def check_secret(path, value, reader, multiline=False):
    """Check an inline secret that goes to a file: a non-empty string, no unexpanded ${VARIABLE}, and no whitespace
    around it, which the reader (named in the message) trims from the file. Messages never show the value."""
    if not isinstance(value, str) or not value.strip():
        raise bad_input(path, "must be a non-empty string %s" % SECRET_NOTE, "set the secret (e.g. from Ansible Vault)")
    if "${" in value or value.startswith("$"):
        raise bad_input(path, "looks like an unexpanded environment variable such as ${PASSWORD} %s" % SECRET_NOTE,
                        "give the real value (e.g. from Ansible Vault): %s does not expand variables in its "
                        "configuration" % reader)
    if not multiline and value != value.strip():
        raise bad_input(path, "starts or ends with whitespace %s, which %s trims when it reads the secret file"
                        % (SECRET_NOTE, reader), "remove the whitespace around the secret")


class SecretFiles(object):
    """The secret files collected while building a configuration: file name -> variable path and value."""

    def __init__(self, directory, owners="receivers"):
        self.directory = posixpath.normpath(directory)
        self.owners = owners  # what the file names are made of, for the fix of a clash
        self.sources = {}
        self.values = {}

    def add(self, name, source, value):
        """Record a secret; return the path of its file as the service sees it."""
        if name in self.sources:
            raise bad_input(source, "would be written to the secret file %r, which already holds %s"
                            % (name, self.sources[name]),
                            "give the %s names that differ in letters, digits, '_', '.' or '-'" % self.owners)
        self.sources[name] = source
        self.values[name] = value
        return posixpath.join(self.directory, name)


def _key(path, key):
    return "%s.%s" % (path, key) if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key) else "%s[%r]" % (path, key)


def move_inline_secret(config, path, key, file_key, name, secrets, reader, multiline=False, check=None):
    """Replace config[key] (a dict, changed in place, key order kept) by config[file_key] naming the secret file
    `name`. The value is checked with check(variable path, value), by default check_secret."""
    if key not in config:
        return
    spath = _key(path, key)
    if file_key in config:
        raise bad_input(path, "sets both %s and %s" % (key, file_key), "keep one of them")
    value = config[key]
    if check is None:
        check_secret(spath, value, reader, multiline=multiline)
    else:
        check(spath, value)
    location = secrets.add(name, spath, value.strip() if multiline else value)
    items = [(file_key if item == key else item, location if item == key else item_value)
             for item, item_value in config.items() if item != file_key]
    config.clear()
    config.update(items)


def move_http_secrets(config, path, prefix, secrets, reader):
    """A plain copy of an HTTP client configuration (or of a mapping that inlines one, such as a scrape config) with
    every inline secret of HTTP_CONFIG_SECRETS moved to a file named <prefix><part> and replaced by its *_file key.
    `path` is the variable path of `config`, for messages and RV secret_files."""
    if not isinstance(config, Mapping):
        return plain(config)
    result = plain(config)
    for section, key, file_key, part in HTTP_CONFIG_SECRETS:
        if section is None:
            move_inline_secret(result, path, key, file_key, prefix + part, secrets, reader)
            continue
        block = result.get(section)
        if not isinstance(block, dict):
            continue
        move_inline_secret(block, _key(path, section), key, file_key, prefix + part, secrets, reader,
                           multiline=section == "tls_config")
    return result

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: docker_daemon_config
short_description: Merge and check the content of Docker's daemon.json
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Merges the user's daemon options into the host's existing C(/etc/docker/daemon.json) and the managed defaults,
    and checks every key the role sets before the file is written.
  - "Precedence: the host's own keys are kept; a managed default fills in only a top-level key the host's file
    does not have; the user's options override both (mappings are merged deeply). A key whose user value is
    V(null) is removed, also one that only the host's file had."
  - dockerd refuses to start on an unknown key or a wrongly typed value, so a bad C(daemon.json) takes the engine
    and every container on the host down. This filter rejects such input from the defaults and the options while
    nothing on the host has changed yet. The host's own keys are passed through unchecked (dockerd checks them;
    they may be newer than this filter).
  - 'C(log-opts) values must be strings for dockerd; integers are converted (C(max-file: 3) becomes C("3")).'
  - With O(_input) and O(defaults) empty, returns the host's file as a mapping (parsed and checked to be one).
options:
  _input:
    description: The user's options (C(docker_host_daemon_options)).
    type: dict
    required: true
  defaults:
    description: The managed defaults (C(docker_host_daemon_defaults)), used for top-level keys the host's file lacks.
    type: dict
    default: {}
  allow_keys:
    description: Extra top-level keys to accept without checks, for options newer than this filter knows.
    type: list
    elements: str
    default: []
  variable:
    description: The variable name that error messages name.
    type: str
    default: docker_host_daemon_options
  current:
    description:
      - The host's existing C(/etc/docker/daemon.json), as its text (empty or V(null) when there is none) or as a
        mapping.
      - Text that is not a JSON object is rejected naming C(/etc/docker/daemon.json).
    type: raw
    default: null
"""

EXAMPLES = r"""
- name: Read the host's daemon.json
  ansible.builtin.slurp:
    src: /etc/docker/daemon.json
  register: daemon_json

- name: Merge and write daemon.json
  ansible.builtin.copy:
    content: >-
      {{ docker_host_daemon_options | proxy_agent.observability.docker_daemon_config(
           defaults=docker_host_daemon_defaults, current=daemon_json.content | b64decode) | to_nice_json }}
    dest: /etc/docker/daemon.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The merged daemon configuration; the keys the defaults and options set are checked.
  type: dict
"""

import ipaddress
import json

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

_BOOL = (bool,)
_STR = (str,)
_INT = (int,)
_LIST = (list,)
_DICT = (dict,)

# dockerd's daemon.json keys (dockerd reference, "Daemon configuration file") and the JSON type each takes.
KNOWN_KEYS = {
    "allow-nondistributable-artifacts": _LIST, "authorization-plugins": _LIST, "bip": _STR, "bridge": _STR,
    "builder": _DICT, "cgroup-parent": _STR, "containerd": _STR, "containerd-namespace": _STR,
    "containerd-plugins-namespace": _STR, "data-root": _STR, "debug": _BOOL, "default-address-pools": _LIST,
    "default-cgroupns-mode": _STR, "default-gateway": _STR, "default-gateway-v6": _STR, "default-ipc-mode": _STR,
    "default-runtime": _STR, "default-shm-size": _STR, "default-ulimits": _DICT, "dns": _LIST, "dns-opts": _LIST,
    "dns-search": _LIST, "exec-opts": _LIST, "exec-root": _STR, "experimental": _BOOL, "features": _DICT,
    "fixed-cidr": _STR, "fixed-cidr-v6": _STR, "group": _STR, "hosts": _LIST, "icc": _BOOL, "init": _BOOL,
    "init-path": _STR, "insecure-registries": _LIST, "ip": _STR, "ip-forward": _BOOL, "ip-masq": _BOOL,
    "ip6tables": _BOOL, "iptables": _BOOL, "ipv6": _BOOL, "labels": _LIST, "live-restore": _BOOL,
    "log-driver": _STR, "log-format": _STR, "log-level": _STR, "log-opts": _DICT, "max-concurrent-downloads": _INT,
    "max-concurrent-uploads": _INT, "max-download-attempts": _INT, "metrics-addr": _STR, "mtu": _INT,
    "no-new-privileges": _BOOL, "node-generic-resources": _LIST, "oom-score-adjust": _INT, "pidfile": _STR,
    "proxies": _DICT, "raw-logs": _BOOL, "registry-mirrors": _LIST, "runtimes": _DICT, "seccomp-profile": _STR,
    "selinux-enabled": _BOOL, "shutdown-timeout": _INT, "storage-driver": _STR, "storage-opts": _LIST,
    "swarm-default-advertise-addr": _STR, "tls": _BOOL, "tlscacert": _STR, "tlscert": _STR, "tlskey": _STR,
    "tlsverify": _BOOL, "userland-proxy": _BOOL, "userland-proxy-path": _STR, "userns-remap": _STR,
}

_LOG_LEVELS = ("debug", "info", "warn", "error", "fatal")
_CGROUPNS_MODES = ("host", "private")
_TYPE_NAMES = {_BOOL: "a boolean", _STR: "a string", _INT: "an integer", _LIST: "a list", _DICT: "a mapping"}

DAEMON_JSON = "/etc/docker/daemon.json"
_DAEMON_JSON_FIX = ("correct the file on the host or remove it (dockerd cannot start with it either), or set "
                    "docker_host_daemon_json_manage: false to leave it alone")


def _merge(defaults, options):
    merged = dict(defaults)
    for key, value in options.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key, {}), dict):
            merged[key] = _merge(merged.get(key, {}), value)
        else:
            merged[key] = value
    return merged


def _parse_current(current):
    """The host's daemon.json as a mapping: {} for no file or an empty one."""
    if current is None:
        return {}
    if isinstance(current, dict):
        return dict(current)
    if isinstance(current, bytes):
        current = current.decode("utf-8", errors="replace")
    if not isinstance(current, str):
        raise bad_input(DAEMON_JSON, "the host's file was read as %s, not as text" % type(current).__name__,
                        "pass the file's text (slurp, then b64decode)")
    text = current.lstrip("\ufeff")  # dockerd accepts a byte order mark
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise bad_input(DAEMON_JSON, "the host's file is not valid JSON (%s), and the role merges its keys into it"
                        % exc, _DAEMON_JSON_FIX)
    if not isinstance(value, dict):
        raise bad_input(DAEMON_JSON, "the host's file holds a JSON %s, not an object of daemon options"
                        % {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
                            type(value), "null"), _DAEMON_JSON_FIX)
    return value


def _check_type(variable, key, value, expected):
    ok = isinstance(value, expected) and not (isinstance(value, bool) and expected is not _BOOL)
    if not ok:
        raise bad_input(
            "%s['%s']" % (variable, key),
            "must be %s, got %s %r" % (_TYPE_NAMES[expected], type(value).__name__, value),
            "give %s as dockerd's daemon.json reference documents it" % _TYPE_NAMES[expected])


def _check_cidr(variable, key, value):
    try:
        if "/" not in value:
            raise ValueError(value)
        ipaddress.ip_interface(value)
    except ValueError:
        raise bad_input("%s['%s']" % (variable, key), "%r is not an address in CIDR notation" % (value,),
                        "write it like '172.31.0.1/24'")


def _log_opts(variable, value, own):
    """log-opts with the values the role sets (the names in own) checked and made strings; the host's kept."""
    result = {}
    for opt, opt_value in value.items():
        if opt not in own:
            result[opt] = opt_value
            continue
        if isinstance(opt_value, bool) or not isinstance(opt_value, (str, int)):
            raise bad_input("%s['log-opts']['%s']" % (variable, opt),
                            "must be a string, got %s %r" % (type(opt_value).__name__, opt_value),
                            "quote the value (dockerd accepts only strings in log-opts), e.g. '10m' or '3'")
        result[to_text(opt)] = to_text(opt_value)
    return result


def _check_value(source, key, value):
    """Checks beyond the JSON type, for the keys whose values dockerd parses further."""
    if key == "log-level" and value not in _LOG_LEVELS:
        raise bad_input("%s['log-level']" % source, "%r is not a log level" % (value,),
                        "use one of %s" % ", ".join(_LOG_LEVELS))
    if key == "default-cgroupns-mode" and value not in _CGROUPNS_MODES:
        raise bad_input("%s['default-cgroupns-mode']" % source, "%r is not a cgroup namespace mode" % (value,),
                        "use 'host' or 'private'")
    if key in ("bip", "fixed-cidr", "fixed-cidr-v6"):
        _check_cidr(source, key, value)
    elif key == "default-address-pools":
        for pool in value:
            if not isinstance(pool, dict) or set(pool) != {"base", "size"}:
                raise bad_input("%s['default-address-pools']" % source, "entry %r is not {base, size}" % (pool,),
                                "write entries like {'base': '172.80.0.0/16', 'size': 24}")
            _check_cidr(source, "default-address-pools", pool["base"])
    elif key == "registry-mirrors":
        for mirror in value:
            if not isinstance(mirror, str) or not mirror.startswith(("http://", "https://")):
                raise bad_input("%s['registry-mirrors']" % source, "%r is not a URL" % (mirror,),
                                "write mirrors with their scheme, e.g. 'https://mirror.example:5000'")


def docker_daemon_config(options, defaults=None, allow_keys=None, variable="docker_host_daemon_options", current=None):
    """Merge options and defaults into the host's daemon.json and check the keys they set."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise bad_input(variable, "must be a mapping of daemon.json keys, got %s" % type(options).__name__,
                        "set it like {'log-level': 'warn'}")
    if defaults is None:
        defaults = {}
    if not isinstance(defaults, dict):
        raise bad_input("docker_host_daemon_defaults", "must be a mapping, got %s" % type(defaults).__name__,
                        "set it like {'live-restore': true}")
    host = _parse_current(current)
    allowed = set(allow_keys or [])
    base = dict(host)
    base.update((key, value) for key, value in defaults.items() if key not in host and value is not None)
    merged = _merge(base, options)
    for key in sorted(merged):
        if key in options:
            source = variable
        elif key in host:
            continue  # the host's own key, as dockerd runs with it: dockerd checks it
        else:
            source = "docker_host_daemon_defaults"
        if key in allowed:
            continue
        value = merged[key]
        if key not in KNOWN_KEYS:
            raise bad_input("%s['%s']" % (source, key), "is not a daemon.json option dockerd knows, and dockerd "
                            "refuses to start on unknown keys",
                            "check the spelling against dockerd's reference, or list the key in "
                            "docker_host_daemon_allow_keys if your engine is newer than this check")
        _check_type(source, key, value, KNOWN_KEYS[key])
        if key == "log-opts":
            # Merged into the host's log-opts, only the options' values are the role's to check.
            own = options[key] if key in host and isinstance(options.get(key), dict) else value
            merged[key] = _log_opts(source, value, set(own))
        else:
            _check_value(source, key, value)
    return merged


class FilterModule(object):
    """Filters for Docker's daemon.json."""

    def filters(self):
        return {"docker_daemon_config": docker_daemon_config}

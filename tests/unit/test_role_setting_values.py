# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every role checks its container settings in preflight with the setting_values filter, and the flags it declares as
its own (_<role>_managed_flags in vars/main.yml) are the flags its tasks put on the command line."""
from __future__ import annotations

import os
import re

import pytest

from ansible_collections.proxy_agent.observability.plugins.filter.jaeger_config import jaeger_config
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import FLAG_PARSERS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import flag_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._web import web_files
from role_files import load_role_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(COMPONENTS)
# A quoted flag in a Jinja expression: '--name=...' or '--name' (also '-name' for Go's flag package).
_QUOTED_FLAG = re.compile(r"'(-{1,2}[A-Za-z][A-Za-z0-9._-]*)(?==|')")
# Roles whose own flags, other than the managed ones, are defaults that the extra flags may override (the role's
# README and defaults say "a later flag wins").
OVERRIDABLE = ("cadvisor",)
PROMETHEUS_ONLY = ("prometheus_retention_time", "prometheus_retention_size", "prometheus_alert_for",
                   "prometheus_alert_thresholds")


def _load(role, *path):
    return load_role_file(role, *path)


def _text(role, *path):
    with open(os.path.join(ROOT, "roles", role, *path), encoding="utf-8") as handle:
        return handle.read()


def _commands(node):
    """The command-line expressions of a role's tasks: _common_command, and the facts named __<role>_flags."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "_common_command" or (isinstance(key, str) and key.endswith("_flags") and key.startswith("__")):
                yield str(value)
            else:
                yield from _commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from _commands(item)


def _own_flags(role):
    """Names (without dashes) of the flags that the role's tasks put on the command line."""
    if role == "jaeger":  # built by the jaeger_config filter, for either family
        return {flag_name(flag) for version in ("2.20.0", "1.76.0") for flag in jaeger_config({}, version)["command"]}
    # The TLS and basic auth flags come from the web_config filter (observability_web_*), with everything on.
    web = web_files(role, "host1", True, "observability", "secret", {}, cert="CERT", key="KEY")["flags"]
    names = {flag_name(flag) for flag in web}
    for tasks in ("main.yml", "preflight.yml"):
        for expression in _commands(_load(role, "tasks", tasks) or []):
            names.update(flag_name(flag) for flag in _QUOTED_FLAG.findall(expression))
    return names


def _checked_variables(role):
    defaults = _load(role, "defaults", "main.yml") or {}
    return sorted(name for name in defaults
                  if name in PROMETHEUS_ONLY or name.endswith(("_memory", "_pids_limit", "_extra_flags")))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_checks_its_container_settings_in_preflight(role):
    preflight = _text(role, "tasks", "preflight.yml")
    variables = _checked_variables(role)
    assert {"%s_memory" % role, "%s_pids_limit" % role} <= set(variables), role
    assert "proxy_agent.observability.setting_values" in preflight, role
    for name in variables:
        assert "'%s': %s" % (name, name) in preflight, "%s: preflight does not check %s" % (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_a_role_used_on_its_own_runs_its_preflight(role):
    assert "file: preflight.yml" in _text(role, "tasks", "main.yml"), role


@pytest.mark.parametrize("role", sorted(FLAG_PARSERS))
def test_the_flags_a_role_declares_as_its_own_are_the_flags_it_sets(role):
    assert "%s_extra_flags" % role in (_load(role, "defaults", "main.yml") or {}), role
    assert "managed_flags=_%s_managed_flags" % role in _text(role, "tasks", "preflight.yml"), role
    declared = {flag_name(flag) for flag in (_load(role, "vars", "main.yml") or {}).get("_%s_managed_flags" % role)}
    own = _own_flags(role)
    assert own, role
    assert declared <= own, "%s declares flags its tasks no longer set: %s" % (role, sorted(declared - own))
    if role not in OVERRIDABLE:
        assert own <= declared, "%s sets flags that _%s_managed_flags (vars/main.yml) lacks: %s" % (
            role, role, sorted(own - declared))


def test_only_components_with_a_command_line_have_extra_flags():
    with_flags = sorted(role for role in ROLES if "%s_extra_flags" % role in (_load(role, "defaults", "main.yml") or {}))
    assert with_flags == sorted(FLAG_PARSERS)

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Role defaults and meta/argument_specs.yml must not drift apart."""
from __future__ import annotations

import os

import pytest
from role_files import load_role_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(r for r in os.listdir(os.path.join(ROOT, "roles")) if not r.startswith("_"))


def _load(role, *path):
    return load_role_file(role, *path)


def test_every_public_role_has_an_argument_spec():
    assert ROLES, "no roles found"
    for role in ROLES:
        assert _load(role, "meta", "argument_specs.yml"), role


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_documented_with_the_same_default(role):
    defaults = _load(role, "defaults", "main.yml") or {}
    options = _load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    for name, value in defaults.items():
        assert name in options, "%s: %s is in defaults/main.yml but not in meta/argument_specs.yml" % (role, name)
        spec = options[name]
        assert spec.get("description"), "%s: %s has no description" % (role, name)
        assert spec.get("type"), "%s: %s has no type" % (role, name)
        if "default" in spec:
            assert spec["default"] == value, "%s: %s defaults differ" % (role, name)
        else:
            # Derived defaults (Jinja) are documented in prose instead.
            assert isinstance(value, (str, dict)) and ("{{" in str(value) or isinstance(value, dict)), \
                "%s: %s has a plain default that the spec does not state" % (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_every_documented_option_is_a_default(role):
    defaults = _load(role, "defaults", "main.yml") or {}
    options = _load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    for name, spec in options.items():
        if spec.get("required"):
            continue
        assert name in defaults, "%s: %s is documented but has no default in defaults/main.yml" % (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_role_variables_carry_the_role_prefix(role):
    defaults = _load(role, "defaults", "main.yml") or {}
    for name in defaults:
        assert name.startswith(role + "_"), "%s: %s lacks the %s_ prefix" % (role, name, role)

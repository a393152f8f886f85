# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading the roles' YAML files in the unit tests: one loader that reads Ansible's !unsafe tag."""
from __future__ import annotations

import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """Reads Ansible's !unsafe tag as the plain string it marks."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load_yaml(path):
    """The YAML file at path."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # nosec: SafeLoader with one extra tag


def load_role_file(role, *path):
    """A role's YAML file (e.g. load_role_file('prometheus', 'defaults', 'main.yml')), None when it does not exist."""
    full = os.path.join(ROOT, "roles", role, *path)
    if not os.path.exists(full):
        return None
    return load_yaml(full)

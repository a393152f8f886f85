# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plain data for the filters' output and the type names of their error messages.

Private to the collection (leading underscore).
"""

from __future__ import annotations

import copy
import datetime

from collections.abc import Mapping


def kind(value):
    """The name of a value's YAML type, for error messages ('mapping', 'list', 'string', ...)."""
    for cls, name in ((bool, "boolean"), (str, "string"), (int, "integer"), (float, "number"), (Mapping, "mapping"),
                      (list, "list")):
        if isinstance(value, cls):
            return name
    return "null" if value is None else type(value).__name__


def plain(value):
    """A deep copy made of plain dict, list, str, int, float, bool and None, safe for yaml.safe_dump: no Ansible
    lazy or tagged types; dates (YAML reads an unquoted 2024-01-01 as one) become YYYY-MM-DD strings."""
    if isinstance(value, Mapping):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return copy.deepcopy(value)

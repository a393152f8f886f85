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
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input


# Prometheus' model.Duration, which Prometheus, Alertmanager, Loki and Promtail all use: units largest first, each
# at most once; "0" alone is also a duration.
_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_DURATION_MS = (365 * 86400000, 7 * 86400000, 86400000, 3600000, 60000, 1000, 1)


def parse_duration(value):
    """Milliseconds of a Prometheus (model.Duration) duration string, or None if value is not one (or out of
    range)."""
    if not isinstance(value, str) or not value:
        return None
    if value == "0":
        return 0
    match = _DURATION.match(value)
    if not match:
        return None
    millis = sum(int(part) * unit for part, unit in zip(match.groups(), _DURATION_MS) if part)
    # Nanoseconds in an int64, as Go's time.Duration holds them: about 292 years at most ("duration out of range").
    return millis if millis * 1000000 <= 2 ** 63 - 1 else None


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


def deep_merge(base, changes):
    """base with changes merged in: mappings key by key, anything else replaces. Neither argument is modified."""
    result = plain(base)
    for key, value in changes.items():
        key = plain(key)
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = plain(value)
    return result


def filter_settings(settings, table, role, example, allow_none=False):
    """A filter's settings checked against table {key: (variable, default)}, with the defaults filled in (a tuple
    default becomes a new list). Unknown keys and a non-mapping are refused, naming the filter's input."""
    if settings is None and allow_none:
        settings = {}
    if not isinstance(settings, Mapping):
        raise bad_input("settings", "must be a mapping of the %s role's settings, got %s" % (role, kind(settings)),
                        "pass a mapping like %s" % example)
    for key in settings:
        if key not in table:
            raise bad_input("settings", "%r is not a setting of %s_config" % (key, role),
                            "use %s" % ", ".join(sorted(table)))
    values = {}
    for key, (dummy, default) in table.items():
        value = settings.get(key)
        if value is None:
            value = list(default) if isinstance(default, tuple) else default
        values[key] = value
    return values


def check_port(variable, port):
    """A port from 1 to 65535 (digits in a string accepted), as an int; refused naming variable otherwise."""
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise bad_input(variable, "%r is not a port" % (port,), "give a port from 1 to 65535")
    return port

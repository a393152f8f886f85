# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: setting_values
short_description: Check role settings whose values the containers' programs read, naming the variable
version_added: 0.7.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Checks each value of a mapping C({variable name: value}) in the format the program that reads it expects, and
    fails naming the variable and the fix. Every role's preflight calls it, so that a value that would stop a
    container at its start, or make Docker refuse it, stops the run before any host changes."
  - "What each variable must be follows from its name:"
  - "C(<component>_memory): a Docker memory limit, a number with the unit C(b), C(k), C(m) or C(g) (any case; C(KB),
    C(MB), C(GB) too), e.g. C(256m). C(0) (no limit) and values below Docker's minimum of 6 MiB are refused."
  - "C(<component>_pids_limit): a whole number from 1 to 4194304 (the kernel's largest); C(0) and C(-1), Docker's
    unlimited, are refused."
  - "C(<component>_extra_flags): a list of strings, each one flag: C(--name) or C(--name=value), the value in the
    same entry. Loki, Promtail, cAdvisor and redis_exporter read Go's flag package and take C(-name) too; the others
    (kingpin, cobra) read a single C(-) as short flags. A flag that the role sets itself (O(managed_flags)) is refused,
    and with kingpin its C(--no-) form too. Whether the program knows a flag is not checked here."
  - "C(prometheus_retention_time): a Prometheus duration (units C(y w d h m s ms), largest first, e.g. C(30d) or
    C(1w3d)); C(0s) only together with a C(prometheus_retention_size), as Prometheus otherwise keeps its default of
    15 days."
  - "C(prometheus_retention_size): empty (no size limit), or a Prometheus size: a number and a unit C(B), C(KB),
    C(MB), C(GB), C(TB), C(PB) or C(EB) without a space, powers of 1024 (C(KiB), C(MiB)... mean the same), e.g.
    C(50GB)."
  - "C(prometheus_alert_for): a mapping of the shipped rules' alert names (O(known)) to Prometheus durations."
  - "C(prometheus_alert_thresholds): a mapping of the shipped rules' threshold names (O(known)) to numbers of 0 or
    more; a name ending in C(_ratio) is a fraction from 0 to 1 (0.05 for 5%)."
options:
  _input:
    description: "Variable name to value, e.g. C({'prometheus_memory': '2g', 'prometheus_pids_limit': 1024})."
    type: dict
    required: true
  managed_flags:
    description:
      - The flags the role sets itself, as C(--name) (the role's C(_<role>_managed_flags)), each to the fix printed
        when the extra flags set it anyway (C(null) when the stack relies on the role's value as it is).
    type: dict
    default: {}
  known:
    description: Variable name to the keys its mapping may have (a mapping's keys or a list).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Check the setting values before changing anything
  ansible.builtin.set_fact:
    __node_exporter_values: >-
      {{ {'node_exporter_memory': node_exporter_memory, 'node_exporter_pids_limit': node_exporter_pids_limit,
          'node_exporter_extra_flags': node_exporter_extra_flags}
         | proxy_agent.observability.setting_values(managed_flags=_node_exporter_managed_flags) }}
"""

RETURN = r"""
_value:
  description: The input, as plain data, once every value passed.
  type: dict
"""

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import kind
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import plain
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._prometheus import check_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import FLAG_PARSERS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_extra_flags
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_managed_flags
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_memory
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_number
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_pids_limit
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_size

RETENTION_SIZE = "prometheus_retention_size"


def _known_keys(variable, known):
    keys = known.get(variable)
    if keys is None:
        return None
    return sorted(str(key) for key in keys)


def _mapping(variable, value, example):
    if not isinstance(value, Mapping):
        raise bad_input(variable, "must be a mapping, got %s" % kind(value), "set it like %s, or {} for the seed's "
                        "values" % example)
    return value


def _check_key(variable, name, names, what):
    if names is not None and str(name) not in names:
        raise bad_input("%s[%r]" % (variable, name), "is not %s of the shipped alert rules" % what,
                        "use one of %s (rules of your own go in prometheus_rule_files_extra)" % ", ".join(names))


def _retention_time(variable, value, context):
    millis = check_duration(variable, value, allow_zero=True)
    if millis == 0 and not context["values"].get(RETENTION_SIZE):
        raise bad_input(variable, "%r keeps samples for Prometheus' default of 15 days, not forever" % (value,),
                        "give a duration such as '30d', or set %s as well to keep samples by size only"
                        % RETENTION_SIZE)


def _retention_size(variable, value, context):
    if value not in ("", None):
        check_size(variable, value)


def _alert_for(variable, value, context):
    names = _known_keys(variable, context["known"])
    for name, duration in _mapping(variable, value, "{HighErrorRate: 10m}").items():
        _check_key(variable, name, names, "an alert")
        check_duration("%s[%r]" % (variable, name), duration, allow_zero=True)


def _alert_thresholds(variable, value, context):
    names = _known_keys(variable, context["known"])
    for name, number in _mapping(variable, value, "{error_ratio: 0.1}").items():
        _check_key(variable, name, names, "a threshold")
        if str(name).endswith("_ratio"):
            check_number("%s[%r]" % (variable, name), number, at_most=1,
                         fix="write a share as a fraction from 0 to 1, e.g. 0.05 for 5%")
        else:
            check_number("%s[%r]" % (variable, name), number, fix="give a number of 0 or more, e.g. 1000")


def _memory(variable, value, context):
    check_memory(variable, value)


def _pids_limit(variable, value, context):
    check_pids_limit(variable, value)


def _extra_flags(variable, value, context):
    check_extra_flags(variable, value, context["component"], context["managed"])


SETTINGS = {
    "prometheus_retention_time": _retention_time,
    RETENTION_SIZE: _retention_size,
    "prometheus_alert_for": _alert_for,
    "prometheus_alert_thresholds": _alert_thresholds,
}
# <component>_<suffix> of every component of the catalogue (extra flags: of those with a command line of their own).
SUFFIXES = {"memory": _memory, "pids_limit": _pids_limit, "extra_flags": _extra_flags}


def _check_of(variable):
    """(the check of a variable, the component its name starts with)."""
    if variable in SETTINGS:
        return SETTINGS[variable], None
    for suffix, check in SUFFIXES.items():
        component = variable[:-len(suffix) - 1] if variable.endswith("_" + suffix) else None
        if component in COMPONENTS and (suffix != "extra_flags" or component in FLAG_PARSERS):
            return check, component
    return None, None


def setting_values(values, managed_flags=None, known=None):
    """Check every {variable: value} in the format its name calls for; return the values as plain data."""
    if not isinstance(values, Mapping):
        raise bad_input("setting_values", "needs a mapping of variable names to values, got %s" % kind(values),
                        "pass e.g. {'prometheus_memory': prometheus_memory}")
    managed = check_managed_flags("managed_flags", managed_flags or {})
    known = known or {}
    for variable, value in values.items():
        check, component = _check_of(variable)
        if check is None:
            raise bad_input("setting_values", "%r is not a setting whose value it checks" % (variable,),
                            "pass only %s, or <component>_%s" % (", ".join(sorted(SETTINGS)),
                                                                 ", _".join(SUFFIXES)))
        check(variable, value, {"values": values, "known": known, "component": component, "managed": managed})
    return plain(values)


class FilterModule(object):
    """Values of the roles' settings, checked."""

    def filters(self):
        return {"setting_values": setting_values}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of single setting values, each in the grammar of the program that reads the value: Go durations (Jaeger),
Prometheus byte sizes, Docker memory and process limits, the IP addresses ports are published on, and the shape of
the extra flags a role appends to its container's command. Prometheus durations are _data.parse_duration (with
_prometheus.check_duration for the message).

Each check_* raises the collection's error (variable, problem, fix) or returns the value as the program reads it.
Private to the collection (leading underscore).
"""

from __future__ import annotations

import ipaddress
import math
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import kind
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

_INT64_MAX = 2 ** 63 - 1

# --- Go's time.ParseDuration (Jaeger) ----------------------------------------------------------------------------
# [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0" alone; the result, in nanoseconds, must fit an int64.
_GO_UNITS = {"ns": 1, "us": 10 ** 3, "\u00b5s": 10 ** 3, "\u03bcs": 10 ** 3, "ms": 10 ** 6, "s": 10 ** 9,
             "m": 60 * 10 ** 9, "h": 3600 * 10 ** 9}
# One element of a duration or a size: a number with an optional fraction, then its unit.
_ELEMENT = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def _elements(text, units):
    """The (whole, fraction, unit) elements of a duration or size text, each unit one of units; None otherwise."""
    elements = []
    while text:
        match = _ELEMENT.match(text)
        whole, fraction, unit = match.groups()
        if not whole and not fraction or unit not in units:
            return None
        elements.append((whole, fraction, unit))
        text = text[match.end():]
    return elements


def parse_go_duration(value):
    """Nanoseconds of a Go (time.ParseDuration) duration string, negative for '-...'; None if value is not one."""
    if not isinstance(value, str) or not value:
        return None
    rest, sign = value, 1
    if rest[0] in "+-":
        sign, rest = (-1 if rest[0] == "-" else 1), rest[1:]
    if rest == "0":
        return 0
    if not rest:
        return None
    elements = _elements(rest, _GO_UNITS)
    if elements is None:
        return None
    total = 0
    for whole, fraction, unit in elements:
        total += int(whole or 0) * _GO_UNITS[unit]
        if fraction:
            total += int(fraction) * _GO_UNITS[unit] // 10 ** len(fraction)
    if total > _INT64_MAX:
        return None
    return sign * total


# --- Prometheus' byte sizes (alecthomas/units.ParseBase2Bytes, kingpin's BytesVar) ----------------------------------
# KB and KiB are both 1024 bytes; a unit is required ("0" alone aside); elements may follow each other (1GB512MB)
# within one family of units; lower-case units (kB, gb) are refused.
_BASE2_FAMILIES = tuple({prefix + suffix if prefix else "B": 1024 ** power
                         for power, prefix in enumerate(("", "K", "M", "G", "T", "P", "E"))}
                        for suffix in ("iB", "B"))
SIZE_FIX = ("write a number and a unit without a space, e.g. '512MB' or '50GB' (units B, KB, MB, GB, TB, PB, EB, "
            "powers of 1024; KiB, MiB, GiB... mean the same)")


def parse_base2_bytes(value):
    """Bytes of a Prometheus size such as '50GB' or '512MiB' (negative for '-...'); None if value is not one."""
    if not isinstance(value, str) or not value:
        return None
    rest, sign = value, 1
    if rest[0] in "+-":
        sign, rest = (-1 if rest[0] == "-" else 1), rest[1:]
    if rest == "0":
        return 0
    for units in _BASE2_FAMILIES:
        elements = _elements(rest, units)
        if elements:
            total = sum((int(whole or 0) + (int(fraction) / 10 ** len(fraction) if fraction else 0)) * units[unit]
                        for whole, fraction, unit in elements)
            if total < 2 ** 63:
                return sign * int(total)
    return None


def check_size(variable, value):
    """A Prometheus byte size above zero, as bytes; refused naming variable otherwise."""
    size = parse_base2_bytes(value)
    if size is None:
        raise bad_input(variable, "%r is not a Prometheus size" % (value,), SIZE_FIX)
    if size <= 0:
        raise bad_input(variable, "%r is not a size above zero" % (value,), "give a size such as '50GB', or leave "
                        "%s empty for no size limit" % variable)
    return size


# --- Docker's resource limits --------------------------------------------------------------------------------------
# community.docker's docker_container reads memory with Ansible's human_to_bytes: a number, then a unit letter (any
# case) or an upper-case <letter>B; the Docker daemon refuses a limit below 6 MiB (linuxMinMemory, moby
# daemon/daemon_unix.go), and 0 means no limit at all.
DOCKER_MIN_MEMORY = 6 * 1024 * 1024
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(?:([bkmgtpBKMGTP])|([KMGTP])B)?$")
_MEMORY_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4, "p": 1024 ** 5}
MEMORY_FIX = "write a number with the unit b, k, m or g, e.g. '256m' or '1g' (6m at least)"
# The kernel's pids controller takes at most PID_MAX_LIMIT (4194304 on 64-bit systems, kernel/cgroup/pids.c).
PIDS_MAX = 4 * 1024 * 1024


def parse_memory(value):
    """Bytes of a Docker memory limit such as '256m' or '1g', or None if value is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    match = _MEMORY.match(value) if isinstance(value, str) else None
    if not match:
        return None
    unit = (match.group(2) or match.group(3) or "").lower()
    return int(round(float(match.group(1)) * _MEMORY_UNITS[unit]))


def check_memory(variable, value):
    """A Docker memory limit of 6 MiB or more, as bytes; refused naming variable otherwise."""
    size = parse_memory(value)
    if size is None:
        raise bad_input(variable, "%r is not a memory size" % (value,), MEMORY_FIX)
    if size == 0:
        raise bad_input(variable, "%r would leave the container without a memory limit" % (value,),
                        "give a limit, e.g. '256m'")
    if size < DOCKER_MIN_MEMORY:
        raise bad_input(variable, "%r is below the 6 MiB that Docker requires at least" % (value,),
                        "give 6m or more, e.g. '64m'")
    return size


def check_pids_limit(variable, value):
    """A process limit from 1 to PIDS_MAX (digits in a string accepted), as an int; refused naming variable."""
    limit = int(value) if isinstance(value, str) and value.isdigit() else value
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= PIDS_MAX:
        raise bad_input(variable, "%r is not a process limit" % (value,),
                        "give a whole number from 1 to %d, e.g. 256 (-1 and 0, Docker's 'unlimited', are refused: "
                        "the limit keeps a fork bomb in one container)" % PIDS_MAX)
    return limit


# --- Published ports' bind addresses -------------------------------------------------------------------------------

def check_bind_address(variable, value, host):
    """An IP address to publish ports on (IPv6 with or without brackets), as a plain string; refused naming variable
    and host otherwise. Docker publishes on IP addresses only, never on names."""
    address = value.strip() if isinstance(value, str) else ""
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        raise bad_input(variable, "on host %s is %r, which is not an IP address, and Docker binds published ports to "
                        "IP addresses only" % (host, value),
                        "set it to an IPv4 or IPv6 address of %s: 127.0.0.1 (this host only), the address of one "
                        "of its interfaces, or 0.0.0.0 (every interface)" % host)


# --- Extra flags ---------------------------------------------------------------------------------------------------
# How each component's program reads its command line. kingpin (Prometheus, Alertmanager and the exporters built on
# prometheus/exporter-toolkit) and cobra/pflag (Jaeger) read long flags after '--' only, a single '-' starting
# short flags; kingpin also reads '--no-<flag>' as <flag> set to false. Go's flag package (Loki, Promtail, cAdvisor,
# redis_exporter) reads '-flag' and '--flag' alike.
FLAG_PARSERS = {
    "prometheus": "kingpin", "alertmanager": "kingpin", "node_exporter": "kingpin", "postgres_exporter": "kingpin",
    "jaeger": "cobra",
    "loki": "go", "promtail": "go", "cadvisor": "go", "redis_exporter": "go",
}
_FLAG = re.compile(r"^(-{1,2})([A-Za-z0-9][A-Za-z0-9._-]*)(=.*)?$", re.S)
_FLAG_NAME = re.compile(r"^-{1,2}([A-Za-z0-9][A-Za-z0-9._-]*)$")


def flag_name(flag):
    """The name of a flag without its dashes and value ('--web.listen-address=:9090' -> 'web.listen-address')."""
    return flag.lstrip("-").split("=", 1)[0]


def _example(component, entry):
    dashes = "-" if FLAG_PARSERS.get(component) == "go" else "--"
    return dashes + entry.lstrip("-")


def check_managed_flags(variable, managed):
    """The managed-flags table of a role: flag ('--name') to the fix to print when the extra flags repeat it (None:
    the stack relies on the role's value); returned as {name without dashes: (flag, fix)}."""
    if not isinstance(managed, Mapping):
        raise bad_input(variable, "must map the role's own flags to a fix, got %s" % kind(managed),
                        "set it like {'--config.file': null}")
    table = {}
    for flag, fix in managed.items():
        if not isinstance(flag, str) or not _FLAG_NAME.match(flag) or not (fix is None or isinstance(fix, str)):
            raise bad_input("%s[%r]" % (variable, flag), "is not a flag name with a fix (a string or null)",
                            "write it like '--config.file': null")
        table[flag_name(flag)] = (flag, fix)
    return table


def check_extra_flags(variable, flags, component, managed=None):
    """A role's extra flags: a list of strings, each one flag ('--name' or '--name=value'; '-name' too for programs
    that read Go's flag package) that the role does not set itself. managed: check_managed_flags' table.

    Whether the program knows a flag is not checked here: only the program itself can say that."""
    parser = FLAG_PARSERS.get(component)
    if parser is None:
        raise bad_input("component", "%r has no extra flags" % (component,),
                        "use one of %s" % ", ".join(sorted(FLAG_PARSERS)))
    dashes = "'-' or '--'" if parser == "go" else "'--'"
    if not isinstance(flags, (list, tuple)):
        raise bad_input(variable, "must be a list of flags, got %s" % kind(flags),
                        "set it like [%r], one flag per entry" % _example(component, "--log.level=debug"))
    result = []
    for index, entry in enumerate(flags):
        where = "%s[%d]" % (variable, index)
        if not isinstance(entry, str):
            raise bad_input(where, "must be a string, got %s %r" % (kind(entry), entry),
                            "quote it, e.g. %r" % _example(component, "--log.level=debug"))
        match = _FLAG.match(entry)
        if not entry.startswith("-"):
            previous = flags[index - 1] if index else None
            if isinstance(previous, str) and _FLAG.match(previous) and "=" not in previous:
                fix = "give the value in the same entry as its flag, joined by '=': %r" % ("%s=%s" % (previous, entry))
            else:
                fix = "write each flag as one entry starting with %s, e.g. %r" % (
                    dashes, _example(component, entry.strip().replace(" ", "=", 1)))
            raise bad_input(where, "%r is not a flag: it does not start with %s" % (entry, dashes), fix)
        if not match:
            raise bad_input(where, "%r is not one flag" % (entry,),
                            "write each flag as one entry, its value after '=' and no space in its name, e.g. %r"
                            % _example(component, entry.strip().replace(" ", "=", 1)))
        if parser != "go" and match.group(1) == "-":
            raise bad_input(where, "%r starts with a single '-', which %s reads as short flags" % (entry, component),
                            "write %r" % ("-" + entry))
        name = match.group(2)
        owned = (managed or {}).get(name)
        if owned is None and parser == "kingpin" and name.startswith("no-"):
            owned = (managed or {}).get(name[3:])
        if owned is not None:
            flag, fix = owned
            raise bad_input(where, "%r sets %s, which the %s role sets itself" % (entry, flag, component),
                            "remove it from %s%s" % (variable, "; %s" % fix if fix
                                                     else " (the stack relies on the role's value)"))
        result.append(str(entry))
    return result


# --- Numbers -------------------------------------------------------------------------------------------------------

def check_number(variable, value, at_most=None, fix="give a number, e.g. 0.9"):
    """A finite number of 0 or more (and at most at_most), as int or float; refused naming variable otherwise."""
    if isinstance(value, str) and re.match(r"^\d+(\.\d+)?$", value):
        value = float(value) if "." in value else int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise bad_input(variable, "%r is not a number of 0 or more" % (value,), fix)
    if at_most is not None and value > at_most:
        raise bad_input(variable, "%r is above %s" % (value, at_most), fix)
    return value

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one catalogue of stack components, shared by the collection's filters.

Private to the collection (leading underscore): its content may change at any time.
"""

from __future__ import annotations

import re

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

# name -> facts about the component that more than one filter needs.
#   stateful: keeps data that must survive re-converges (gets a named volume)
#   role: which inventory group runs it by default ("monitoring" or "agents")
COMPONENTS = {
    "prometheus": {"stateful": True, "role": "monitoring"},
    "alertmanager": {"stateful": True, "role": "monitoring"},
    "grafana": {"stateful": True, "role": "monitoring"},
    "loki": {"stateful": True, "role": "monitoring"},
    "jaeger": {"stateful": True, "role": "monitoring"},
    "node_exporter": {"stateful": False, "role": "agents"},
    "cadvisor": {"stateful": False, "role": "agents"},
    "promtail": {"stateful": True, "role": "agents"},
    "postgres_exporter": {"stateful": False, "role": None},
    "redis_exporter": {"stateful": False, "role": None},
}

COMPONENT_NAMES = tuple(sorted(COMPONENTS))


def default_components(kind):
    """Components that hosts of the given kind ("monitoring"/"agents") run by default, in catalogue order."""
    return [name for name, facts in COMPONENTS.items() if facts["role"] == kind]


_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def check_prefix(prefix, variable="observability_prefix"):
    """Raise unless prefix is usable in container and volume names."""
    if not isinstance(prefix, str) or not _PREFIX.match(prefix):
        raise bad_input(variable, "%r cannot start container and volume names" % (prefix,),
                        "use 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or digit, "
                        "e.g. 'proxy'")
    return prefix


def check_components(components, variable="observability_components"):
    """Raise unless components is a list of known component names without duplicates; return it."""
    if not isinstance(components, (list, tuple)):
        raise bad_input(variable, "must be a list of component names, got %s" % type(components).__name__,
                        "set it like ['prometheus', 'node_exporter']")
    seen = set()
    for name in components:
        if name not in COMPONENTS:
            raise bad_input(variable, "%r is not a component of this stack" % (name,),
                            "use names from: %s" % ", ".join(COMPONENT_NAMES))
        if name in seen:
            raise bad_input(variable, "%r is listed twice" % (name,), "list each component once")
        seen.add(name)
    return list(components)

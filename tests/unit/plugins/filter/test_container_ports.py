# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container_ports: a component's container ports by name, read from the catalogue."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.container_ports import container_ports


def test_the_catalogues_ports_by_name():
    assert container_ports("alertmanager") == {"http": 9093, "cluster": 9094}
    assert container_ports("grafana") == {"http": 3000}
    assert container_ports("jaeger") == {"ui": 16686, "otlp_grpc": 4317, "otlp_http": 4318, "health": 13133,
                                         "admin": 14269}


def test_an_unknown_component_is_refused():
    with pytest.raises(AnsibleFilterError) as error:
        container_ports("tempo")
    assert str(error.value).startswith("component: 'tempo' is not a component of this stack. Fix: use one of ")

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""setting_values: each variable checked in the format its name calls for, errors naming the variable and the fix.

The value grammars themselves are tested in tests/unit/plugins/plugin_utils/test_values.py; here, which variable gets
which check, the Prometheus settings that only this filter checks, and the roles' own defaults.
"""
from __future__ import annotations

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.setting_values import setting_values
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


class _Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """Reads Ansible's !unsafe tag as the plain string it marks."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _role_yaml(role, *path):
    full = os.path.join(ROOT, "roles", role, *path)
    if not os.path.exists(full):
        return {}
    with open(full, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader) or {}  # nosec: SafeLoader with one extra tag


PROMETHEUS_VARS = _role_yaml("prometheus", "vars", "main.yml")
KNOWN = {"prometheus_alert_for": PROMETHEUS_VARS["_prometheus_alert_for_defaults"],
         "prometheus_alert_thresholds": PROMETHEUS_VARS["_prometheus_alert_thresholds_defaults"]}
MANAGED = PROMETHEUS_VARS["_prometheus_managed_flags"]


def refused(values, **options):
    with pytest.raises(AnsibleFilterError) as error:
        setting_values(values, **options)
    return str(error.value)


@pytest.mark.parametrize("role", sorted(COMPONENTS))
def test_every_roles_defaults_pass(role):
    defaults = _role_yaml(role, "defaults", "main.yml")
    values = {name: value for name, value in defaults.items()
              if name.endswith(("_memory", "_pids_limit", "_extra_flags"))
              or name in ("prometheus_retention_time", "prometheus_retention_size", "prometheus_alert_for",
                          "prometheus_alert_thresholds")}
    assert values, role
    managed = _role_yaml(role, "vars", "main.yml").get("_%s_managed_flags" % role)
    assert setting_values(values, managed_flags=managed, known=KNOWN) == values


@pytest.mark.parametrize("values, message", [
    ({"prometheus_memory": "lots"}, "prometheus_memory: 'lots' is not a memory size"),
    ({"grafana_memory": "lots"}, "grafana_memory: 'lots' is not a memory size"),
    ({"backend_memory": "4m"}, "backend_memory: '4m' is below the 6 MiB that Docker requires at least"),
    ({"loki_pids_limit": 0}, "loki_pids_limit: 0 is not a process limit"),
    ({"node_exporter_extra_flags": ["collector.wifi"]},
     "node_exporter_extra_flags[0]: 'collector.wifi' is not a flag: it does not start with '--'"),
    ({"promtail_extra_flags": ["log.level=debug"]},
     "promtail_extra_flags[0]: 'log.level=debug' is not a flag: it does not start with '-' or '--'"),
    ({"prometheus_retention_time": "5 minutes"},
     "prometheus_retention_time: '5 minutes' is not a Prometheus duration. Fix: write a number with a unit"),
    ({"prometheus_retention_time": "-5d"}, "prometheus_retention_time: '-5d' is not a Prometheus duration"),
    ({"prometheus_retention_time": "300y"}, "prometheus_retention_time: '300y' is not a Prometheus duration"),
    ({"prometheus_retention_time": "0s", "prometheus_retention_size": ""},
     "prometheus_retention_time: '0s' keeps samples for Prometheus' default of 15 days, not forever. Fix: give a "
     "duration such as '30d', or set prometheus_retention_size as well to keep samples by size only"),
    ({"prometheus_retention_size": "10 GiBs"}, "prometheus_retention_size: '10 GiBs' is not a Prometheus size"),
    ({"prometheus_retention_size": "50gb"}, "prometheus_retention_size: '50gb' is not a Prometheus size"),
    ({"prometheus_alert_for": {"HighErrorRate": "5x"}},
     "prometheus_alert_for['HighErrorRate']: '5x' is not a Prometheus duration. Fix: write a number with a unit"),
    ({"prometheus_alert_for": {"ServiceDown": 5}}, "prometheus_alert_for['ServiceDown']: 5 is not a Prometheus duration"),
    ({"prometheus_alert_for": {"HighErrRate": "5m"}},
     "prometheus_alert_for['HighErrRate']: is not an alert of the shipped alert rules. Fix: use one of "
     "CeleryQueueBacklog, DatabaseConnectionPoolExhausted, HighErrorRate, HighMemoryUsage, HighResponseTime, "
     "ServiceDown (rules of your own go in prometheus_rule_files_extra)"),
    ({"prometheus_alert_for": ["HighErrorRate: 5m"]},
     "prometheus_alert_for: must be a mapping, got list. Fix: set it like {HighErrorRate: 10m}, or {} for the seed's "
     "values"),
    ({"prometheus_alert_for": None}, "prometheus_alert_for: must be a mapping, got null"),
    ({"prometheus_alert_thresholds": {"error_ratio": 5}},
     "prometheus_alert_thresholds['error_ratio']: 5 is above 1. Fix: write a share as a fraction from 0 to 1, e.g. "
     "0.05 for 5%"),
    ({"prometheus_alert_thresholds": {"p95_seconds": "one"}},
     "prometheus_alert_thresholds['p95_seconds']: 'one' is not a number of 0 or more. Fix: give a number of 0 or "
     "more, e.g. 1000"),
    ({"prometheus_alert_thresholds": {"error_rate": 0.1}},
     "prometheus_alert_thresholds['error_rate']: is not a threshold of the shipped alert rules. Fix: use one of "
     "celery_queue_length, db_connections_ratio, error_ratio, memory_ratio, p95_seconds"),
    ({"prometheus_extra_flags": ["--config.file=/x"]},
     "prometheus_extra_flags[0]: '--config.file=/x' sets --config.file, which the prometheus role sets itself. Fix: "
     "remove it from prometheus_extra_flags; the configuration comes from prometheus_scrape_configs_extra, "
     "prometheus_rule_files_extra and the other prometheus_* settings"),
    ({"prometheus_extra_flags": ["--storage.tsdb.retention.time=5d"]},
     "prometheus_extra_flags[0]: '--storage.tsdb.retention.time=5d' sets --storage.tsdb.retention.time, which the "
     "prometheus role sets itself. Fix: remove it from prometheus_extra_flags; set prometheus_retention_time instead"),
    ({"prometheus_extra_flags": ["--web.listen-address=:9091"]},
     "prometheus_extra_flags[0]: '--web.listen-address=:9091' sets --web.listen-address, which the prometheus role "
     "sets itself. Fix: remove it from prometheus_extra_flags; to publish Prometheus on another host port, set "
     "observability_published_ports"),
])
def test_a_bad_value_names_the_variable_and_the_fix(values, message):
    assert refused(values, managed_flags=MANAGED, known=KNOWN).startswith(message)


@pytest.mark.parametrize("values", [
    {"prometheus_retention_time": "0s", "prometheus_retention_size": "50GB"},
    {"prometheus_retention_time": "1w3d", "prometheus_retention_size": "512MiB"},
    {"prometheus_alert_for": {"HighErrorRate": "10m", "ServiceDown": "0s"}},
    {"prometheus_alert_thresholds": {"error_ratio": 0.1, "celery_queue_length": 5000, "memory_ratio": 1}},
    {"loki_extra_flags": ["-log.level=debug"], "loki_memory": "1.5g", "loki_pids_limit": "512"},
])
def test_good_values_pass(values):
    assert setting_values(values, managed_flags=MANAGED, known=KNOWN) == values


@pytest.mark.parametrize("values, message", [
    ({"grafana_extra_flags": []}, "setting_values: 'grafana_extra_flags' is not a setting whose value it checks"),
    ({"prometheus_scrape_interval": "15s"}, "setting_values: 'prometheus_scrape_interval' is not a setting whose"),
    ({"unknown_memory": "1g"}, "setting_values: 'unknown_memory' is not a setting whose value it checks"),
    (["prometheus_memory"], "setting_values: needs a mapping of variable names to values, got list"),
])
def test_what_it_does_not_check_is_refused(values, message):
    assert refused(values).startswith(message)


def test_keys_are_not_limited_without_known():
    assert setting_values({"prometheus_alert_for": {"MyAlert": "1m"}}) == {"prometheus_alert_for": {"MyAlert": "1m"}}

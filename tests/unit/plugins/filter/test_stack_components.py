# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Placement (through the fleet), stack_volumes and stack_images: what a host runs, keeps and pulls."""
from __future__ import annotations

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.stack_images import stack_images
from ansible_collections.proxy_agent.observability.plugins.filter.stack_volumes import stack_volumes
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENT_NAMES
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
CATALOGUE = {
    "prometheus": "prom/prometheus:v3.14.0",
    "node_exporter": "prom/node-exporter:v1.12.1",
    "grafana": "grafana/grafana:13.2.0",
}
NAMES = ("alertmanager, backend, cadvisor, grafana, jaeger, loki, node_exporter, postgres_exporter, prometheus, "
         "promtail, redis_exporter")


def components(*groups, **settings):
    """The components the fleet places on one host in these groups."""
    vars_ = dict({"group_names": list(groups), "ansible_facts": {"default_ipv4": {"address": "10.0.0.1"}}}, **settings)
    hostvars = {"host1": vars_}
    groups_ = dict({"all": ["host1"]}, **{group: ["host1"] for group in groups})
    return build_fleet(hostvars, groups_)["hosts"].get("host1", {}).get("components", [])


def test_monitoring_host_runs_the_central_services():
    assert components("monitoring") == ["loki", "jaeger", "alertmanager", "prometheus", "grafana"]


def test_agent_host_runs_the_collectors():
    assert components("agents") == ["node_exporter", "cadvisor", "promtail"]


def test_sample_backend_host_runs_the_sample_backend_last():
    assert components("sample_backend") == ["backend"]
    assert components("agents", "sample_backend") == ["node_exporter", "cadvisor", "promtail", "backend"]
    assert components("monitoring", "sample_backend") == ["loki", "jaeger", "alertmanager", "prometheus", "grafana",
                                                          "backend"]


def test_the_sample_backend_is_opt_in():
    assert "backend" not in components("agents", "monitoring", "postgres", "redis", "backend")


def test_host_in_no_group_runs_nothing():
    assert components("ungrouped") == []


def test_extra_components_are_added_once():
    assert components("agents", observability_extra_components=["postgres_exporter", "node_exporter"]) == \
        ["node_exporter", "cadvisor", "postgres_exporter", "promtail"]


def test_group_names_are_configurable():
    assert components("obs", observability_monitoring_group="obs") == ["loki", "jaeger", "alertmanager", "prometheus",
                                                                       "grafana"]
    assert components("apps", observability_backend_group="apps") == ["backend"]
    assert components("sample_backend", observability_backend_group="apps") == []


def test_only_components_with_data_get_labelled_volumes():
    assert stack_volumes(["prometheus", "node_exporter", "promtail"], prefix="proxy") == [
        {"name": "proxy_prometheus_data", "component": "prometheus",
         "labels": {"io.proxy-agent.observability.managed": "true",
                    "io.proxy-agent.observability.component": "prometheus"}},
        {"name": "proxy_promtail_data", "component": "promtail",
         "labels": {"io.proxy-agent.observability.managed": "true",
                    "io.proxy-agent.observability.component": "promtail"}},
    ]


def test_jaeger_keeps_its_data_in_a_labelled_volume_and_the_backend_none():
    assert stack_volumes(["jaeger", "backend"], prefix="obs") == [
        {"name": "obs_jaeger_data", "component": "jaeger",
         "labels": {"io.proxy-agent.observability.managed": "true",
                    "io.proxy-agent.observability.component": "jaeger"}},
    ]


def test_every_component_has_a_pinned_image_in_the_role_defaults():
    with open(os.path.join(ROOT, "roles", "observability", "defaults", "main.yml"), encoding="utf-8") as handle:
        images = yaml.safe_load(handle)["observability_images"]
    result = stack_images(list(COMPONENT_NAMES), images=images)
    assert sorted(result) == sorted(COMPONENT_NAMES)
    assert result["prometheus"] == images["prometheus"]


def test_images_of_enabled_components_with_override_and_mirror():
    images = stack_images(["prometheus", "grafana"], images=CATALOGUE,
                          overrides={"grafana": "localhost/proxy-obs/grafana-standin:1"}, mirror="mirror.example:5000")
    assert images == {"prometheus": "mirror.example:5000/prom/prometheus:v3.14.0",
                      "grafana": "localhost/proxy-obs/grafana-standin:1"}


@pytest.mark.parametrize("call, message", [
    (lambda: components("agents", observability_extra_components=["postgres"]),
     "observability_extra_components: 'postgres' is not a component of this stack. Fix: use names from: " + NAMES),
    (lambda: stack_volumes(["tempo"], prefix="proxy"),
     "observability_components: 'tempo' is not a component of this stack. Fix: use names from: " + NAMES),
    (lambda: stack_volumes("prometheus", prefix="proxy"),
     "observability_components: must be a list of component names, got str. "
     "Fix: set it like ['prometheus', 'node_exporter']"),
    (lambda: stack_volumes(["prometheus", "prometheus"], prefix="proxy"),
     "observability_components: 'prometheus' is listed twice. Fix: list each component once"),
    (lambda: stack_volumes(["prometheus"], prefix="Proxy Stack"),
     "observability_prefix: 'Proxy Stack' cannot start container and volume names. Fix: use 1 to 32 lower-case "
     "letters, digits, '_' or '-', starting with a letter or digit, e.g. 'proxy'"),
    (lambda: stack_images(["loki"], images=CATALOGUE),
     "observability_images: has no image for the enabled component 'loki'. "
     "Fix: add an entry for it or set observability_image_overrides['loki']"),
    (lambda: stack_images(["prometheus"], images=CATALOGUE, overrides={"prometheus": "prom/prometheus"}),
     "observability_image_overrides['prometheus']: 'prom/prometheus' is not pinned: it has no tag. Fix: pin a "
     "release tag such as 'v3.14.0' (or a digest) so every host runs the same image"),
    (lambda: stack_images(["prometheus"], images=CATALOGUE, overrides={"promethus": "prom/prometheus:v3"}),
     "observability_image_overrides: 'promethus' is not a component of this stack. Fix: use names from: " + NAMES),
    (lambda: stack_images(["prometheus"], images=dict(CATALOGUE, prometheus="prom/prometheus:latest")),
     "observability_images['prometheus']: 'prom/prometheus:latest' is not pinned: 'latest' moves. Fix: pin a release "
     "tag such as 'v3.14.0' (or a digest) so every host runs the same image"),
    (lambda: stack_images(["prometheus"], images=["prom/prometheus:v3"]),
     "observability_images: must be a mapping of component to image, got list. "
     "Fix: set it like {'prometheus': 'prom/prometheus:v3.14.0'}"),
])
def test_bad_stack_settings_are_rejected_naming_the_variable(call, message):
    with pytest.raises(AnsibleFilterError) as exc:
        call()
    assert str(exc.value) == message

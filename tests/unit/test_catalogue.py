# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The component catalogue: one entry per component role, every entry complete and consistent."""
from __future__ import annotations

import os
import re

import pytest
import yaml

from ansible_collections.proxy_agent.observability.plugins.plugin_utils import _catalogue
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import PLACEMENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import container_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import datasource_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import in_catalogue_order
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import main_port
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import metrics_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import network_alias
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import stack_defaults
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import volume_name
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import SELECTIONS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = os.path.join(ROOT, "roles")
# Roles that are not components: the shared tasks, the stack-wide settings and the Docker engine.
NOT_COMPONENTS = ("observability", "docker_host", "backup", "restore", "remove")
COMPONENT_ROLES = sorted(role for role in os.listdir(ROLES)
                         if not role.startswith("_") and role not in NOT_COMPONENTS)


def _documented_keys(indent):
    """The keys the catalogue's docstring lists at this indentation (entry keys at 2, port keys at 16)."""
    return [match.group(1) for match in re.finditer(r"^ {%d}([a-z_]+) {2,}" % indent, _catalogue.__doc__, re.M)]


ENTRY_KEYS = _documented_keys(2)
PORT_KEYS = _documented_keys(16)


def _defaults():
    with open(os.path.join(ROLES, "observability", "defaults", "main.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_the_docstring_lists_the_entry_and_port_keys():
    assert ENTRY_KEYS == ["placement", "instances", "image", "user", "volume", "config", "checks", "flags_check",
                          "reload", "verify", "ports", "ready", "metrics", "datasource", "web"]
    assert PORT_KEYS == ["container", "host", "protocols", "scheme", "ui", "consumers", "publish"]


def test_every_component_role_has_a_catalogue_entry_and_every_entry_a_role():
    assert COMPONENT_ROLES == sorted(COMPONENTS)


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_every_catalogue_entry_has_a_role_with_main_and_preflight_tasks(component):
    for tasks in ("main.yml", "preflight.yml"):
        assert os.path.isfile(os.path.join(ROLES, component, "tasks", tasks)), "%s: no tasks/%s" % (component, tasks)


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_every_entry_has_exactly_the_documented_keys(component):
    assert sorted(COMPONENTS[component]) == sorted(ENTRY_KEYS)
    for name, port in COMPONENTS[component]["ports"].items():
        assert sorted(port) == sorted(PORT_KEYS), "%s port %s" % (component, name)


# Each component's flags check: its binary, and the arguments after the container's flags that make it parse them
# all and exit 0 without starting, as read from upstream (the catalogue's comments name the files). Loki and
# Promtail exit 2 on -help, so their own check modes; None: Grafana gets no flags from its role. Jaeger's is the v2
# binary; its role passes the 1.x image's own (/go/bin/all-in-one-linux, jaeger_config's flags_check).
FLAGS_CHECKS = {
    "alertmanager": ("/bin/alertmanager", ("--help",)),
    "backend": None,
    "cadvisor": ("/usr/bin/cadvisor", ("--help",)),
    "grafana": None,
    "jaeger": ("/cmd/jaeger/jaeger-linux", ("--help",)),
    "loki": ("/usr/bin/loki", ("-verify-config",)),
    "node_exporter": ("/bin/node_exporter", ("--help",)),
    "postgres_exporter": ("/bin/postgres_exporter", ("--help",)),
    "prometheus": ("/bin/prometheus", ("--help",)),
    "promtail": ("/usr/bin/promtail", ("-check-syntax",)),
    "redis_exporter": ("/redis_exporter", ("--help",)),
}
# Roles that take <component>_extra_flags but whose flags no check parses, and why.
UNCHECKED_EXTRA_FLAGS = {}


def test_the_flags_checks_are_the_ones_read_from_upstream():
    assert {name: (entry["flags_check"]["entrypoint"], entry["flags_check"]["args"]) if entry["flags_check"] else None
            for name, entry in COMPONENTS.items()} == FLAGS_CHECKS
    for name, entry in COMPONENTS.items():
        if entry["flags_check"] is None:
            continue
        # roles/_common/tasks/deploy.yml names <component>_extra_flags when the failed command ran the flags check's
        # binary and ended with its last argument: no config checker of the same binary may end the same way.
        for check in entry["checks"]:
            assert (check["entrypoint"], check["args"][-1:]) != (entry["flags_check"]["entrypoint"],
                                                                 entry["flags_check"]["args"][-1:]), name


def _takes_extra_flags(role):
    with open(os.path.join(ROLES, role, "defaults", "main.yml"), encoding="utf-8") as handle:
        return re.search(r"^%s_extra_flags:" % role, handle.read(), re.M) is not None


def test_every_role_with_extra_flags_has_a_flags_check():
    with_extra_flags = [role for role in COMPONENT_ROLES if _takes_extra_flags(role)]
    assert with_extra_flags, "no role takes extra flags: the pattern is wrong"
    assert [role for role in with_extra_flags if COMPONENTS[role]["flags_check"] is None] == \
        sorted(UNCHECKED_EXTRA_FLAGS)


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_reload_flags_check_and_verify_are_sane(component):
    entry = COMPONENTS[component]
    assert entry["reload"] in ("signal", "restart", "none")
    # A configuration that can change needs a way to apply it; a component without one has nothing to reload.
    assert (entry["reload"] == "none") == (entry["config"] is None)
    if entry["flags_check"] is not None:
        assert entry["flags_check"]["entrypoint"].startswith("/") and entry["flags_check"]["args"]
    if entry["verify"] is not None:
        # The proof is read from the component's own metrics after a signal or a restart.
        assert entry["reload"] == "signal" and entry["metrics"] is not None
        assert set(entry["verify"]) == {"success", "time", "hash"}
        if entry["verify"]["hash"] is not None:
            assert set(entry["verify"]["hash"]) == {"metric", "file"}


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_placement_instances_and_user_are_sane(component):
    entry = COMPONENTS[component]
    assert entry["placement"] in PLACEMENTS
    assert entry["instances"] in ("each", "one")
    assert re.match(r"^[0-9]+:[0-9]+$", entry["user"]), entry["user"]


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_volume_config_and_checks_are_absolute_paths_and_commands(component):
    entry = COMPONENTS[component]
    if entry["volume"] is not None:
        assert sorted(entry["volume"]) == ["owner", "path"]
        assert entry["volume"]["path"].startswith("/")
        assert isinstance(entry["volume"]["owner"], int) and entry["volume"]["owner"] >= 0
    assert entry["config"] is None or entry["config"].startswith("/")
    for check in entry["checks"]:
        assert sorted(check) == ["args", "entrypoint"]
        assert check["entrypoint"].startswith("/") and all(isinstance(arg, str) for arg in check["args"])


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_ports_are_valid_and_name_real_consumers(component):
    ports = COMPONENTS[component]["ports"]
    assert ports, "%s has no port" % component
    for name, port in ports.items():
        assert re.match(r"^[a-z]+(_[a-z]+)*$", name)
        for number in (port["container"], port["host"]):
            assert isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= 65535
        assert port["protocols"] and set(port["protocols"]) <= {"tcp", "udp"}
        assert port["scheme"] in ("http", "https", "tcp")
        assert isinstance(port["ui"], bool)
        assert port["publish"] in ("always", "when_consumed")
        for consumer, selection in port["consumers"]:
            assert consumer in COMPONENTS and selection in SELECTIONS, (consumer, selection)


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_ready_and_metrics_name_an_existing_port_and_a_path(component):
    entry = COMPONENTS[component]
    assert entry["ready"]["port"] in entry["ports"] and entry["ready"]["path"].startswith("/")
    if entry["metrics"] is not None:
        assert entry["metrics"]["port"] in entry["ports"] and entry["metrics"]["path"].startswith("/")
        assert re.match(r"^[a-z_]+$", entry["metrics"]["job"])


def test_scrape_jobs_and_datasource_types_are_unique():
    jobs = [entry["metrics"]["job"] for entry in COMPONENTS.values() if entry["metrics"]]
    kinds = [entry["datasource"] for entry in COMPONENTS.values() if entry["datasource"]]
    assert len(jobs) == len(set(jobs)) and len(kinds) == len(set(kinds))


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_the_image_key_is_in_observability_images(component):
    assert COMPONENTS[component]["image"] in _defaults()["observability_images"]


def test_stack_defaults_are_the_plain_defaults_of_the_observability_role():
    plain = {name: value for name, value in _defaults().items() if not (isinstance(value, str) and "{{" in value)}
    assert stack_defaults() == plain
    assert stack_defaults()["observability_prefix"] == "proxy"
    assert stack_defaults()["observability_monitoring_group"] == "monitoring"


def test_stack_defaults_skip_templated_defaults():
    assert "{{" in _defaults()["observability_components"]
    assert "observability_components" not in stack_defaults()


def test_containers_aliases_and_volumes_are_named_after_prefix_and_component():
    assert container_name("proxy", "node_exporter") == "proxy-node-exporter"
    assert network_alias("postgres_exporter") == "postgres-exporter"
    assert volume_name("obs", "prometheus") == "obs_prometheus_data"


def test_the_main_port_is_the_first_port():
    assert main_port("alertmanager") == "http" and main_port("node_exporter") == "metrics"


def test_scrape_jobs_and_datasources_follow_the_catalogue_order():
    assert metrics_components() == [
        ("node", "node_exporter"), ("docker", "cadvisor"), ("postgres", "postgres_exporter"),
        ("redis", "redis_exporter"), ("loki", "loki"), ("jaeger", "jaeger"), ("promtail", "promtail"),
        ("alertmanager", "alertmanager"), ("prometheus", "prometheus"), ("grafana", "grafana"), ("backend", "backend")]
    assert datasource_components() == [("loki", "loki"), ("jaeger", "jaeger"), ("alertmanager", "alertmanager"),
                                       ("prometheus", "prometheus")]


def test_in_catalogue_order_sorts_components_in_deploy_order():
    assert in_catalogue_order(["grafana", "node_exporter", "prometheus", "loki"]) == \
        ["node_exporter", "loki", "prometheus", "grafana"]

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What scenario "default" must show on the converged test host (also runnable: pytest --hosts=ansible://all)."""
from __future__ import annotations

import json
import os
import shlex

import pytest
import yaml

LABEL = "io.proxy-agent.observability.managed"
PROJECT = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def _docker_json(host, *args):
    return json.loads(host.check_output(" ".join(["docker"] + [shlex.quote(a) for a in args])))


@pytest.fixture(scope="module")
def local_images():
    with open(os.path.join(PROJECT, ".cache", "images", "local-images.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["observability_image_overrides"]


def test_docker_service_is_enabled_and_running(host):
    service = host.service("docker")
    assert service.is_enabled
    assert service.is_running


def test_daemon_json_merges_user_keys_over_defaults(host):
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    # The role's only default; logging and no-new-privileges are no longer set daemon-wide (the stack's containers
    # set their own), so only the user's log option is there.
    assert config["live-restore"] is True
    assert config["log-opts"] == {"max-size": "20m"}
    assert "log-driver" not in config
    assert "no-new-privileges" not in config
    assert config["log-level"] == "warn"
    assert config["default-address-pools"] == [{"base": "172.31.0.0/16", "size": 24}]


def test_daemon_json_is_root_owned_and_not_world_writable(host):
    daemon_json = host.file("/etc/docker/daemon.json")
    assert daemon_json.user == "root"
    assert daemon_json.mode == 0o644


def test_running_engine_uses_the_written_daemon_json(host):
    info = _docker_json(host, "info", "--format", "{{json .}}")
    assert info["LoggingDriver"] == "json-file"
    assert info["LiveRestoreEnabled"] is True


def test_no_new_privileges_is_the_stack_containers_own_not_daemon_wide(host, local_images):
    # dockerd 20.10 does not list the option in `docker info`; a process inside a container shows it. A container the
    # stack did not create keeps the engine's default (daemon-wide no-new-privileges is opt-in), the stack's own have it.
    status = host.check_output("docker run --rm --entrypoint /bin/sh %s -c 'grep NoNewPrivs /proc/self/status'",
                               local_images["node_exporter"])
    assert status.split() == ["NoNewPrivs:", "0"]
    stack = host.check_output("docker exec proxy-prometheus grep NoNewPrivs /proc/1/status")
    assert stack.split() == ["NoNewPrivs:", "1"]


def test_stack_containers_rotate_their_own_logs(host):
    for name in ("proxy-prometheus", "proxy-node-exporter", "proxy-alertmanager"):
        log_config = _docker_json(host, "inspect", name)[0]["HostConfig"]["LogConfig"]
        assert log_config == {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "3"}}, name


def test_stack_network_has_the_configured_subnet_and_our_label(host):
    network = _docker_json(host, "network", "inspect", "proxy-network")[0]
    assert network["Driver"] == "bridge"
    assert [c["Subnet"] for c in network["IPAM"]["Config"]] == ["172.30.0.0/24"]
    assert network["Labels"].get(LABEL) == "true"


@pytest.mark.parametrize("component", ["prometheus", "alertmanager", "loki", "promtail", "grafana"])
def test_stateful_component_has_a_labelled_data_volume(host, component):
    volume = _docker_json(host, "volume", "inspect", "proxy_%s_data" % component)[0]
    assert volume["Labels"][LABEL] == "true"
    assert volume["Labels"]["io.proxy-agent.observability.component"] == component


def test_stateless_exporters_get_no_volume(host):
    names = host.check_output("docker volume ls -q --filter label=%s=true", LABEL).split()
    assert "proxy_node_exporter_data" not in names
    assert sorted(n for n in names if n.startswith("proxy_")) == [
        "proxy_alertmanager_data", "proxy_grafana_data", "proxy_jaeger_data", "proxy_loki_data",
        "proxy_prometheus_data", "proxy_promtail_data"]


def test_component_images_were_loaded_from_the_archives(host, local_images):
    assert local_images, "local-images.yml lists no images"
    for image in local_images.values():
        assert host.run("docker image inspect %s", image).rc == 0, image

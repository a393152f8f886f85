# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input is rejected with the variable's name and the fix, before any task changes the host.

Runs the real site playbook in check mode against this machine: every case must stop in a check task (argument
spec validation or a preflight task) with nothing reported changed before it (fixtures in conftest.py).
"""
from __future__ import annotations

import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


BAD_INPUT = [
    ({"docker_host_network_subnet": "172.30.0.0/33"},
     "docker_host_network_subnet: '172.30.0.0/33' is not a network in CIDR notation"),
    ({"docker_host_network_subnet": "172.30.0.0/24", "docker_host_network_gateway": "10.0.0.1"},
     "docker_host_network_gateway: 10.0.0.1 is not a usable host address in 172.30.0.0/24"),
    ({"docker_host_network_driver": "weave"},
     "value of docker_host_network_driver must be one of: bridge, overlay, macvlan, ipvlan, got: weave"),
    ({"docker_host_install_method": "snap"},
     "value of docker_host_install_method must be one of: distro, docker_ce, none, got: snap"),
    ({"docker_host_daemon_options": {"live-restor": True}},
     "docker_host_daemon_options['live-restor']: is not a daemon.json option dockerd knows"),
    ({"docker_host_daemon_options": {"log-opts": {"max-size": ["10m"]}}},
     "docker_host_daemon_options['log-opts']['max-size']: must be a string"),
    ({"docker_host_daemon_options": {"log-level": "verbose"}},
     "docker_host_daemon_options['log-level']: 'verbose' is not a log level"),
    ({"docker_host_extra_volumes": [{"labels": {}}]},
     "docker_host_extra_volumes: entry {'labels': {}} is not a volume"),
    ({"observability_prefix": "Proxy Stack"},
     "observability_prefix: 'Proxy Stack' cannot start container and volume names"),
    ({"observability_extra_components": ["postgres"]},
     "observability_extra_components: 'postgres' is not a component of this stack"),
    ({"observability_image_overrides": {"prometheus": "prom/prometheus:latest"}},
     "observability_image_overrides['prometheus']: 'prom/prometheus:latest' is not pinned"),
    ({"observability_registry_mirror": "https://mirror.example"},
     "observability_registry_mirror: 'https://mirror.example' is not a registry host"),
    ({"observability_image_archive_location": "nfs"},
     "value of observability_image_archive_location must be one of: controller, host, got: nfs"),
]


@pytest.mark.parametrize("extra_vars, message", BAD_INPUT, ids=[sorted(c[0])[-1] for c in BAD_INPUT])
def test_bad_input_stops_in_a_check_before_any_change(extra_vars, message, run_playbook, stops_in_a_check):
    stops_in_a_check(run_playbook("proxy_agent.observability.site", extra_vars), message)


def _docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False)


@pytest.fixture()
def probe_image(tmp_path):
    """A tiny throwaway image, saved to an archive directory and removed from the engine."""
    tag = "localhost/proxy-obs/functional-probe:%d" % os.getpid()
    rootfs = tmp_path / "rootfs"
    rootfs.mkdir()
    (rootfs / "probe").write_text("probe\n")
    subprocess.run("tar -C %s -c . | docker import - %s" % (rootfs, tag), shell=True, check=True,
                   capture_output=True)
    archives = tmp_path / "archives"
    archives.mkdir()
    subprocess.run(["docker", "save", "-o", str(archives / "probe.tar"), tag], check=True)
    _docker("rmi", tag)
    yield tag, archives
    _docker("rmi", tag)


def test_missing_image_error_names_the_image_and_both_ways_out(probe_image, tmp_path, run_playbook):
    tag, _archives = probe_image
    result = run_playbook(os.path.join(HERE, "playbooks", "images.yml"),
                          {"_common_images": [tag], "observability_image_pull": False,
                           "observability_image_archive_cache": str(tmp_path / "cache")}, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Images not available on localhost: %s." % tag in output, output
    assert "Pulling is off (observability_image_pull: false)." in output
    assert "set observability_registry_mirror" in output
    assert "set observability_image_archive_dir" in output


def test_missing_image_is_loaded_from_the_archive_directory(probe_image, tmp_path, run_playbook):
    tag, archives = probe_image
    result = run_playbook(os.path.join(HERE, "playbooks", "images.yml"),
                          {"_common_images": [tag], "observability_image_pull": False,
                           "observability_image_archive_dir": str(archives),
                           "observability_image_archive_cache": str(tmp_path / "cache")}, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _docker("image", "inspect", tag).returncode == 0
    assert (tmp_path / "cache" / "probe.tar").exists()

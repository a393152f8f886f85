# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.docker_daemon_config import docker_daemon_config

DEFAULTS = {
    "log-driver": "json-file",
    "log-opts": {"max-size": "10m", "max-file": "3"},
    "live-restore": True,
    "no-new-privileges": True,
}


def test_defaults_alone_are_returned_unchanged():
    assert docker_daemon_config({}, defaults=DEFAULTS) == DEFAULTS


def test_user_keys_merge_deeply_over_defaults():
    result = docker_daemon_config({"log-opts": {"max-size": "50m"}, "log-level": "warn"}, defaults=DEFAULTS)
    assert result["log-opts"] == {"max-size": "50m", "max-file": "3"}
    assert result["log-level"] == "warn"
    assert result["live-restore"] is True


def test_null_drops_a_default_key():
    result = docker_daemon_config({"live-restore": None}, defaults=DEFAULTS)
    assert "live-restore" not in result


def test_integer_log_opts_become_strings_for_dockerd():
    assert docker_daemon_config({"log-opts": {"max-file": 5}}, defaults=DEFAULTS)["log-opts"]["max-file"] == "5"


def test_defaults_are_not_modified():
    defaults = {"log-opts": {"max-size": "10m"}}
    docker_daemon_config({"log-opts": {"max-size": "1m"}}, defaults=defaults)
    assert defaults == {"log-opts": {"max-size": "10m"}}


def test_allowed_unknown_key_passes_unchecked():
    assert docker_daemon_config({"brand-new-option": 1}, allow_keys=["brand-new-option"]) == {"brand-new-option": 1}


@pytest.mark.parametrize("options, message", [
    ("live-restore", "docker_host_daemon_options: must be a mapping of daemon.json keys, got str. "
                     "Fix: set it like {'log-level': 'warn'}"),
    ({"live-restor": True}, "docker_host_daemon_options['live-restor']: is not a daemon.json option dockerd knows, "
                            "and dockerd refuses to start on unknown keys. Fix: check the spelling against dockerd's "
                            "reference, or list the key in docker_host_daemon_allow_keys if your engine is newer "
                            "than this check"),
    ({"live-restore": "yes"}, "docker_host_daemon_options['live-restore']: must be a boolean, got str 'yes'. "
                              "Fix: give a boolean as dockerd's daemon.json reference documents it"),
    ({"mtu": True}, "docker_host_daemon_options['mtu']: must be an integer, got bool True. "
                    "Fix: give an integer as dockerd's daemon.json reference documents it"),
    ({"dns": "10.0.0.2"}, "docker_host_daemon_options['dns']: must be a list, got str '10.0.0.2'. "
                          "Fix: give a list as dockerd's daemon.json reference documents it"),
    ({"log-opts": {"max-size": ["10m"]}}, "docker_host_daemon_options['log-opts']['max-size']: must be a string, got "
                                          "list ['10m']. Fix: quote the value (dockerd accepts only strings in "
                                          "log-opts), e.g. '10m' or '3'"),
    ({"log-level": "verbose"}, "docker_host_daemon_options['log-level']: 'verbose' is not a log level. "
                               "Fix: use one of debug, info, warn, error, fatal"),
    ({"bip": "172.26.0.1"}, "docker_host_daemon_options['bip']: '172.26.0.1' is not an address in CIDR notation. "
                            "Fix: write it like '172.31.0.1/24'"),
    ({"default-address-pools": [{"base": "10.10.0.0/16"}]},
     "docker_host_daemon_options['default-address-pools']: entry {'base': '10.10.0.0/16'} is not {base, size}. "
     "Fix: write entries like {'base': '172.80.0.0/16', 'size': 24}"),
    ({"registry-mirrors": ["mirror.example:5000"]},
     "docker_host_daemon_options['registry-mirrors']: 'mirror.example:5000' is not a URL. "
     "Fix: write mirrors with their scheme, e.g. 'https://mirror.example:5000'"),
    ({"default-cgroupns-mode": "shared"}, "docker_host_daemon_options['default-cgroupns-mode']: 'shared' is not a "
                                          "cgroup namespace mode. Fix: use 'host' or 'private'"),
])
def test_bad_options_are_rejected_naming_the_variable(options, message):
    with pytest.raises(AnsibleFilterError) as exc:
        docker_daemon_config(options, defaults=DEFAULTS)
    assert str(exc.value) == message


def test_bad_default_is_blamed_on_the_defaults_variable():
    with pytest.raises(AnsibleFilterError) as exc:
        docker_daemon_config({}, defaults={"live-restore": "true"})
    assert str(exc.value).startswith("docker_host_daemon_defaults['live-restore']: must be a boolean")


# The host's own daemon.json (issue 11): merged into, never replaced.
HOST_FILE = '{\n    "data-root": "/srv/docker",\n    "labels": ["site=lab"],\n    "max-concurrent-downloads": 2,\n' \
            '    "log-opts": {"max-size": "100m", "compress": "true"}\n}\n'
ROLE_DEFAULTS = {"live-restore": True}


def test_the_hosts_keys_are_kept_and_the_defaults_fill_in_the_rest():
    result = docker_daemon_config({}, defaults=ROLE_DEFAULTS, current=HOST_FILE)
    assert result == {"data-root": "/srv/docker", "labels": ["site=lab"], "max-concurrent-downloads": 2,
                      "log-opts": {"max-size": "100m", "compress": "true"}, "live-restore": True}


def test_a_default_does_not_override_the_hosts_value():
    result = docker_daemon_config({}, defaults={"live-restore": True, "log-opts": {"max-file": "3"}},
                                  current='{"live-restore": false, "log-opts": {"max-size": "1g"}}')
    assert result == {"live-restore": False, "log-opts": {"max-size": "1g"}}


def test_the_options_override_the_hosts_keys_and_merge_into_its_mappings():
    result = docker_daemon_config({"max-concurrent-downloads": 5, "log-opts": {"max-size": "20m", "max-file": 4}},
                                  defaults=ROLE_DEFAULTS, current=HOST_FILE)
    assert result["max-concurrent-downloads"] == 5
    assert result["log-opts"] == {"max-size": "20m", "compress": "true", "max-file": "4"}
    assert result["data-root"] == "/srv/docker"


def test_null_removes_a_key_only_the_hosts_file_had():
    result = docker_daemon_config({"data-root": None, "log-opts": {"compress": None}}, current=HOST_FILE)
    assert "data-root" not in result
    assert result["log-opts"] == {"max-size": "100m"}


def test_null_for_a_key_nobody_set_is_ignored():
    assert docker_daemon_config({"log-opts": {"max-file": None}, "debug": None}) == {"log-opts": {}}


def test_unknown_and_unusual_host_keys_pass_through_unchecked():
    host = {"features": {"containerd-snapshotter": True}, "brand-new-option": [1], "log-level": "trace",
            "log-opts": {"max-file": 3}}
    assert docker_daemon_config({}, defaults=ROLE_DEFAULTS, current=host) == dict(host, **ROLE_DEFAULTS)


def test_the_hosts_file_is_not_modified():
    host = {"log-opts": {"max-size": "1g"}}
    docker_daemon_config({"log-opts": {"max-size": "2g"}}, current=host)
    assert host == {"log-opts": {"max-size": "1g"}}


@pytest.mark.parametrize("current", [None, "", "  \n", "\ufeff{}"])
def test_no_file_an_empty_file_and_a_byte_order_mark_are_an_empty_configuration(current):
    assert docker_daemon_config({}, defaults=ROLE_DEFAULTS, current=current) == ROLE_DEFAULTS


def test_without_options_and_defaults_the_hosts_file_is_returned_parsed():
    assert docker_daemon_config({}, current=b'{"labels": ["a=b"]}') == {"labels": ["a=b"]}


def test_options_the_host_already_has_are_checked():
    with pytest.raises(AnsibleFilterError) as exc:
        docker_daemon_config({"max-concurrent-downloads": "5"}, current=HOST_FILE)
    assert str(exc.value).startswith("docker_host_daemon_options['max-concurrent-downloads']: must be an integer")


DAEMON_JSON_FIX = ("Fix: correct the file on the host or remove it (dockerd cannot start with it either), or set "
                   "docker_host_daemon_json_manage: false to leave it alone")


@pytest.mark.parametrize("current, problem", [
    ('{"labels": ["a=b"],}', "/etc/docker/daemon.json: the host's file is not valid JSON (Expecting property name "
                             "enclosed in double quotes: line 1 column 20 (char 19)), and the role merges its keys "
                             "into it. "),
    ('["live-restore"]', "/etc/docker/daemon.json: the host's file holds a JSON list, not an object of daemon "
                         "options. "),
    ("null", "/etc/docker/daemon.json: the host's file holds a JSON null, not an object of daemon options. "),
    ('"live-restore"', "/etc/docker/daemon.json: the host's file holds a JSON string, not an object of daemon "
                       "options. "),
])
def test_a_hosts_file_that_is_not_a_json_object_is_rejected_naming_the_file(current, problem):
    with pytest.raises(AnsibleFilterError) as exc:
        docker_daemon_config({}, defaults=ROLE_DEFAULTS, current=current)
    assert str(exc.value) == problem + DAEMON_JSON_FIX

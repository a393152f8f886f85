# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The value checkers of plugin_utils/_values.py, each against the grammar of the program that reads the value.

Where the expected results come from:
  Go durations    time.ParseDuration (Go's src/time/format.go): [-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+, units ns us µs ms
                  s m h, "0" alone, int64 nanoseconds
  Prometheus      prometheus/common model.ParseDuration (units y w d h m s ms, largest first, out of range beyond
  durations       an int64 of nanoseconds); checked against prometheus 2.53.3's own flag parser
                  (--storage.tsdb.retention.time=300y: "duration out of range", 200y accepted)
  sizes           alecthomas/units ParseBase2Bytes, which kingpin's BytesVar (--storage.tsdb.retention.size) calls:
                  KB and KiB both 1024, a unit required, lower-case units refused; checked against prometheus 2.53.3
                  (10GiB, 10GB, 1.5GB, 1GB512MB accepted; 10gb, 10kB, '10 GiBs', 1024 refused)
  memory          Ansible's human_to_bytes, which community.docker's docker_container applies to memory, and the
                  daemon's minimum (moby linuxMinMemory = 6291456; dockerd 20.10 here: "Minimum memory limit allowed
                  is 6MB" for 6291455)
  pids            the kernel's pids controller: 1 to PID_MAX_LIMIT (4194304)
"""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import parse_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_bind_address
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_extra_flags
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_managed_flags
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_memory
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_number
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_pids_limit
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import check_size
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import parse_base2_bytes
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import parse_go_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._values import parse_memory

SECOND = 10 ** 9
GIB = 1024 ** 3


def refused(call, *args):
    with pytest.raises(AnsibleFilterError) as error:
        call(*args)
    return str(error.value)


@pytest.mark.parametrize("value, nanoseconds", [
    ("168h", 168 * 3600 * SECOND), ("72h30m", (72 * 3600 + 1800) * SECOND), ("1.5h", 5400 * SECOND),
    (".5h", 1800 * SECOND), ("5.h", 5 * 3600 * SECOND), ("300ms", 3 * 10 ** 8), ("1us", 1000), ("1\u00b5s", 1000),
    ("1\u03bcs", 1000), ("2ns", 2), ("0", 0), ("0s", 0), ("+5m", 300 * SECOND), ("-5m", -300 * SECOND),
    ("2562047h", 2562047 * 3600 * SECOND),
])
def test_go_durations_are_read_as_go_reads_them(value, nanoseconds):
    assert parse_go_duration(value) == nanoseconds


@pytest.mark.parametrize("value", ["", "5", "7d", "5 minutes", "5x", "1h 30m", "h", ".h", "-", "2562048h", 168, None])
def test_what_go_refuses_is_not_a_go_duration(value):
    assert parse_go_duration(value) is None


@pytest.mark.parametrize("value, millis", [
    ("30d", 30 * 86400000), ("1h30m", 5400000), ("0s", 0), ("0", 0), ("200y", 200 * 365 * 86400000),
])
def test_prometheus_durations_in_range(value, millis):
    assert parse_duration(value) == millis


@pytest.mark.parametrize("value", ["300y", "5 minutes", "5x", "-5m", "1.5h", "1h30d"])
def test_prometheus_refuses_out_of_range_and_malformed_durations(value):
    assert parse_duration(value) is None


@pytest.mark.parametrize("value, size", [
    ("10GiB", 10 * GIB), ("10GB", 10 * GIB), ("1.5GB", int(1.5 * GIB)), ("1GB512MB", GIB + 512 * 1024 ** 2),
    ("512MB", 512 * 1024 ** 2), ("10KB", 10240), ("10KiB", 10240), ("100B", 100), ("0", 0), ("-1GB", -GIB),
    ("7EB", 7 * 1024 ** 6),
])
def test_prometheus_sizes_are_powers_of_1024(value, size):
    assert parse_base2_bytes(value) == size


@pytest.mark.parametrize("value", ["10gb", "10kB", "10 GiBs", "1024", "10Gi", "1GiB512MB", "8EB", "", "GB", 10, None])
def test_what_prometheus_refuses_is_not_a_size(value):
    assert parse_base2_bytes(value) is None


@pytest.mark.parametrize("value, message", [
    ("10 GiBs", "prometheus_retention_size: '10 GiBs' is not a Prometheus size. Fix: write a number and a unit "
                "without a space, e.g. '512MB' or '50GB' (units B, KB, MB, GB, TB, PB, EB, powers of 1024; KiB, "
                "MiB, GiB... mean the same)"),
    ("0", "prometheus_retention_size: '0' is not a size above zero. Fix: give a size such as '50GB', or leave "
          "prometheus_retention_size empty for no size limit"),
    ("-1GB", "prometheus_retention_size: '-1GB' is not a size above zero"),
])
def test_a_bad_size_names_the_variable(value, message):
    assert refused(check_size, "prometheus_retention_size", value).startswith(message)


@pytest.mark.parametrize("value, size", [
    ("256m", 256 * 1024 ** 2), ("256M", 256 * 1024 ** 2), ("256MB", 256 * 1024 ** 2), ("1g", GIB), ("1G", GIB),
    ("1.5g", int(1.5 * GIB)), ("6291456", 6291456), (6291456, 6291456), ("6144k", 6291456), ("6291456b", 6291456),
    ("1t", 1024 ** 4),
])
def test_memory_limits_as_community_docker_reads_them(value, size):
    assert parse_memory(value) == size
    assert check_memory("prometheus_memory", value) == size


@pytest.mark.parametrize("value", ["lots", "256mb", "256MiB", "256 m", "-1", "1x", "", None, True, 1.5])
def test_what_community_docker_refuses_is_not_a_memory_size(value):
    assert parse_memory(value) is None


@pytest.mark.parametrize("value, message", [
    ("lots", "loki_memory: 'lots' is not a memory size. Fix: write a number with the unit b, k, m or g, e.g. '256m' "
             "or '1g' (6m at least)"),
    ("256mb", "loki_memory: '256mb' is not a memory size"),
    ("0", "loki_memory: '0' would leave the container without a memory limit. Fix: give a limit, e.g. '256m'"),
    (0, "loki_memory: 0 would leave the container without a memory limit"),
    ("5m", "loki_memory: '5m' is below the 6 MiB that Docker requires at least. Fix: give 6m or more, e.g. '64m'"),
    ("6291455", "loki_memory: '6291455' is below the 6 MiB that Docker requires at least"),
])
def test_a_bad_memory_limit_names_the_variable(value, message):
    assert refused(check_memory, "loki_memory", value).startswith(message)


@pytest.mark.parametrize("value, limit", [(256, 256), ("256", 256), (1, 1), (4194304, 4194304)])
def test_process_limits(value, limit):
    assert check_pids_limit("loki_pids_limit", value) == limit


@pytest.mark.parametrize("value", [0, -1, "0", "-1", 4194305, "lots", 1.5, True, None])
def test_a_bad_process_limit_names_the_variable(value):
    assert refused(check_pids_limit, "loki_pids_limit", value).startswith(
        "loki_pids_limit: %r is not a process limit. Fix: give a whole number from 1 to 4194304, e.g. 256" % (value,))


@pytest.mark.parametrize("value, address", [("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "0.0.0.0"), (" 10.0.0.5 ", "10.0.0.5"),
                                            ("::", "::"), ("[2001:db8::1]", "2001:db8::1"), ("2001:db8::1", "2001:db8::1")])
def test_bind_addresses_are_ip_addresses(value, address):
    assert check_bind_address("observability_publish_address", value, "app1") == address


@pytest.mark.parametrize("value", ["0.0.0.0.1", "app1.example.internal", "localhost", "10.0.0.5:9090",
                                   "https://10.0.0.5", "", 167772165, None])
def test_a_bind_address_that_docker_cannot_bind_names_the_variable_and_host(value):
    assert refused(check_bind_address, "observability_ui_publish_address", value, "app1") == (
        "observability_ui_publish_address: on host app1 is %r, which is not an IP address, and Docker binds published "
        "ports to IP addresses only. Fix: set it to an IPv4 or IPv6 address of app1: 127.0.0.1 (this host only), the "
        "address of one of its interfaces, or 0.0.0.0 (every interface)" % (value,))


MANAGED = check_managed_flags("_prometheus_managed_flags", {
    "--config.file": None, "--web.enable-lifecycle": None,
    "--storage.tsdb.retention.time": "set prometheus_retention_time instead"})


@pytest.mark.parametrize("component, flags", [
    ("prometheus", []),
    ("prometheus", ["--log.level=debug", "--query.max-samples=1000000", "--web.enable-admin-api"]),
    ("prometheus", ["--web.page-title=Prometheus = metrics"]),  # everything after the first '=' is the value
    ("loki", ["-log.level=debug", "--target=all"]),  # Go's flag package reads one dash or two
    ("jaeger", ["--set=processors.batch.timeout=2s"]),
])
def test_well_formed_extra_flags_pass(component, flags):
    assert check_extra_flags("%s_extra_flags" % component, flags, component, MANAGED) == flags


@pytest.mark.parametrize("component, flags, message", [
    ("prometheus", "--log.level=debug",
     "prometheus_extra_flags: must be a list of flags, got string. Fix: set it like ['--log.level=debug'], one flag "
     "per entry"),
    ("loki", {"log.level": "debug"},
     "loki_extra_flags: must be a list of flags, got mapping. Fix: set it like ['-log.level=debug'], one flag per entry"),
    ("prometheus", ["storage.tsdb.retention.time=5d"],
     "prometheus_extra_flags[0]: 'storage.tsdb.retention.time=5d' is not a flag: it does not start with '--'. "
     "Fix: write each flag as one entry starting with '--', e.g. '--storage.tsdb.retention.time=5d'"),
    ("loki", ["log.level=debug"],
     "loki_extra_flags[0]: 'log.level=debug' is not a flag: it does not start with '-' or '--'. Fix: write each flag "
     "as one entry starting with '-' or '--', e.g. '-log.level=debug'"),
    ("prometheus", ["--log.level", "debug"],
     "prometheus_extra_flags[1]: 'debug' is not a flag: it does not start with '--'. Fix: give the value in the same "
     "entry as its flag, joined by '=': '--log.level=debug'"),
    ("prometheus", ["--log.level debug"],
     "prometheus_extra_flags[0]: '--log.level debug' is not one flag. Fix: write each flag as one entry, its value "
     "after '=' and no space in its name, e.g. '--log.level=debug'"),
    ("prometheus", ["---log.level=debug"], "prometheus_extra_flags[0]: '---log.level=debug' is not one flag"),
    ("prometheus", ["--"], "prometheus_extra_flags[0]: '--' is not one flag"),
    ("prometheus", ["-log.level=debug"],
     "prometheus_extra_flags[0]: '-log.level=debug' starts with a single '-', which prometheus reads as short flags. "
     "Fix: write '--log.level=debug'"),
    ("jaeger", ["-set=x"], "jaeger_extra_flags[0]: '-set=x' starts with a single '-', which jaeger reads as short"),
    ("prometheus", [5], "prometheus_extra_flags[0]: must be a string, got integer 5. Fix: quote it"),
    ("prometheus", ["--config.file=/x"],
     "prometheus_extra_flags[0]: '--config.file=/x' sets --config.file, which the prometheus role sets itself. Fix: "
     "remove it from prometheus_extra_flags (the stack relies on the role's value)"),
    ("prometheus", ["--log.level=debug", "--storage.tsdb.retention.time=5d"],
     "prometheus_extra_flags[1]: '--storage.tsdb.retention.time=5d' sets --storage.tsdb.retention.time, which the "
     "prometheus role sets itself. Fix: remove it from prometheus_extra_flags; set prometheus_retention_time instead"),
    ("prometheus", ["--no-web.enable-lifecycle"],
     "prometheus_extra_flags[0]: '--no-web.enable-lifecycle' sets --web.enable-lifecycle, which the prometheus role "
     "sets itself"),
    ("loki", ["--config.file=/x"], "loki_extra_flags[0]: '--config.file=/x' sets --config.file, which the loki role"),
])
def test_malformed_or_managed_extra_flags_are_refused(component, flags, message):
    assert refused(check_extra_flags, "%s_extra_flags" % component, flags, component, MANAGED).startswith(message)


def test_only_kingpin_reads_no_as_a_negation():
    assert check_extra_flags("loki_extra_flags", ["-no-config.file"], "loki", MANAGED) == ["-no-config.file"]


def test_a_component_without_a_command_line_has_no_extra_flags():
    assert refused(check_extra_flags, "grafana_extra_flags", [], "grafana").startswith(
        "component: 'grafana' has no extra flags")


@pytest.mark.parametrize("managed, message", [
    (["--config.file"], "_x_managed_flags: must map the role's own flags to a fix, got list"),
    ({"config.file": None}, "_x_managed_flags['config.file']: is not a flag name with a fix"),
    ({"--config.file=/x": None}, "_x_managed_flags['--config.file=/x']: is not a flag name with a fix"),
    ({"--config.file": 1}, "_x_managed_flags['--config.file']: is not a flag name with a fix"),
])
def test_a_malformed_managed_flags_table_is_refused(managed, message):
    assert refused(check_managed_flags, "_x_managed_flags", managed).startswith(message)


@pytest.mark.parametrize("value, number", [(0, 0), (0.05, 0.05), ("0.05", 0.05), ("1000", 1000), (1, 1)])
def test_numbers(value, number):
    assert check_number("x", value, at_most=1000) == number


@pytest.mark.parametrize("value, problem", [
    (-1, "-1 is not a number of 0 or more"), ("five", "'five' is not a number of 0 or more"),
    (True, "True is not a number of 0 or more"), (float("inf"), "inf is not a number of 0 or more"),
    (float("nan"), "nan is not a number of 0 or more"), (2, "2 is above 1"),
])
def test_bad_numbers(value, problem):
    assert refused(check_number, "x", value, 1, "give a share") == "x: %s. Fix: give a share" % problem

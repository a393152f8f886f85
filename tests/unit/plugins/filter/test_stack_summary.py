# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.proxy_agent.observability.plugins.filter.stack_summary import stack_summary

ENGINE = {
    "host_info": {"ServerVersion": "20.10.24", "Driver": "overlay2", "CgroupVersion": "1"},
    "networks": [{"Name": "proxy-network", "Driver": "bridge", "IPAM": {"Config": [{"Subnet": "172.30.0.0/24"}]}}],
    "volumes": [{"Name": "proxy_prometheus_data"}],
    "containers": [
        {"Names": ["/proxy-prometheus"], "State": "running", "Status": "Up 2 minutes (healthy)",
         "Ports": [{"IP": "127.0.0.1", "PrivatePort": 9090, "PublicPort": 9090, "Type": "tcp"}]},
        {"Names": ["/proxy-grafana"], "State": "running", "Status": "Up 1 minute (health: starting)",
         "Ports": [{"IP": "0.0.0.0", "PrivatePort": 3000, "PublicPort": 3001, "Type": "tcp"},
                   {"IP": "::", "PrivatePort": 3000, "PublicPort": 3001, "Type": "tcp"}]},
        {"Names": ["/proxy-node-exporter"], "State": "exited", "Status": "Exited (1)", "Ports": []},
    ],
}
IMAGES = {"prometheus": "localhost/proxy-obs/prometheus:3.5.3", "grafana": "localhost/proxy-obs/grafana-standin:1",
          "loki": "grafana/loki:3.7.6", "promtail": "grafana/promtail:3.6.11"}
IMAGE_INFO = [
    {"RepoTags": ["localhost/proxy-obs/prometheus:3.5.3"],
     "Config": {"Labels": {"io.proxy-agent.observability.source": "Debian sid prometheus 3.5.3+ds1-1"}}},
    {"RepoTags": ["localhost/proxy-obs/grafana-standin:1"],
     "Config": {"Labels": {"io.proxy-agent.observability.test-double": "true"}}},
    {"RepoTags": ["grafana/loki:3.7.6"], "Config": {"Labels": None}},
]


def test_summary_names_engine_network_volumes_images_and_urls():
    lines = stack_summary(ENGINE, images=IMAGES, image_info=IMAGE_INFO, address="mon1.example", host_name="mon1")
    assert lines == [
        "engine: Docker 20.10.24 (overlay2, cgroup v1)",
        "network: proxy-network (bridge, 172.30.0.0/24)",
        "volume: proxy_prometheus_data",
        "image: grafana = localhost/proxy-obs/grafana-standin:1 (TEST DOUBLE, not the real component)",
        "image: loki = grafana/loki:3.7.6 (upstream image)",
        "image: prometheus = localhost/proxy-obs/prometheus:3.5.3 (built locally from Debian sid prometheus "
        "3.5.3+ds1-1)",
        "image: promtail = grafana/promtail:3.6.11 (missing)",
        "container: proxy-grafana running, starting at http://mon1.example:3001",
        "container: proxy-node-exporter exited, no healthcheck, no published port",
        "container: proxy-prometheus running, healthy at 127.0.0.1:9090 on mon1 only",
    ]


def test_a_port_on_a_host_address_is_an_url_and_udp_ports_are_left_out():
    engine = {"host_info": {}, "containers": [
        {"Names": ["/proxy-alertmanager"], "State": "running", "Status": "Up",
         "Ports": [{"IP": "10.0.0.1", "PrivatePort": 9093, "PublicPort": 9093, "Type": "tcp"},
                   {"IP": "2001:db8::1", "PrivatePort": 9094, "PublicPort": 9094, "Type": "tcp"},
                   {"IP": "10.0.0.1", "PrivatePort": 9094, "PublicPort": 9094, "Type": "udp"},
                   {"PrivatePort": 9095, "Type": "tcp"}]}]}
    assert stack_summary(engine, host_name="mon1")[-1] == \
        "container: proxy-alertmanager running, no healthcheck at http://10.0.0.1:9093 http://[2001:db8::1]:9094"


@pytest.mark.parametrize("ip, where", [("127.0.0.1", "127.0.0.1"), ("::1", "[::1]")])
def test_a_port_on_the_loopback_is_listed_as_reachable_on_that_host_only(ip, where):
    engine = dict(ENGINE, containers=[{"Names": ["/proxy-prometheus"], "State": "running", "Status": "Up (healthy)",
                                       "Ports": [{"IP": ip, "PrivatePort": 9090, "PublicPort": 9090, "Type": "tcp"}]}])
    assert stack_summary(engine, address="mon1.example", host_name="mon1")[-1] == \
        "container: proxy-prometheus running, healthy at %s:9090 on mon1 only" % where


def test_without_a_host_name_a_loopback_port_is_on_the_host_only():
    assert stack_summary(ENGINE)[-1] == \
        "container: proxy-prometheus running, healthy at 127.0.0.1:9090 on the host only"


def test_summary_says_when_no_container_runs_yet():
    lines = stack_summary({"host_info": {}, "networks": [], "volumes": [], "containers": []})
    assert lines[-1] == "containers: none of the stack's containers run here yet"


def test_the_urls_that_open_from_elsewhere_come_before_the_loopback_ports():
    engine = {"host_info": {}, "containers": [
        {"Names": ["/proxy-jaeger"], "State": "running", "Status": "Up",
         "Ports": [{"IP": "127.0.0.1", "PrivatePort": 4317, "PublicPort": 4317, "Type": "tcp"},
                   {"IP": "0.0.0.0", "PrivatePort": 16686, "PublicPort": 16686, "Type": "tcp"},
                   {"IP": "127.0.0.1", "PrivatePort": 13133, "PublicPort": 13133, "Type": "tcp"}]}]}
    assert stack_summary(engine, address="127.0.0.1", host_name="mon1")[-1] == \
        "container: proxy-jaeger running, no healthcheck at http://127.0.0.1:16686 127.0.0.1:4317 on mon1 only " \
        "127.0.0.1:13133 on mon1 only"

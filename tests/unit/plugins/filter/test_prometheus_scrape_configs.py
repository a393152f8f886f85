# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""prometheus_scrape_configs: the scrape jobs of prometheus.yml and their target files, built from the fleet."""
from __future__ import annotations

import copy

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_scrape_configs import (
    prometheus_scrape_configs,
)
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._fleet import build_fleet


def host(address, *groups, **settings):
    return dict({"group_names": list(groups), "ansible_facts": {"default_ipv4": {"address": address}}}, **settings)


# mon1 runs the central services (Jaeger and Loki too, as the first monitoring host) and the collectors, app1 the
# collectors, db1 the collectors and postgres-exporter.
HOSTVARS = {
    "mon1": host("10.0.0.1", "agents", "monitoring"),
    "app1": host("10.0.0.2", "agents"),
    "db1": host("10.0.1.3", "agents", "postgres"),
}
GROUPS = {"all": ["mon1", "app1", "db1"], "agents": ["mon1", "app1", "db1"], "monitoring": ["mon1"],
          "postgres": ["db1"]}
JOBS = ["node", "docker", "postgres", "loki", "jaeger", "promtail", "alertmanager", "prometheus", "grafana"]


def fleet(hostvars=None, groups=None):
    return build_fleet(HOSTVARS if hostvars is None else hostvars, GROUPS if groups is None else groups)


def scrape(hostvars=None, prometheus_host="mon1", **kwargs):
    return prometheus_scrape_configs(fleet(hostvars), prometheus_host, **kwargs)


def with_host(name, **settings):
    result = copy.deepcopy(HOSTVARS)
    result[name].update(settings)
    return result


def names(result):
    return [job["job_name"] for job in result["scrape_configs"]]


def file_sd(name, targets_dir="/etc/prometheus/targets"):
    return {"job_name": name, "file_sd_configs": [{"files": ["%s/%s.json" % (targets_dir, name)]}]}


def group(target, name, port):
    return {"targets": [target], "labels": {"host": name, "instance": "%s:%d" % (name, port)}}


def test_every_scraped_component_gets_a_file_sd_job_in_catalogue_order_the_backend_last():
    assert scrape(backend_targets=["10.0.0.2:8000"])["scrape_configs"] == \
        [file_sd(name) for name in JOBS + ["backend"]]


def test_the_target_files_hold_one_group_per_instance_labelled_with_host_and_instance():
    files = scrape(backend_targets=["10.0.0.2:8000"])["files"]
    assert sorted(files) == sorted("targets/%s.json" % name for name in JOBS + ["backend"])
    assert files["targets/backend.json"] == [{"targets": ["10.0.0.2:8000"]}]
    assert files["targets/jaeger.json"] == [group("proxy-jaeger:14269", "mon1", 14269)]
    assert files["targets/loki.json"] == [group("proxy-loki:3100", "mon1", 3100)]
    assert files["targets/node.json"] == [group("10.0.0.2:9100", "app1", 9100), group("10.0.1.3:9100", "db1", 9100),
                                          group("proxy-node-exporter:9100", "mon1", 9100)]
    assert files["targets/postgres.json"] == [group("10.0.1.3:9187", "db1", 9187)]
    assert files["targets/grafana.json"] == [group("proxy-grafana:3000", "mon1", 3001)]
    assert files["targets/alertmanager.json"] == [group("proxy-alertmanager:9093", "mon1", 9093)]


def test_jobs_without_targets_are_left_out():
    result = scrape()
    assert names(result) == JOBS
    assert "targets/backend.json" not in result["files"] and "targets/redis.json" not in result["files"]


def test_the_backend_job_scrapes_the_sample_backends_the_fleet_deploys():
    hostvars = with_host("app1", group_names=["agents", "sample_backend"])
    hostvars["mon1"]["group_names"].append("sample_backend")
    groups = dict(GROUPS, sample_backend=["app1", "mon1"])
    result = prometheus_scrape_configs(fleet(hostvars, groups), "mon1")
    assert names(result) == JOBS + ["backend"]
    assert result["scrape_configs"][-1] == file_sd("backend")
    assert result["files"]["targets/backend.json"] == [group("10.0.0.2:8000", "app1", 8000),
                                                       group("proxy-backend:8000", "mon1", 8000)]


def test_the_backend_job_merges_the_fleets_backends_and_the_backend_targets_once_each():
    hostvars = with_host("app1", group_names=["agents", "sample_backend"])
    the_fleet = fleet(hostvars, dict(GROUPS, sample_backend=["app1"]))
    own = ["api.example.com:8000", "10.0.0.2:8000", "api.example.com:8000"]
    result = prometheus_scrape_configs(the_fleet, "mon1", backend_targets=own)
    # 10.0.0.2:8000 is app1's sample backend already: listed once, in the fleet's labelled group.
    assert result["files"]["targets/backend.json"] == [group("10.0.0.2:8000", "app1", 8000),
                                                       {"targets": ["api.example.com:8000"]}]
    assert names(result) == JOBS + ["backend"]
    only_known = prometheus_scrape_configs(the_fleet, "mon1", backend_targets=["10.0.0.2:8000"])
    assert only_known["files"]["targets/backend.json"] == [group("10.0.0.2:8000", "app1", 8000)]


def test_a_custom_backend_group_places_the_scraped_backends():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["db1"]["group_names"].append("apps")
    groups = dict(GROUPS, apps=["db1"])
    assert "backend" not in names(prometheus_scrape_configs(fleet(hostvars, groups), "mon1"))
    for vars_ in hostvars.values():
        vars_["observability_backend_group"] = "apps"
    result = prometheus_scrape_configs(fleet(hostvars, groups), "mon1")
    assert result["files"]["targets/backend.json"] == [group("10.0.1.3:8000", "db1", 8000)]


def test_prometheus_on_another_host_scrapes_the_monitoring_host_by_address():
    files = scrape(prometheus_host="app1")["files"]
    assert files["targets/node.json"] == [group("proxy-node-exporter:9100", "app1", 9100),
                                          group("10.0.1.3:9100", "db1", 9100), group("10.0.0.1:9100", "mon1", 9100)]
    assert files["targets/prometheus.json"] == [group("10.0.0.1:9090", "mon1", 9090)]


def test_the_two_prometheus_of_a_pair_label_every_target_alike():
    hostvars = dict(HOSTVARS, mon2=host("10.0.0.4", "agents", "monitoring"))
    groups = {"all": ["mon1", "mon2", "app1", "db1"], "monitoring": ["mon1", "mon2"],
              "agents": ["mon1", "mon2", "app1", "db1"], "postgres": ["db1"]}
    first = prometheus_scrape_configs(fleet(hostvars, groups), "mon1")["files"]["targets/prometheus.json"]
    second = prometheus_scrape_configs(fleet(hostvars, groups), "mon2")["files"]["targets/prometheus.json"]
    assert first == [group("proxy-prometheus:9090", "mon1", 9090), group("10.0.0.4:9090", "mon2", 9090)]
    assert second == [group("10.0.0.1:9090", "mon1", 9090), group("proxy-prometheus:9090", "mon2", 9090)]


def test_the_prefix_of_the_scraped_host_names_its_containers():
    files = scrape(with_host("mon1", observability_prefix="obs"))["files"]
    assert files["targets/docker.json"][-1] == group("obs-cadvisor:8080", "mon1", 8080)


def test_the_targets_dir_names_the_files_in_the_jobs():
    assert scrape(targets_dir="/prometheus/targets/")["scrape_configs"][0] == file_sd("node", "/prometheus/targets")


def test_a_published_port_is_the_target_on_other_hosts_and_the_instance_label_everywhere():
    hostvars = with_host("app1", observability_published_ports={"cadvisor": 18080})
    hostvars["mon1"]["observability_published_ports"] = {"cadvisor": 18081}
    assert scrape(hostvars)["files"]["targets/docker.json"] == [
        group("10.0.0.2:18080", "app1", 18080), group("10.0.1.3:8080", "db1", 8080),
        group("proxy-cadvisor:8080", "mon1", 18081)]


def test_addresses_fall_back_to_the_inventory_name_and_ipv6_is_bracketed():
    hostvars = copy.deepcopy(HOSTVARS)
    del hostvars["app1"]["ansible_facts"]
    hostvars["app1"]["observability_publish_address"] = "0.0.0.0"  # a name is no bind address
    hostvars["db1"]["observability_address"] = "2001:db8::3"
    assert [entry["targets"] for entry in scrape(hostvars)["files"]["targets/node.json"]] == \
        [["app1:9100"], ["[2001:db8::3]:9100"], ["proxy-node-exporter:9100"]]


def test_observability_components_replaces_the_derived_list():
    files = scrape(with_host("app1", observability_components=["redis_exporter"]))["files"]
    assert files["targets/redis.json"] == [group("10.0.0.2:9121", "app1", 9121)]
    assert [entry["labels"]["host"] for entry in files["targets/node.json"]] == ["db1", "mon1"]


def test_group_names_set_in_the_inventory_place_the_scraped_components():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["mon1"]["group_names"] = ["obs", "agents"]
    assert "alertmanager" not in names(scrape(hostvars))
    for vars_ in hostvars.values():
        vars_["observability_monitoring_group"] = "obs"
    assert scrape(hostvars)["files"]["targets/alertmanager.json"] == [group("proxy-alertmanager:9093", "mon1", 9093)]


def test_extra_targets_merge_into_generated_jobs_or_create_jobs_sorted_after_them():
    result = scrape(extra_targets={"node": ["nas.example.com:9100", "10.0.0.2:9100"], "redis": ["cache1:9121"],
                                   "zfs": ["nas.example.com:9134", "nas.example.com:9134"], "apc": ["ups:9162"]})
    # 10.0.0.2:9100 is app1's target already.
    assert result["files"]["targets/node.json"][3:] == [{"targets": ["nas.example.com:9100"]}]
    assert len(result["files"]["targets/node.json"]) == 4
    assert names(result) == ["node", "docker", "postgres", "redis", "loki", "jaeger", "promtail", "alertmanager",
                             "prometheus", "grafana", "apc", "zfs"]
    assert result["scrape_configs"][-1] == file_sd("zfs")
    assert result["files"]["targets/redis.json"] == [{"targets": ["cache1:9121"]}]
    assert result["files"]["targets/zfs.json"] == [{"targets": ["nas.example.com:9134"]}]


def test_user_jobs_come_last_with_keys_in_prometheus_order_and_targets_sorted():
    user_job = {
        "static_configs": [{"labels": {"team": "payments"},
                            "targets": ["b.example:9000", "a.example:9000", "b.example:9000"]}],
        "fallback_scrape_protocol": "PrometheusText0.0.4",
        "scrape_timeout": "20s",
        "scrape_interval": "30s",
        "job_name": "legacy-app",
    }
    result = scrape(extra_jobs=[user_job], extra_targets={"legacy-app": ["c.example:9000", "a.example:9000"]})
    assert result["scrape_configs"][-1] == {
        "job_name": "legacy-app",
        "scrape_interval": "30s",
        "scrape_timeout": "20s",
        "fallback_scrape_protocol": "PrometheusText0.0.4",
        "static_configs": [
            {"targets": ["a.example:9000", "b.example:9000"], "labels": {"team": "payments"}},
            {"targets": ["c.example:9000"]},
        ],
    }
    assert list(result["scrape_configs"][-1]) == ["job_name", "scrape_interval", "scrape_timeout",
                                                  "fallback_scrape_protocol", "static_configs"]
    assert "targets/legacy-app.json" not in result["files"]


def test_user_job_with_relabelling_may_list_urls():
    blackbox = {"job_name": "blackbox", "metrics_path": "/probe", "params": {"module": ["http_2xx"]},
                "static_configs": [{"targets": ["https://example.com"]}],
                "relabel_configs": [{"source_labels": ["__address__"], "target_label": "__param_target"},
                                    {"target_label": "__address__", "replacement": "proxy-blackbox:9115"}]}
    assert scrape(extra_jobs=[blackbox])["scrape_configs"][-1] == blackbox


def test_output_is_stable_plain_and_leaves_the_input_alone():
    the_fleet = fleet()
    before = copy.deepcopy(the_fleet)
    extra_jobs = [{"job_name": "app", "static_configs": [{"targets": ["app1:8000"]}]}]
    first = prometheus_scrape_configs(the_fleet, "mon1", extra_jobs=extra_jobs,
                                      backend_targets=["b:8000", "a:8000", "b:8000"])
    reordered = fleet(groups=dict(GROUPS, all=["db1", "app1", "mon1"]))
    second = prometheus_scrape_configs(reordered, "mon1", extra_jobs=copy.deepcopy(extra_jobs),
                                       backend_targets=["a:8000", "b:8000"])
    assert yaml.safe_dump(first, sort_keys=False) == yaml.safe_dump(second, sort_keys=False)
    assert first["files"]["targets/backend.json"] == [{"targets": ["a:8000", "b:8000"]}]
    assert the_fleet == before
    assert extra_jobs == [{"job_name": "app", "static_configs": [{"targets": ["app1:8000"]}]}]


BAD_INPUT = [
    ({"extra_jobs": [{"job_name": "app", "static_configs": []}, {"job_name": "app", "static_configs": []}]},
     "prometheus_scrape_configs_extra[1]['job_name']: 'app' is defined twice, which Prometheus refuses. "
     "Fix: list each job_name once"),
    ({"extra_jobs": [{"job_name": "node", "static_configs": [{"targets": ["nas:9100"]}]}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'node' is a job this collection generates from the inventory. "
     "Fix: give your job another job_name, or add targets to 'node' with prometheus_static_targets_extra"),
    ({"extra_jobs": [{"job_name": "backend", "static_configs": [{"targets": ["api:8000"]}]}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'backend' is a job this collection generates from the "
     "inventory. Fix: give your job another job_name, or add targets to 'backend' with "
     "prometheus_static_targets_extra"),
    ({"extra_jobs": [{"job_name": "jaeger"}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'jaeger' is a job this collection generates from the "
     "inventory. Fix: give your job another job_name, or add targets to 'jaeger' with "
     "prometheus_static_targets_extra"),
    ({"extra_jobs": [{"job_name": "redis"}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'redis' is a job this collection generates from the inventory. "
     "Fix: give your job another job_name, or add targets to 'redis' with prometheus_static_targets_extra"),
    ({"extra_jobs": [{"job_name": "my app"}]},
     "prometheus_scrape_configs_extra[0]['job_name']: 'my app' is not a usable job name. Fix: use letters, digits, "
     "'_', '.' or '-', starting with a letter or '_', e.g. 'blackbox-http'"),
    ({"extra_jobs": [{"static_configs": []}]},
     "prometheus_scrape_configs_extra[0]: has no job_name. Fix: name the job, e.g. job_name: 'app'"),
    ({"extra_jobs": {"job_name": "app"}},
     "prometheus_scrape_configs_extra: must be a list of scrape configs, got dict. "
     "Fix: set it like [{'job_name': 'app', 'static_configs': [{'targets': ['app1:8000']}]}]"),
    ({"extra_jobs": [{"job_name": "app", "scrape_intervall": "30s"}]},
     "prometheus_scrape_configs_extra[0]['scrape_intervall']: is not a scrape_config key Prometheus knows. "
     "Fix: check the spelling against Prometheus' scrape_config reference (this check knows the keys of "
     "Prometheus 3.14)"),
    ({"extra_jobs": [{"job_name": "app", "scrape_interval": 30}]},
     "prometheus_scrape_configs_extra[0]['scrape_interval']: 30 is not a Prometheus duration. Fix: write a number "
     "with a unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"),
    ({"extra_jobs": [{"job_name": "app", "scrape_interval": "1m1h"}]},
     "prometheus_scrape_configs_extra[0]['scrape_interval']: '1m1h' is not a Prometheus duration. Fix: write a "
     "number with a unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"),
    ({"extra_jobs": [{"job_name": "app", "scrape_timeout": "0s"}]},
     "prometheus_scrape_configs_extra[0]['scrape_timeout']: '0s' must be longer than zero. Fix: give a duration "
     "such as '15s', or leave the key out to use the default"),
    ({"extra_jobs": [{"job_name": "app", "scrape_interval": "10s", "scrape_timeout": "1m"}]},
     "prometheus_scrape_configs_extra[0]['scrape_timeout']: '1m' is longer than the scrape_interval '10s' of job "
     "'app', which Prometheus refuses. Fix: make scrape_timeout at most scrape_interval"),
    ({"extra_jobs": [{"job_name": "app", "scrape_timeout": "20s"}], "scrape_interval": "15s"},
     "prometheus_scrape_configs_extra[0]['scrape_timeout']: '20s' is longer than the global scrape_interval '15s' "
     "that job 'app' inherits, which Prometheus refuses. Fix: set scrape_interval on the job, shorten "
     "scrape_timeout, or raise prometheus_scrape_interval"),
    ({"scrape_interval": "15"},
     "prometheus_scrape_interval: '15' is not a Prometheus duration. Fix: write a number with a "
     "unit, e.g. '30s', '1m' or '1m30s' (units y, w, d, h, m, s, ms, largest first)"),
    ({"extra_jobs": [{"job_name": "app", "metrics_path": "metrics"}]},
     "prometheus_scrape_configs_extra[0]['metrics_path']: 'metrics' does not start with '/'. "
     "Fix: write the path from the root, e.g. '/metrics'"),
    ({"extra_jobs": [{"job_name": "app", "fallback_scrape_protocol": "text/plain"}]},
     "prometheus_scrape_configs_extra[0]['fallback_scrape_protocol']: 'text/plain' is not a scrape protocol. "
     "Fix: use one of PrometheusProto, PrometheusText0.0.4, PrometheusText1.0.0, OpenMetricsText0.0.1, "
     "OpenMetricsText1.0.0"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["a:1"], "labels": {"team-name": "x"}}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['labels']['team-name']: 'team-name' is not a label "
     "name. Fix: use letters, digits and '_', not starting with a digit, e.g. 'team'"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["a:1"], "labels": {"__tier": "x"}}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['labels']['__tier']: '__tier' starts with '__', which "
     "Prometheus reserves for internal labels. Fix: drop the leading underscores, e.g. 'tier'"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["a:1"], "labels": {"on": True}}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['labels']['on']: must be a string, got bool True. "
     "Fix: quote the value, e.g. 'true' or '1'"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"target": ["a:1"]}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]: {'target': ['a:1']} is not a static config. "
     "Fix: give only the keys 'targets' and 'labels', e.g. {'targets': ['app1:9100']}"),
    ({"extra_jobs": [{"job_name": "app", "static_configs": [{"targets": ["http://app1:8000/metrics"]}]}]},
     "prometheus_scrape_configs_extra[0]['static_configs'][0]['targets'][0]: 'http://app1:8000/metrics' is not a "
     "host:port target. Fix: write it as host:port, e.g. 'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 "
     "to 65535); for URLs (blackbox probes) use a job of your own with relabel_configs in "
     "prometheus_scrape_configs_extra"),
    ({"extra_targets": {"node": ["nas.example.com:70000"]}},
     "prometheus_static_targets_extra['node'][0]: 'nas.example.com:70000' is not a host:port target. Fix: write it "
     "as host:port, e.g. 'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 to 65535); for URLs (blackbox "
     "probes) use a job of your own with relabel_configs in prometheus_scrape_configs_extra"),
    ({"extra_targets": {"node": "nas.example.com:9100"}},
     "prometheus_static_targets_extra['node']: must be a list of host:port targets, got str. "
     "Fix: set it like ['app1.example.com:8000']"),
    ({"extra_targets": {"nas box": ["nas.example.com:9100"]}},
     "prometheus_static_targets_extra['nas box']: 'nas box' is not a usable job name. Fix: use letters, digits, "
     "'_', '.' or '-', starting with a letter or '_', e.g. 'nas'"),
    ({"extra_targets": [["node", "nas:9100"]]},
     "prometheus_static_targets_extra: must map job names to lists of targets, got list. "
     "Fix: set it like {'node': ['nas.example.com:9100']}"),
    ({"backend_targets": ["backend"]},
     "prometheus_backend_targets[0]: 'backend' is not a host:port target. Fix: write it as host:port, e.g. "
     "'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 to 65535); for URLs (blackbox probes) use a job of "
     "your own with relabel_configs in prometheus_scrape_configs_extra"),
    ({"backend_targets": ["backend:0"]},
     "prometheus_backend_targets[0]: 'backend:0' is not a host:port target. Fix: write it as host:port, e.g. "
     "'app1.example.com:9100' or '[2001:db8::1]:9100' (port 1 to 65535); for URLs (blackbox probes) use a job of "
     "your own with relabel_configs in prometheus_scrape_configs_extra"),
    ({"fleet": {"mon1": {"group_names": ["monitoring"]}}},
     "_observability_fleet: is not the stack's fleet. Fix: pass the result of the observability_fleet filter"),
    ({"fleet": {"hosts": {}, "order": []}},
     "_observability_fleet: is not the stack's fleet (got dict). Fix: build it with the "
     "proxy_agent.observability.observability_fleet filter (the observability role does, once per run)"),
]


@pytest.mark.parametrize("kwargs, message", BAD_INPUT,
                         ids=[message.split(". Fix")[0][:60] for dummy, message in BAD_INPUT])
def test_bad_input_is_rejected_naming_the_variable(kwargs, message):
    kwargs = dict(kwargs)
    the_fleet = kwargs.pop("fleet") if "fleet" in kwargs else fleet()
    with pytest.raises(AnsibleFilterError) as exc:
        prometheus_scrape_configs(the_fleet, "mon1", **kwargs)
    assert str(exc.value) == message


def test_credentials_of_user_jobs_move_to_secret_files():
    """Inline credentials of a job of yours go to files under secrets_dir; prometheus.yml names them (*_file)."""
    jobs = [
        {"job_name": "app", "static_configs": [{"targets": ["app1:8000"]}],
         "basic_auth": {"username": "u", "password": "SECRET-basic"},
         "tls_config": {"ca_file": "/etc/ssl/ca.pem", "cert_file": "/c.pem", "key": "\nSECRET-pem\n"}},
        {"job_name": "api.v2", "static_configs": [{"targets": ["app1:8001"]}],
         "authorization": {"type": "Bearer", "credentials": "SECRET-auth"}},
        {"job_name": "old", "static_configs": [{"targets": ["app1:8002"]}], "bearer_token": "SECRET-bt"},
        {"job_name": "oauth", "static_configs": [{"targets": ["app1:8003"]}],
         "oauth2": {"client_id": "id", "client_secret": "SECRET-oauth", "token_url": "https://auth.invalid/t"}},
    ]
    before = copy.deepcopy(jobs)
    result = scrape(extra_jobs=jobs)
    assert jobs == before
    assert "SECRET" not in yaml.safe_dump(result["scrape_configs"])
    d = "/etc/prometheus/secrets/"
    app, api, old, oauth = result["scrape_configs"][-4:]
    assert app["basic_auth"] == {"username": "u", "password_file": d + "scrape_app_basic_auth_password"}
    assert app["tls_config"] == {"ca_file": "/etc/ssl/ca.pem", "cert_file": "/c.pem",
                                 "key_file": d + "scrape_app_tls_key"}
    assert api["authorization"] == {"type": "Bearer", "credentials_file": d + "scrape_api.v2_authorization_credentials"}
    assert old["bearer_token_file"] == d + "scrape_old_bearer_token" and "bearer_token" not in old
    assert oauth["oauth2"]["client_secret_file"] == d + "scrape_oauth_oauth2_client_secret"
    assert result["secrets"] == {"scrape_app_basic_auth_password": "SECRET-basic", "scrape_app_tls_key": "SECRET-pem",
                                 "scrape_api.v2_authorization_credentials": "SECRET-auth",
                                 "scrape_old_bearer_token": "SECRET-bt", "scrape_oauth_oauth2_client_secret": "SECRET-oauth"}
    assert result["secret_files"]["scrape_app_basic_auth_password"] == (
        "prometheus_scrape_configs_extra[0].basic_auth.password")
    assert scrape(extra_jobs=jobs, secrets_dir="/run/s")["scrape_configs"][-1]["oauth2"]["client_secret_file"] == (
        "/run/s/scrape_oauth_oauth2_client_secret")
    assert scrape()["secrets"] == {}


@pytest.mark.parametrize("job, message", [
    ({"basic_auth": {"username": "u", "password": "SECRET-x", "password_file": "/x"}},
     "prometheus_scrape_configs_extra[0].basic_auth: sets both password and password_file. Fix: keep one of them"),
    ({"bearer_token": "${TOKEN}"},
     "prometheus_scrape_configs_extra[0].bearer_token: looks like an unexpanded environment variable such as "
     "${PASSWORD} (value not shown: it is a secret). Fix: give the real value (e.g. from Ansible Vault): Prometheus "
     "does not expand variables in its configuration"),
    ({"authorization": {"credentials": "SECRET-x "}},
     "prometheus_scrape_configs_extra[0].authorization.credentials: starts or ends with whitespace (value not shown: "
     "it is a secret), which Prometheus trims when it reads the secret file. Fix: remove the whitespace around the "
     "secret"),
    ({"oauth2": {"client_secret": ""}},
     "prometheus_scrape_configs_extra[0].oauth2.client_secret: must be a non-empty string (value not shown: it is a "
     "secret). Fix: set the secret (e.g. from Ansible Vault)"),
])
def test_bad_credentials_of_user_jobs_are_refused_without_showing_them(job, message):
    job = dict({"job_name": "app", "static_configs": [{"targets": ["app1:8000"]}]}, **job)
    with pytest.raises(AnsibleFilterError) as error:
        scrape(extra_jobs=[job])
    assert str(error.value) == message


def test_secret_files_of_user_jobs_do_not_clash():
    jobs = [{"job_name": "a", "bearer_token": "SECRET-1"}, {"job_name": "a_bearer", "bearer_token": "SECRET-2"}]
    assert sorted(scrape(extra_jobs=jobs)["secrets"]) == ["scrape_a_bearer_bearer_token", "scrape_a_bearer_token"]

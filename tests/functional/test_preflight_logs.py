# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input for the Loki and Promtail roles stops the site playbook in a check, naming the variable, before any
host changes. Same harness and precautions as test_preflight_metrics.py (check mode against this machine,
`--skip-tags docker_host`, configuration root in the test's temporary directory); every case enables the logs
components together with the metrics ones that deploy before them."""
from __future__ import annotations

import pytest

from test_preflight_metrics import check_mode_vars

COMPONENTS = ["node_exporter", "loki", "promtail", "alertmanager", "prometheus"]

# (id, variables, message: the start of the error, which names the variable)
BAD_INPUT = [
    ("3x-option-with-2.9", {"loki_version": "2.9.17",
                            "loki_config_overrides": {"limits_config": {"discover_service_name": []}}},
     "loki_config_overrides.limits_config.discover_service_name: exists only in Loki 3.x, and Loki 2.9.17 does not "
     "start with it"),
    ("2.9-option-with-3x", {"loki_config_overrides": {"storage_config": {"boltdb_shipper": {
        "shared_store": "filesystem"}}}},
     "loki_config_overrides.storage_config.boltdb_shipper.shared_store: was removed in Loki 3.0, and Loki 3.7.6 "
     "does not start with it"),
    ("retention-without-delete-store", {"loki_config_overrides": {"compactor": {"delete_request_store": None}}},
     "loki_config_overrides.compactor.delete_request_store: retention is enabled (compactor.retention_enabled) "
     "without a delete_request_store, and Loki 3 does not start then"),
    ("retention-not-a-duration", {"loki_retention_period": "14 days"},
     "loki_retention_period: '14 days' is not a Loki duration. Fix: write a number with a unit"),
    ("retention-below-index-period", {"loki_retention_period": "12h"},
     "loki_retention_period: '12h' is shorter than the 24h index period"),
    ("image-tag-not-a-version", {"observability_image_overrides": {"loki": "grafana/loki:main-3b2a1c4"}},
     "loki_version: 'main-3b2a1c4' is not a Loki version. Fix: set loki_version to the Loki version your image "
     "runs, e.g. '3.7.6'"),
    ("loki-1.x", {"loki_version": "1.6.0"},
     "loki_version: Loki 1.6.0 is not supported: this collection writes configurations for Loki 2.9.x and 3.x"),
    ("high-cardinality-label", {"promtail_json_labels": ["level", "request_id"]},
     "promtail_json_labels[1]: 'request_id' has a new value for every request, user or moment (high cardinality)"),
    ("label-name", {"promtail_json_labels": ["level-x"]},
     "promtail_json_labels[0]: 'level-x' is not a label name"),
    ("push-url-without-scheme", {"promtail_loki_url": "proxy-loki:3100"},
     "promtail_loki_url: 'proxy-loki:3100' is not an http:// or https:// URL"),
    ("promtail-job-named-docker", {"promtail_scrape_configs_extra": [{"job_name": "docker"}]},
     "promtail_scrape_configs_extra[0].job_name: 'docker' is already the name of the docker job this collection "
     "generates"),
]


@pytest.mark.parametrize("variables, message", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_logs_input_stops_in_a_check_before_any_change(variables, message, tmp_path, run_playbook,
                                                           stops_in_a_check):
    extra_vars = check_mode_vars(tmp_path, COMPONENTS, variables)
    result = run_playbook("proxy_agent.observability.site", extra_vars, args=["--skip-tags", "docker_host"])
    stops_in_a_check(result, message)
    assert not (tmp_path / "config").exists(), "a check-mode run staged files before failing"

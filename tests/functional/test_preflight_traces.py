# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input for the Jaeger and sample backend roles stops the site playbook in a check, naming the variable, before
any host changes. Same harness and precautions as test_preflight_metrics.py (check mode against this machine,
`--skip-tags docker_host`, configuration root in the test's temporary directory)."""
from __future__ import annotations

import pytest

from test_preflight_metrics import check_mode_vars

COMPONENTS = ["node_exporter", "jaeger", "alertmanager", "prometheus", "backend"]
GOOD = {
    "backend_database_url": "postgresql+psycopg://app:secret@db.example:5432/app",
    "backend_redis_url": "redis://redis.example:6379/0",
}

# (id, variables, message: the start of the error, which names the variable)
BAD_INPUT = [
    ("v2-option-with-1.x", {"observability_image_overrides": {"jaeger": "jaegertracing/all-in-one:1.76.0"},
                            "jaeger_config_overrides": {"processors": {"batch": {"timeout": "2s"}}}},
     "jaeger_config_overrides: is an option of Jaeger v2, but the image runs Jaeger 1.76.0 "
     "(jaegertracing/all-in-one)"),
    ("1.x-option-with-v2", {"jaeger_v1_env": {"QUERY_BASE_PATH": "/jaeger"}},
     "jaeger_v1_env: is an option of Jaeger 1.x, but the image runs Jaeger 2.20.0"),
    ("ttl-in-days", {"jaeger_span_ttl": "7d"},
     "jaeger_span_ttl: '7d' is not a Go duration above zero"),
    ("jaeger-tag-not-a-version", {"observability_image_overrides": {"jaeger": "jaegertracing/jaeger:main"}},
     "jaeger_version: 'main' is not a Jaeger 1.x or 2.x version"),
    ("backend-without-database", {"backend_database_url": ""},
     "The sample backend's settings on localhost are incomplete or wrong. Fix: backend_database_url must be a "
     "PostgreSQL SQLAlchemy URL"),
    ("backend-sampling-ratio", {"backend_trace_sampling_ratio": 2},
     "The sample backend's settings on localhost are incomplete or wrong"),
    ("backend-missing-wheelhouse", {"backend_wheelhouse": "/nonexistent/wheels"},
     "backend_wheelhouse: /nonexistent/wheels is not a directory on the controller"),
]


@pytest.mark.parametrize("variables, message", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_traces_input_stops_in_a_check_before_any_change(variables, message, tmp_path, run_playbook,
                                                             stops_in_a_check):
    extra_vars = check_mode_vars(tmp_path, COMPONENTS, dict(GOOD, **variables))
    result = run_playbook("proxy_agent.observability.site", extra_vars, args=["--skip-tags", "docker_host"])
    stops_in_a_check(result, message)
    assert not (tmp_path / "config").exists(), "a check-mode run staged files before failing"

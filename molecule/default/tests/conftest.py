# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Markers and shared helpers of the scenario's testinfra tests."""
from __future__ import annotations

import json
import time

import pytest


def wait_for(predicate, seconds=60, interval=2):
    """Poll predicate until it returns something true or seconds pass; return its last result."""
    deadline = time.time() + seconds
    while True:
        result = predicate()
        if result or time.time() > deadline:
            return result
        time.sleep(interval)


def is_standin(host, name):
    """Whether container name runs a test stand-in (an image labelled as a test double)."""
    image = json.loads(host.check_output("docker inspect %s", name))[0]["Image"]
    labels = json.loads(host.check_output("docker image inspect %s", image))[0]["Config"]["Labels"] or {}
    return labels.get("io.proxy-agent.observability.test-double") == "true"


def require_real(host, name):
    """Skip the test unless container name runs the real upstream image."""
    if is_standin(host, name):
        pytest.skip("%s runs on a test stand-in here; this check needs the real upstream image" % name)


def pytest_configure(config):
    config.addinivalue_line("markers", "real_images: needs the real upstream image; skipped on a test stand-in")

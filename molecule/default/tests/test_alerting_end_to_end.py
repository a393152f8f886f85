# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stopping an exporter fires ServiceDown, which reaches the critical receiver; the inhibit rule mutes its twin.

Scenario variables shorten ServiceDown's `for` to 10s and add a warning-severity twin of ServiceDown; the
receivers are webhooks into a sink on the test host that records every notification.
"""
from __future__ import annotations

import json
import time

SINK_LOG = "/var/log/webhook-sink.jsonl"


def _notifications(host):
    if not host.file(SINK_LOG).exists:
        return []
    return [json.loads(line) for line in host.file(SINK_LOG).content_string.splitlines() if line.strip()]


def _firing(notifications, path, alertname, severity):
    return [a for n in notifications if n["path"] == path for a in n["body"].get("alerts", [])
            if a["status"] == "firing" and a["labels"].get("alertname") == alertname
            and a["labels"].get("severity") == severity]


def test_stopped_exporter_fires_service_down_to_critical_and_inhibits_the_warning(host):
    host.run("truncate -s 0 %s", SINK_LOG)
    assert host.run("docker stop proxy-node-exporter").rc == 0
    try:
        deadline = time.time() + 240
        critical = []
        while time.time() < deadline and not critical:
            time.sleep(5)
            critical = _firing(_notifications(host), "/critical", "ServiceDown", "critical")
        assert critical, "no ServiceDown reached the critical receiver: %s (webhook sink %s; Alertmanager: %s)" % (
            _notifications(host), host.run("systemctl is-active webhook-sink").stdout.strip(),
            host.run("python3 -c %s", "import urllib.request; print(urllib.request.urlopen("
                     "'http://127.0.0.1:9093/api/v2/alerts?filter=alertname%3D%22ServiceDown%22').read().decode())"
                     ).stdout.strip())
        assert critical[0]["labels"]["job"] == "node"
        assert critical[0]["labels"]["cluster"] == "proxy-agent-platform"

        # The warning twin fires in Prometheus (its `for` is longer) but Alertmanager holds it back, inhibited by
        # the critical alert.
        warning, alerts = [], []
        while time.time() < deadline and not warning:
            time.sleep(5)
            alerts = json.loads(host.check_output(
                "python3 -c %s", "import urllib.request; print(urllib.request.urlopen("
                "'http://127.0.0.1:9093/api/v2/alerts?inhibited=true&filter=alertname%3D%22ServiceDown%22')"
                ".read().decode())"))
            warning = [a for a in alerts if a["labels"].get("severity") == "warning"]
        assert warning, "the warning twin never reached Alertmanager: %s" % alerts
        assert warning[0]["status"]["state"] == "suppressed"
        assert warning[0]["status"]["inhibitedBy"], warning[0]["status"]
        time.sleep(15)  # longer than group_wait: a leak to the warning receiver would have arrived by now
        assert not _firing(_notifications(host), "/warning", "ServiceDown", "warning")
    finally:
        host.run("docker start proxy-node-exporter")

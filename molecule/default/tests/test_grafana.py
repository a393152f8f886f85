# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Grafana on the converged test host.

Here Grafana runs on a test stand-in (tests/images/grafana-standin): it reads the provisioning like Grafana
(refusing a broken datasource file, skipping a broken dashboard), keeps its database on the data volume and
answers the API, but renders and queries nothing. The tests marked `real_images` need the real image and skip
themselves on a stand-in (the README lists them as not run here).
"""
from __future__ import annotations

import base64
import json

import pytest

CONFIG_ROOT = "/etc/proxy-observability"
ADMIN = ("admin", "molecule-admin-password")  # the scenario's fixture (.config/molecule/config.yml)
SHIPPED = {"proxy-application-overview", "proxy-node", "proxy-containers", "proxy-logs", "proxy-red"}


def _inspect(host, name):
    return json.loads(host.check_output("docker inspect %s", name))[0]


def _get(host, path, auth=ADMIN):
    """(status, parsed body) of GET http://127.0.0.1:3001<path> on the test host."""
    script = ("import sys, json, urllib.request, urllib.error\n"
              "r = urllib.request.Request(sys.argv[1])\n"
              "if sys.argv[2]: r.add_header('Authorization', 'Basic ' + sys.argv[2])\n"
              "try:\n    resp = urllib.request.urlopen(r); print(resp.status); print(resp.read().decode())\n"
              "except urllib.error.HTTPError as e:\n    print(e.code); print(e.read().decode())\n")
    token = base64.b64encode(("%s:%s" % auth).encode()).decode() if auth else ""
    out = host.check_output("python3 -c %s %s %s", script, "http://127.0.0.1:3001" + path, token)
    status, dummy, body = out.partition("\n")
    try:
        return int(status), json.loads(body)
    except ValueError:
        return int(status), body


def _is_standin(host):
    labels = _inspect(host, _inspect(host, "proxy-grafana")["Image"])["Config"]["Labels"] or {}
    return labels.get("io.proxy-agent.observability.test-double") == "true"


def test_health_answers_without_login(host):
    status, body = _get(host, "/api/health", auth=None)
    assert status == 200 and body["database"] == "ok"


def test_admin_password_comes_from_a_file_never_the_environment(host):
    env = _inspect(host, "proxy-grafana")["Config"]["Env"]
    assert "GF_SECURITY_ADMIN_PASSWORD__FILE=/etc/grafana/secrets/admin_password" in env
    assert not [e for e in env if e.startswith("GF_SECURITY_ADMIN_PASSWORD=")]
    assert ADMIN[1] not in json.dumps(env)
    # Readable by Grafana's own user (472) only, never by a group.
    secret = host.file(CONFIG_ROOT + "/grafana/secrets/admin_password")
    assert (secret.uid, secret.gid, secret.mode) == (472, 0, 0o400)
    key = host.file(CONFIG_ROOT + "/grafana/secrets/secret_key")
    assert (key.uid, key.gid, key.mode) == (472, 0, 0o400) and len(key.content_string.strip()) >= 32


def test_login_with_the_admin_password_and_not_without(host):
    assert _get(host, "/api/user")[0] == 200
    assert _get(host, "/api/user", auth=("admin", "admin"))[0] == 401
    assert _get(host, "/api/user", auth=None)[0] == 401


def test_sign_up_and_anonymous_access_are_off(host):
    ini = host.file(CONFIG_ROOT + "/grafana/grafana.ini").content_string
    assert "[users]\nallow_sign_up = false" in ini
    assert "[auth.anonymous]\nenabled = false" in ini


def test_data_volume_belongs_to_uid_472_and_holds_the_database(host):
    mountpoint = json.loads(host.check_output("docker volume inspect proxy_grafana_data"))[0]["Mountpoint"]
    assert host.file(mountpoint).uid == 472
    assert host.file(mountpoint + "/grafana.db").uid == 472


def test_datasources_are_the_deployed_components_with_stable_uids(host):
    status, datasources = _get(host, "/api/datasources")
    assert status == 200
    by_uid = {d["uid"]: d for d in datasources}
    # Jaeger is deployed (a stand-in here), so it has a datasource and the trace links point to it.
    assert set(by_uid) == {"prometheus", "loki", "alertmanager", "jaeger"}
    assert by_uid["jaeger"]["url"] == "http://proxy-jaeger:16686"
    assert by_uid["prometheus"]["url"] == "http://proxy-prometheus:9090"
    assert by_uid["loki"]["url"] == "http://proxy-loki:3100"
    assert by_uid["alertmanager"]["url"] == "http://proxy-alertmanager:9093"
    assert [d["uid"] for d in datasources if d["isDefault"]] == ["prometheus"]


def test_the_shipped_dashboards_are_provisioned_in_their_folder(host):
    status, found = _get(host, "/api/search?type=dash-db")
    assert status == 200
    assert {d["uid"] for d in found} >= SHIPPED
    assert {d.get("folderTitle") for d in found if d["uid"] in SHIPPED} == {"Proxy Agent Platform"}
    status, overview = _get(host, "/api/dashboards/uid/proxy-application-overview")
    assert status == 200
    panels = overview["dashboard"]["panels"]
    assert {p["type"] for p in panels} <= {"timeseries", "stat", "row"}
    assert all("gridPos" in p for p in panels)
    assert all(p["datasource"]["uid"] == "prometheus" for p in panels if "datasource" in p)


# Real-image checks: written to run where the upstream image exists; each skips itself on a stand-in.

@pytest.mark.real_images
def test_every_datasource_health_check_passes(host):
    if _is_standin(host):
        pytest.skip("Grafana runs on a test stand-in here; datasource health checks need the real image")
    for datasource in _get(host, "/api/datasources")[1]:
        status, body = _get(host, "/api/datasources/uid/%s/health" % datasource["uid"])
        assert status == 200 and body.get("status") == "OK", (datasource["uid"], body)


@pytest.mark.real_images
def test_every_provisioned_dashboard_loads_without_panel_errors(host):
    if _is_standin(host):
        pytest.skip("Grafana runs on a test stand-in here; running panel queries needs the real image")
    for found in _get(host, "/api/search?type=dash-db")[1]:
        status, dashboard = _get(host, "/api/dashboards/uid/%s" % found["uid"])
        assert status == 200, found
        for panel in dashboard["dashboard"].get("panels", []):
            for target in panel.get("targets", []):
                query = {"queries": [dict(target, datasource=target.get("datasource", panel.get("datasource")),
                                          refId=target.get("refId", "A"))], "from": "now-5m", "to": "now"}
                code = host.run("python3 -c %s %s", (
                    "import sys, json, base64, urllib.request\n"
                    "r = urllib.request.Request('http://127.0.0.1:3001/api/ds/query', data=sys.argv[1].encode(),"
                    " headers={'Content-Type': 'application/json', 'Authorization': 'Basic ' + base64.b64encode("
                    "b'%s:%s').decode()})\n"
                    "body = json.load(urllib.request.urlopen(r))\n"
                    "sys.exit(1 if any(res.get('error') for res in body['results'].values()) else 0)\n" % ADMIN),
                    json.dumps(query))
                assert code.rc == 0, (found["uid"], panel.get("title"), code.stdout, code.stderr)

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import OperationalError

from proxy_backend import __version__, db


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_the_index_names_the_service_its_version_and_its_routes(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "proxy-agent-backend" and body["version"] == __version__
    assert {"GET /health", "GET /metrics", "POST /tasks", "GET /tasks/{task_id}", "GET /fail"} <= set(body["routes"])


def test_health_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_503_when_redis_is_down(client, fake_server, logs):
    fake_server.connected = False
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok" and body["checks"]["redis"].startswith("error:")
    assert logs.events("health_check_failed")[0]["level"] == "warning"


def test_health_503_when_the_database_is_down(client, monkeypatch):
    def refuse():
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(client.app.state.engine, "connect", refuse)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_tasks_create_read_complete(client, registry, logs):
    response = client.post("/tasks", json={"task_type": "email", "priority": 5})
    assert response.status_code == 201
    task = response.json()
    assert task["task_type"] == "email" and task["priority"] == 5 and task["status"] == "pending"
    (created,) = logs.events("task_created")
    assert (created["task_id"], created["task_type"], created["priority"]) == (task["task_id"], "email", 5)

    assert client.get(f"/tasks/{task['task_id']}").json() == task
    assert registry.get_sample_value("tasks_completed_total", {"task_type": "email", "status": "failure"}) is None

    done = client.post(f"/tasks/{task['task_id']}/complete", params={"status": "failure"})
    assert done.status_code == 200 and done.json()["status"] == "failure" and done.json()["completed_at"]
    assert registry.get_sample_value("tasks_completed_total", {"task_type": "email", "status": "failure"}) == 1
    assert client.post(f"/tasks/{task['task_id']}/complete").status_code == 409
    assert registry.get_sample_value("tasks_completed_total", {"task_type": "email", "status": "failure"}) == 1

    other = client.post("/tasks", json={"task_type": "email"}).json()
    assert other["priority"] == 0
    client.post(f"/tasks/{other['task_id']}/complete")
    assert registry.get_sample_value("tasks_completed_total", {"task_type": "email", "status": "success"}) == 1


@pytest.mark.parametrize("path", ["/tasks/424242", "/tasks/424242/complete"])
def test_missing_task_is_404(client, path):
    response = client.post(path) if path.endswith("complete") else client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("payload", [{}, {"task_type": ""}, {"task_type": "x", "priority": 10}, {"task_type": "x" * 65}])
def test_task_input_is_validated(client, payload):
    assert client.post("/tasks", json=payload).status_code == 422


def test_complete_status_is_success_or_failure(client):
    task_id = client.post("/tasks", json={"task_type": "x"}).json()["task_id"]
    assert client.post(f"/tasks/{task_id}/complete", params={"status": "done"}).status_code == 422


@pytest.mark.parametrize("status", [500, 502, 503, 599])
def test_fail_answers_the_requested_5xx(client, logs, status):
    response = client.get("/fail", params={"status": status})
    assert response.status_code == status
    (line,) = logs.events("failure_requested")
    assert line["level"] == "error" and line["status"] == status


def test_fail_defaults_to_500(client):
    assert client.get("/fail").status_code == 500


@pytest.mark.parametrize("status", [200, 404, 499, 600, "abc"])
def test_fail_refuses_other_statuses(client, status):
    assert client.get("/fail", params={"status": status}).status_code == 422


def test_slow_sleeps_and_is_observed_in_the_histogram(client, registry):
    start = time.monotonic()
    response = client.get("/slow", params={"seconds": 0.3})
    assert response.status_code == 200 and response.json() == {"slept_s": 0.3}
    assert time.monotonic() - start >= 0.3
    labels = {"method": "GET", "endpoint": "/slow"}
    assert registry.get_sample_value("http_request_duration_seconds_bucket", {**labels, "le": "0.25"}) == 0
    assert registry.get_sample_value("http_request_duration_seconds_bucket", {**labels, "le": "0.5"}) == 1


@pytest.mark.parametrize("seconds", [-1, 2.01, 1000])
def test_slow_is_bounded(client, seconds):
    assert client.get("/slow", params={"seconds": seconds}).status_code == 422


def test_db_hold_opens_connections_in_the_background_and_releases_them(client):
    response = client.post("/db/hold", params={"connections": 3, "seconds": 20})
    assert response.status_code == 202
    wait_for(lambda: client.get("/db/hold").json()["held"] == 3)
    assert client.post("/db/hold", params={"connections": 3, "seconds": 20}).status_code == 409
    assert client.delete("/db/hold").json()["held"] == 0
    assert client.get("/db/hold").json() == {"held": 0, "reserved": 0, "maximum": 5}


def test_db_hold_ends_by_itself(client):
    assert client.post("/db/hold", params={"connections": 2, "seconds": 0.2}).status_code == 202
    wait_for(lambda: client.get("/db/hold").json()["reserved"] == 0)


@pytest.mark.parametrize("params", [{"connections": 0}, {"connections": 6}, {"seconds": 0}, {"seconds": 31}])
def test_db_hold_is_bounded(client, params):
    assert client.post("/db/hold", params=params).status_code == 422


def test_memory_hold_allocates_in_the_background_and_releases(client):
    response = client.post("/memory/hold", params={"mb": 8, "seconds": 20})
    assert response.status_code == 202
    wait_for(lambda: client.get("/memory").json()["held"] == 8)
    assert client.post("/memory/hold", params={"mb": 9, "seconds": 20}).status_code == 409
    assert client.post("/memory/hold", params={"mb": 8, "seconds": 20}).status_code == 202
    wait_for(lambda: client.get("/memory").json()["held"] == 16)
    assert client.delete("/memory").json() == {"held": 0, "reserved": 0, "maximum": 16}


@pytest.mark.parametrize("params", [{"mb": 0}, {"mb": 17}, {"mb": 1, "seconds": 31}])
def test_memory_hold_is_bounded(client, params):
    assert client.post("/memory/hold", params=params).status_code == 422


def test_schema_creation_retries_until_the_database_answers(monkeypatch, logs):
    attempts = []

    def create_all(engine):
        attempts.append(engine)
        if len(attempts) < 3:
            raise OperationalError("CREATE TABLE", {}, ConnectionRefusedError("not up yet"))

    monkeypatch.setattr(db.Base.metadata, "create_all", create_all)
    sleeps: list[float] = []
    db.create_schema("engine", retries=5, interval=0.5, sleep=sleeps.append)
    assert len(attempts) == 3 and sleeps == [0.5, 0.5]
    assert [line["attempt"] for line in logs.events("database_unavailable")] == [1, 2]
    assert logs.events("database_ready")[0]["attempt"] == 3


def test_schema_creation_gives_up_after_the_retries(monkeypatch, logs):
    def create_all(engine):
        raise OperationalError("CREATE TABLE", {}, ConnectionRefusedError("down"))

    monkeypatch.setattr(db.Base.metadata, "create_all", create_all)
    with pytest.raises(OperationalError):
        db.create_schema("engine", retries=3, interval=0.1, sleep=lambda seconds: None)
    assert [line["level"] for line in logs.events("database_unavailable")] == ["warning", "warning", "error"]

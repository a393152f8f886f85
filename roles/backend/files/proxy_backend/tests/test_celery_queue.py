# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import base64
import json

from prometheus_client.parser import text_string_to_metric_families

from proxy_backend.metrics import PRIORITY_SEPARATOR, Metrics


def queue_lengths(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        sample.labels["queue"]: sample.value
        for family in text_string_to_metric_families(response.text) if family.name == "celery_queue_length"
        for sample in family.samples
    }


def test_queue_length_follows_pushes_and_purges(client, redis_client):
    assert queue_lengths(client) == {"celery": 0}
    response = client.post("/queue/celery/push", params={"count": 3})
    assert response.status_code == 200
    assert response.json() == {"queue": "celery", "pushed": 3, "length": 3}
    assert redis_client.llen("celery") == 3
    assert queue_lengths(client) == {"celery": 3}
    client.post("/queue/celery/push", params={"count": 250})
    assert queue_lengths(client) == {"celery": 253}
    assert client.delete("/queue/celery").json() == {"queue": "celery", "deleted": 253}
    assert queue_lengths(client) == {"celery": 0}


def test_messages_pushed_by_others_and_priority_lists_count(client, redis_client):
    redis_client.lpush("celery", b"{}", b"{}")
    redis_client.lpush(f"celery{PRIORITY_SEPARATOR}3", b"{}")
    redis_client.lpush("other", b"{}")  # not a configured queue
    assert queue_lengths(client) == {"celery": 3}
    assert client.get("/queue/celery").json() == {"queue": "celery", "length": 3}


def test_every_configured_queue_is_reported(make_client, redis_client):
    client = make_client(celery_queues=("celery", "emails"))
    client.post("/queue/emails/push", params={"count": 2})
    assert queue_lengths(client) == {"celery": 0, "emails": 2}


def test_redis_failure_yields_no_sample_and_metrics_still_answer(client, fake_server, logs):
    client.post("/queue/celery/push", params={"count": 1})
    client.get("/health")
    fake_server.connected = False
    response = client.get("/metrics")
    assert response.status_code == 200
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert "celery_queue_length" not in names
    assert "http_requests" in names
    (warning,) = logs.events("celery_queue_length_unavailable")
    assert warning["level"] == "warning" and warning["queues"] == ["celery"]
    fake_server.connected = True
    assert queue_lengths(client) == {"celery": 1}


def test_registering_the_collector_does_not_touch_redis():
    class Unreachable:
        def pipeline(self, *args, **kwargs):
            raise AssertionError("Redis was queried at registration")

    Metrics().register_celery_queues(Unreachable(), ["celery"])


def test_pushed_messages_are_celery_protocol_2(client, redis_client):
    client.post("/queue/work.high/push", params={"count": 1})
    (raw,) = redis_client.lrange("work.high", 0, -1)
    message = json.loads(raw)
    assert message["content-type"] == "application/json"
    assert message["properties"]["body_encoding"] == "base64"
    assert message["properties"]["delivery_info"] == {"exchange": "", "routing_key": "work.high"}
    headers = message["headers"]
    assert headers["lang"] == "py" and headers["task"] == "proxy_agent.tasks.sample"
    assert headers["id"] == headers["root_id"] == message["properties"]["correlation_id"]
    args, kwargs, embed = json.loads(base64.b64decode(message["body"]))
    assert args == [] and kwargs == {} and set(embed) == {"callbacks", "errbacks", "chain", "chord"}


def test_push_is_lpush_so_workers_take_the_oldest_first(client, redis_client):
    client.post("/queue/celery/push", params={"count": 1})
    (first,) = redis_client.lrange("celery", 0, -1)
    client.post("/queue/celery/push", params={"count": 1})
    assert redis_client.lindex("celery", 0) != first
    assert redis_client.rpop("celery") == first  # Celery's Redis transport consumes with BRPOP


def test_queue_parameters_are_bounded(client):
    assert client.post("/queue/celery/push", params={"count": 0}).status_code == 422
    assert client.post("/queue/celery/push", params={"count": 501}).status_code == 422
    assert client.post("/queue/bad name/push").status_code == 422
    assert client.post("/queue/" + "q" * 129 + "/push").status_code == 422


def test_queue_endpoints_answer_503_when_redis_is_down(client, fake_server):
    fake_server.connected = False
    assert client.post("/queue/celery/push").status_code == 503
    assert client.delete("/queue/celery").status_code == 503

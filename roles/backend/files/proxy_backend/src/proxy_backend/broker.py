# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Celery-shaped messages on the Redis broker, as Celery's Redis transport (kombu) stores them.

A queue is a Redis list named after it; the producer LPUSHes the JSON envelope and workers BRPOP from the other
end. The envelope is task message protocol 2: headers carry the task's name and ID, the base64 body the JSON
[args, kwargs, embed] triple. A Celery worker consuming the queue would accept these messages (and reject them
as unregistered tasks unless it knows the task name), which is all the sample needs: a backlog to measure.
"""
from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from typing import Any

from proxy_backend.metrics import queue_keys

DEFAULT_TASK_NAME = "proxy_agent.tasks.sample"
_CHUNK = 1000


def celery_message(queue: str, task_name: str = DEFAULT_TASK_NAME, args: list[Any] | None = None,
                   kwargs: dict[str, Any] | None = None) -> str:
    """One message of Celery's task protocol 2, in the JSON envelope of kombu's Redis transport."""
    task_id = str(uuid.uuid4())
    args = [] if args is None else args
    kwargs = {} if kwargs is None else kwargs
    embed = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
    body = base64.b64encode(json.dumps([args, kwargs, embed]).encode("utf-8")).decode("ascii")
    envelope = {
        "body": body,
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {
            "lang": "py",
            "task": task_name,
            "id": task_id,
            "shadow": None,
            "eta": None,
            "expires": None,
            "group": None,
            "group_index": None,
            "retries": 0,
            "timelimit": [None, None],
            "root_id": task_id,
            "parent_id": None,
            "argsrepr": repr(tuple(args)),
            "kwargsrepr": repr(kwargs),
            "origin": f"{os.getpid()}@{socket.gethostname()}",
            "ignore_result": False,
        },
        "properties": {
            "correlation_id": task_id,
            "reply_to": str(uuid.uuid4()),
            "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        },
    }
    return json.dumps(envelope)


def push_messages(redis_client: Any, queue: str, count: int, task_name: str = DEFAULT_TASK_NAME) -> int:
    """LPUSH `count` messages onto the queue's list (priority 0); returns the list's new length."""
    length = 0
    remaining = count
    while remaining > 0:
        batch = min(remaining, _CHUNK)
        length = redis_client.lpush(queue, *[celery_message(queue, task_name) for index in range(batch)])
        remaining -= batch
    return int(length) if count else int(redis_client.llen(queue))


def queue_length(redis_client: Any, queue: str) -> int:
    """Messages waiting in the queue, all priority lists together (as celery_queue_length counts them)."""
    pipe = redis_client.pipeline(transaction=False)
    for key in queue_keys(queue):
        pipe.llen(key)
    return int(sum(pipe.execute()))


def purge_queue(redis_client: Any, queue: str) -> int:
    """Delete the queue's lists; returns how many messages they held."""
    keys = queue_keys(queue)
    pipe = redis_client.pipeline(transaction=True)
    for key in keys:
        pipe.llen(key)
    pipe.delete(*keys)
    results = pipe.execute()
    return int(sum(results[:len(keys)]))

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The backend's Prometheus metrics, in a registry of their own (monitoring-observability-guide.md, "Backend
Metrics Instrumentation"), plus `celery_queue_length{queue}` read from the Redis broker at scrape time.

Consumed by roles/prometheus/templates/rules/proxy-agent.rules.yml.j2: HighErrorRate (http_requests_total with a
5xx `status`), HighResponseTime (http_request_duration_seconds_bucket) and CeleryQueueBacklog (celery_queue_length).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from redis.exceptions import RedisError

logger = structlog.get_logger(__name__)

# 5 ms .. 10 s; the HighResponseTime threshold (p95 > 1 s by default) falls on a bucket boundary.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)

# kombu's Redis transport (kombu/transport/redis.py): a message of priority P > 0 goes to the list
# "<queue>\x06\x16<P>" instead of "<queue>"; Celery's default priority steps are 0, 3, 6, 9.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


def queue_keys(queue: str) -> list[str]:
    """The Redis lists that hold the messages of a Celery queue, one per priority step."""
    return [queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS]


class CeleryQueueCollector:
    """`celery_queue_length{queue}`: the LLEN of each configured queue (all its priority lists), read per scrape.

    When Redis does not answer, the scrape carries no celery_queue_length sample (rather than a stale or made-up
    value) and a warning is logged; the rest of /metrics is unaffected.
    """

    name = "celery_queue_length"
    documentation = "Messages waiting in the Celery queue (LLEN of its Redis lists)"

    def __init__(self, redis_client: Any, queues: Sequence[str]) -> None:
        self.redis = redis_client
        self.queues = tuple(queues)

    def describe(self) -> Iterable[Metric]:
        # Registering must not touch Redis (without describe(), an auto-describing registry calls collect()).
        return [GaugeMetricFamily(self.name, self.documentation, labels=["queue"])]

    def collect(self) -> Iterable[Metric]:
        try:
            pipe = self.redis.pipeline(transaction=False)
            for queue in self.queues:
                for key in queue_keys(queue):
                    pipe.llen(key)
            lengths = pipe.execute()
        except (RedisError, OSError) as exc:
            logger.warning("celery_queue_length_unavailable", queues=list(self.queues), error=str(exc))
            return
        family = GaugeMetricFamily(self.name, self.documentation, labels=["queue"])
        per_queue = len(PRIORITY_STEPS)
        for index, queue in enumerate(self.queues):
            family.add_metric([queue], float(sum(lengths[index * per_queue:(index + 1) * per_queue])))
        yield family


class Metrics:
    """The backend's metrics, registered in `registry` (a new CollectorRegistry when none is given)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.requests_total = Counter(
            "http_requests_total", "Total HTTP requests",
            ["method", "endpoint", "status"], registry=self.registry,
        )
        self.request_duration = Histogram(
            "http_request_duration_seconds", "HTTP request duration in seconds",
            ["method", "endpoint"], buckets=DURATION_BUCKETS, registry=self.registry,
        )
        self.requests_active = Gauge(
            "http_requests_active", "HTTP requests being handled", registry=self.registry,
        )
        self.tasks_completed = Counter(
            "tasks_completed_total", "Total completed tasks",
            ["task_type", "status"], registry=self.registry,
        )

    def register_celery_queues(self, redis_client: Any, queues: Sequence[str]) -> CeleryQueueCollector:
        """Add the celery_queue_length collector for `queues` of the broker behind `redis_client`."""
        collector = CeleryQueueCollector(redis_client, queues)
        self.registry.register(collector)
        return collector

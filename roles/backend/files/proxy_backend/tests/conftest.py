# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: the app on SQLite (one shared in-memory database) and fakeredis, with its own metric registry and,
where asked for, an in-memory span exporter; JSON log lines captured from stdout. No network, no real database."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import fakeredis
import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from proxy_backend.app import create_app
from proxy_backend.logging_config import configure_logging
from proxy_backend.settings import Settings

SQLITE_URL = "sqlite+pysqlite://"


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": SQLITE_URL,
        "redis_url": "redis://redis.invalid:6379/0",
        "otlp_traces_endpoint": "",
        "db_connect_retries": 2,
        "db_connect_retry_interval": 0.01,
        "slow_max_seconds": 2.0,
        "queue_push_max": 500,
        "db_hold_max_connections": 5,
        "hold_max_seconds": 30.0,
        "memory_hold_max_mb": 16,
    }
    values.update(overrides)
    return Settings(**values)


def sqlite_engine() -> Engine:
    return create_engine(SQLITE_URL, poolclass=StaticPool, connect_args={"check_same_thread": False})


class LogLines:
    """The JSON lines written to stdout so far (read through capsys)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.lines: list[dict[str, Any]] = []

    def read(self) -> list[dict[str, Any]]:
        out = self.capsys.readouterr().out
        for line in out.splitlines():
            if line.strip():
                self.lines.append(json.loads(line))
        return self.lines

    def events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.read() if line.get("event") == event]


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> LogLines:
    configure_logging()  # after capsys swapped sys.stdout, so that the handler writes where capsys reads
    return LogLines(capsys)


@pytest.fixture
def fake_server() -> fakeredis.FakeServer:
    return fakeredis.FakeServer()


@pytest.fixture
def redis_client(fake_server: fakeredis.FakeServer) -> fakeredis.FakeRedis:
    return fakeredis.FakeRedis(server=fake_server)


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def span_exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def make_client(logs: LogLines, redis_client: fakeredis.FakeRedis,
                registry: CollectorRegistry) -> Iterator[Callable[..., TestClient]]:
    """Start the app (lifespan included) with settings overrides; `raise_server_exceptions=False` by default so a
    handler's exception gives the client the 500 a real client gets."""
    stack: list[TestClient] = []

    def start(span_exporter: InMemorySpanExporter | None = None, raise_server_exceptions: bool = False,
              own_registry: CollectorRegistry | None = None, **overrides: Any) -> TestClient:
        app = create_app(make_settings(**overrides), engine=sqlite_engine(), redis_client=redis_client,
                         registry=registry if own_registry is None else own_registry, span_exporter=span_exporter)
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()  # pylint: disable=unnecessary-dunder-call
        stack.append(client)
        return client

    yield start
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import structlog

from proxy_backend.middleware.request_id import RequestIDMiddleware, valid_request_id


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def test_given_request_id_is_returned_and_logged(client, logs):
    response = client.get("/health", headers={"X-Request-ID": "abc-123_DEF.4"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "abc-123_DEF.4"
    (line,) = logs.events("request_completed")
    assert line["request_id"] == "abc-123_DEF.4"


def test_request_id_is_generated_when_missing(client, logs):
    first = client.get("/health").headers["X-Request-ID"]
    second = client.get("/health").headers["X-Request-ID"]
    assert is_uuid4(first) and is_uuid4(second) and first != second
    assert [line["request_id"] for line in logs.events("request_completed")] == [first, second]


@pytest.mark.parametrize("bad", ["", " ", "has space", "x" * 129, "tab\there", "caf\u00e9"])
def test_unusable_request_id_is_replaced(client, bad):
    response = client.get("/health", headers={"X-Request-ID": bad.encode("utf-8")})
    assert response.headers["X-Request-ID"] != bad
    assert is_uuid4(response.headers["X-Request-ID"])


def test_request_id_validation_bounds():
    assert valid_request_id("x" * 128)
    assert not valid_request_id("x" * 129)
    assert not valid_request_id(None)


def test_unhandled_exception_answer_carries_the_request_id(client, logs):
    response = client.get("/fail", params={"raise": "true"}, headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-500"
    assert response.json()["request_id"] == "req-500"
    (line,) = logs.events("request_completed")
    assert line["request_id"] == "req-500"
    assert line["status"] == 500
    assert line["level"] == "error"
    assert "RequestedFailure" in line["exception"]


async def _call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def http_scope(headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/", "headers": headers or [], "query_string": b""}


def test_request_id_is_unbound_after_the_app_raised_and_other_context_kept():
    seen: dict[str, Any] = {}

    async def failing_app(scope, receive, send):
        seen.update(structlog.contextvars.get_contextvars())
        raise RuntimeError("handler failed")

    async def scenario() -> dict[str, Any]:
        # Runs in one task: the middleware binds and resets in this very context.
        structlog.contextvars.bind_contextvars(unrelated="kept", request_id="outer")
        with pytest.raises(RuntimeError):
            await _call(RequestIDMiddleware(failing_app), http_scope([(b"x-request-id", b"inner-id")]))
        return structlog.contextvars.get_contextvars()

    after = asyncio.run(scenario())
    assert seen["request_id"] == "inner-id"
    assert after == {"unrelated": "kept", "request_id": "outer"}


def test_request_id_is_unbound_after_a_normal_request():
    async def app(scope, receive, send):
        assert structlog.contextvars.get_contextvars()["request_id"] == "rid"
        await send({"type": "http.response.start", "status": 204})  # no "headers" key: allowed by ASGI
        await send({"type": "http.response.body", "body": b""})

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        sent = await _call(RequestIDMiddleware(app), http_scope([(b"x-request-id", b"rid")]))
        return sent, structlog.contextvars.get_contextvars()

    sent, after = asyncio.run(scenario())
    assert (b"x-request-id", b"rid") in sent[0]["headers"]
    assert "request_id" not in after


def test_non_http_scopes_pass_through_untouched():
    calls: list[dict[str, Any]] = []

    async def app(scope, receive, send):
        calls.append(dict(scope))
        assert "request_id" not in structlog.contextvars.get_contextvars()

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    asyncio.run(_call(RequestIDMiddleware(app), scope))
    assert calls == [{"type": "lifespan", "asgi": {"version": "3.0"}}]

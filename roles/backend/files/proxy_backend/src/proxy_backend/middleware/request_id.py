# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""X-Request-ID: taken from the request when it is usable, else generated; returned and bound to the log context.

Corrects the seed's version (monitoring-observability-guide.md, "Request ID Tracking"): a pure ASGI middleware
instead of BaseHTTPMiddleware; the client's value is validated (it lands in every log line and response);
only `request_id` is unbound afterwards, with the token of its own bind, also when the application raised
(the seed's clear_contextvars() wiped unrelated context and was skipped on an exception).
"""
from __future__ import annotations

import re
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID_LENGTH = 128
# Visible ASCII only: no spaces, control characters or anything that would need escaping in a header.
_VALID = re.compile(r"^[\x21-\x7e]{1,%d}$" % MAX_REQUEST_ID_LENGTH)


def valid_request_id(value: str | None) -> bool:
    """Whether a client-supplied request ID is kept (1 to 128 visible ASCII characters)."""
    return value is not None and _VALID.match(value) is not None


class RequestIDMiddleware:
    """Sets the request ID of each HTTP request; other scope types (lifespan, websocket) pass through.

    The ID is also stored in the scope's state (`request.state.request_id`), for handlers outside this middleware
    such as the application's 500 handler.
    """

    def __init__(self, app: ASGIApp, header_name: str = REQUEST_ID_HEADER) -> None:
        self.app = app
        self.header_name = header_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(self.header_name)
        request_id = given if valid_request_id(given) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[self.header_name] = request_id
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)

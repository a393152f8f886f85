# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import datetime
import logging
import re

import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from proxy_backend.logging_config import _JSONStdoutHandler, configure_logging


def test_structlog_lines_are_json_with_the_seed_fields(logs):
    structlog.contextvars.bind_contextvars(user_id=7)
    try:
        structlog.get_logger("proxy_backend.test").info("task_created", task_id=1, priority=5)
    finally:
        structlog.contextvars.unbind_contextvars("user_id")
    (line,) = logs.events("task_created")
    assert line["level"] == "info" and line["logger"] == "proxy_backend.test"
    assert line["task_id"] == 1 and line["priority"] == 5 and line["user_id"] == 7
    stamp = datetime.datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))
    assert stamp.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) < 60


def test_stdlib_records_become_json_lines_too(logs):
    logging.getLogger("uvicorn.error").warning("Started server process [%d]", 42, extra={"color_message": "\x1b[36m"})
    logging.getLogger("sqlalchemy.pool").warning("pool %s", "exhausted", extra={"pool_size": 5})
    (line,) = logs.events("Started server process [42]")
    assert line["level"] == "warning" and line["logger"] == "uvicorn.error" and "timestamp" in line
    assert "color_message" not in line
    (extra,) = logs.events("pool exhausted")
    assert extra["pool_size"] == 5


def test_exceptions_are_rendered_into_the_line(logs):
    log = structlog.get_logger("proxy_backend.test")
    try:
        raise KeyError("missing")
    except KeyError:
        log.exception("lookup_failed")
        logging.getLogger("sqlalchemy.pool").error("pool trouble", exc_info=True)
    (structured,) = logs.events("lookup_failed")
    (stdlib,) = logs.events("pool trouble")
    for line in (structured, stdlib):
        assert line["level"] == "error"
        assert "Traceback" in line["exception"] and "KeyError: 'missing'" in line["exception"]


def test_trace_and_span_ids_of_the_current_span_on_every_line(logs):
    tracer = TracerProvider().get_tracer("test")
    log = structlog.get_logger("proxy_backend.test")
    log.info("outside")
    with tracer.start_as_current_span("outer") as outer:
        log.info("inside_outer")
        with tracer.start_as_current_span("inner") as inner:
            log.info("inside_inner")
            logging.getLogger("some.library").info("stdlib_inside")
    ids = {line["event"]: (line.get("trace_id"), line.get("span_id")) for line in logs.read()}
    trace_id = trace.format_trace_id(outer.get_span_context().trace_id)
    assert ids["outside"] == (None, None)
    assert ids["inside_outer"] == (trace_id, trace.format_span_id(outer.get_span_context().span_id))
    assert ids["inside_inner"] == (trace_id, trace.format_span_id(inner.get_span_context().span_id))
    assert ids["stdlib_inside"] == ids["inside_inner"]
    assert re.fullmatch(r"[0-9a-f]{32}", trace_id)
    assert re.fullmatch(r"[0-9a-f]{16}", ids["inside_inner"][1])


def test_configuring_twice_keeps_one_handler(logs):
    configure_logging()
    configure_logging(debug=True)
    ours = [handler for handler in logging.getLogger().handlers if isinstance(handler, _JSONStdoutHandler)]
    assert len(ours) == 1
    structlog.get_logger("proxy_backend.test").info("once")
    assert len(logs.events("once")) == 1


def test_debug_switches_the_level(logs):
    log = structlog.get_logger("proxy_backend.test")
    log.debug("hidden")
    configure_logging(debug=True)
    try:
        log.debug("shown")
    finally:
        configure_logging()
    assert [line["event"] for line in logs.read()] == ["shown"]

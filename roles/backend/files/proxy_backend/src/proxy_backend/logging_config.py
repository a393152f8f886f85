# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""JSON logs on stdout, one object a line, for structlog and the standard library alike.

The seed's processor chain (monitoring-observability-guide.md, "Structured Logging with Structlog"), plus:
- the stdlib integration (structlog's ProcessorFormatter on the root logger), so that what uvicorn, SQLAlchemy or
  the OpenTelemetry exporter log through `logging` comes out as the same JSON lines, with the same context;
- `trace_id` and `span_id` of the current OpenTelemetry span on every line written inside a sampled or unsampled
  but valid span, in the lower-hex form OpenTelemetry and Jaeger show them (32 and 16 digits);
- timestamps in UTC under the key `timestamp`.
"""
from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from opentelemetry import trace


class _JSONStdoutHandler(logging.StreamHandler):
    """The one handler configure_logging installs on the root logger (found again by its class).

    It writes to whatever sys.stdout is when a record is emitted, so that a replaced sys.stdout (pytest's capture,
    for one) gets the lines rather than the stream that was current at configuration time.
    """

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # always sys.stdout


def add_trace_context(_logger: Any, _method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Bind trace_id and span_id of the current valid span (OpenTelemetry's hex format) to the event."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", trace.format_trace_id(context.trace_id))
        event_dict.setdefault("span_id", trace.format_span_id(context.span_id))
    return event_dict


def drop_color_message(_logger: Any, _method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """uvicorn passes a copy of some messages with ANSI colour codes as the `color_message` extra: not for JSON."""
    event_dict.pop("color_message", None)
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        drop_color_message,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        add_trace_context,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
    ]


def configure_logging(debug: bool = False) -> None:
    """Send structlog and stdlib logging to stdout as JSON lines; level DEBUG when `debug`, else INFO.

    Safe to call again (for example with another level): it replaces its own handler and leaves others alone.
    """
    level = logging.DEBUG if debug else logging.INFO
    shared = _shared_processors()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
        context_class=dict,
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = _JSONStdoutHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _JSONStdoutHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's loggers propagate to the root when uvicorn is started with log_config=None (proxy_backend.main).
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).setLevel(level)
    # SQLAlchemy's engine logger echoes every statement at INFO: only with debug.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO if debug else logging.WARNING)

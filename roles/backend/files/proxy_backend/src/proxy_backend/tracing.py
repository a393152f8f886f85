# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OpenTelemetry tracing of the backend (monitoring-observability-guide.md, "Backend Tracing Instrumentation").

Corrects the seed's version: the Jaeger Thrift exporter is gone from OpenTelemetry Python, and Jaeger ingests
OTLP natively, so spans go out with the OTLP/HTTP exporter (Jaeger's port 4318, path /v1/traces); a
ParentBased(TraceIdRatioBased) sampler follows the caller's sampling decision; the SQLAlchemy instrumentation is
given the engine (the seed's `instrument()` without one only catches engines created afterwards); the instrumentors
get this provider explicitly, and everything is undone by `Tracing.shutdown()`, which also flushes the spans.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import structlog
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from proxy_backend.settings import Settings

logger = structlog.get_logger(__name__)

# The attribute opentelemetry-instrumentation-redis marks an instrumented client with.
_REDIS_INSTRUMENTED_FLAG = "_is_instrumented_by_opentelemetry"


@dataclasses.dataclass
class Tracing:
    """What configure_tracing set up, to be undone by shutdown()."""

    provider: TracerProvider
    app: FastAPI
    sqlalchemy_instrumented: bool = False
    redis_client: Any = None
    redis_instrumented: bool = False

    def shutdown(self) -> None:
        """Export what is still buffered, stop the provider and remove the instrumentation."""
        try:
            self.provider.force_flush()
            self.provider.shutdown()
        finally:
            FastAPIInstrumentor.uninstrument_app(self.app)
            if self.sqlalchemy_instrumented:
                SQLAlchemyInstrumentor().uninstrument()
            if self.redis_instrumented:
                if self.redis_client is not None:
                    RedisInstrumentor.uninstrument_client(self.redis_client)
                    # uninstrument_client() leaves the client's flag set, which would make a later
                    # instrument_client() of the same client a no-op.
                    setattr(self.redis_client, _REDIS_INSTRUMENTED_FLAG, False)
                else:
                    RedisInstrumentor().uninstrument()


def configure_tracing(
    app: FastAPI,
    settings: Settings,
    engine: Any = None,
    *,
    redis_client: Any = None,
    span_exporter: SpanExporter | None = None,
) -> Tracing | None:
    """Trace `app`'s requests, the SQLAlchemy `engine`'s statements and the Redis commands.

    Spans go to the OTLP/HTTP endpoint of `settings` through a BatchSpanProcessor, or, when `span_exporter` is
    given (tests: InMemorySpanExporter), synchronously to that exporter. Returns None without doing anything when
    tracing is disabled (empty endpoint and no exporter given). With `redis_client` only that client is instrumented,
    else every Redis client. Call before the app serves its first request or lifespan event (the instrumentation
    wraps the middleware stack when it is built).
    """
    if span_exporter is None and not settings.tracing_enabled:
        logger.info("tracing_disabled")
        return None
    resource = Resource.create({SERVICE_NAME: settings.service_name})
    provider = TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)))
    if span_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_traces_endpoint)))
    # The global provider can be set once per process; instrumentation below gets this one explicitly anyway.
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)

    # The send/receive spans of each request only add noise in Jaeger.
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, exclude_spans=["receive", "send"])
    tracing = Tracing(provider=provider, app=app)
    if engine is not None:
        sqlalchemy = SQLAlchemyInstrumentor()
        if sqlalchemy.is_instrumented_by_opentelemetry:
            logger.warning("sqlalchemy_already_instrumented")
        else:
            # instrument() only logs an error (and does nothing) for an SQLAlchemy release it does not support.
            sqlalchemy.instrument(engine=engine, tracer_provider=provider)
            tracing.sqlalchemy_instrumented = sqlalchemy.is_instrumented_by_opentelemetry
    if redis_client is not None:
        RedisInstrumentor.instrument_client(redis_client, tracer_provider=provider)
        tracing.redis_client = redis_client
        tracing.redis_instrumented = True
    else:
        redis = RedisInstrumentor()
        if not redis.is_instrumented_by_opentelemetry:
            redis.instrument(tracer_provider=provider)
            tracing.redis_instrumented = redis.is_instrumented_by_opentelemetry
    logger.info(
        "tracing_enabled", service_name=settings.service_name, sample_ratio=settings.trace_sample_ratio,
        endpoint=None if span_exporter is not None else settings.otlp_traces_endpoint,
    )
    return tracing

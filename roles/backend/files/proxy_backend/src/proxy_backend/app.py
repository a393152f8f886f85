# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sample backend: a small task API on PostgreSQL and Redis, instrumented as the observability guide says
(JSON logs with request and trace IDs, Prometheus metrics, OpenTelemetry traces), with endpoints that produce on
demand what each alert rule watches for: 5xx answers, slow answers, a Celery backlog, database backends, memory.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime
import inspect
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio.to_thread
import redis
import structlog
from fastapi import FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.middleware import Middleware

from proxy_backend import __version__
from proxy_backend.broker import purge_queue, push_messages, queue_length
from proxy_backend.db import Task, create_db_engine, create_schema, create_unpooled_engine
from proxy_backend.load import CapacityError, ConnectionHolder, MemoryHolder
from proxy_backend.metrics import Metrics
from proxy_backend.middleware import REQUEST_ID_HEADER, MetricsMiddleware, RequestIDMiddleware
from proxy_backend.settings import QUEUE_NAME_PATTERN, Settings
from proxy_backend.tracing import configure_tracing

logger = structlog.get_logger("proxy_backend")

# FastAPI's own OpenTelemetry support (newer releases) stays off: tracing is FastAPIInstrumentor's job here
# (configure_tracing), and FastAPI must never add spans or metrics of its own through a global provider.
_NO_NATIVE_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {}
)
QueueName = Annotated[str, Path(pattern=QUEUE_NAME_PATTERN, description="Celery queue name (the Redis list's name)")]


class TaskIn(BaseModel):
    task_type: str = Field(min_length=1, max_length=64)
    priority: int = Field(default=0, ge=0, le=9)


class RequestedFailure(RuntimeError):
    """Raised by GET /fail?raise=true: an unhandled exception on demand."""


async def _unhandled_exception(request: Request, exc: Exception) -> Response:
    """The 500 answer to an unhandled exception. Starlette runs this outside the user middleware, so the request
    ID comes from the request's state (RequestIDMiddleware put it there); the exception is logged by
    MetricsMiddleware's request_completed line and re-raised to the server after this answer."""
    request_id = getattr(request.state, "request_id", None)
    headers = {REQUEST_ID_HEADER: request_id} if request_id else None
    return JSONResponse({"detail": "Internal Server Error", "request_id": request_id}, status_code=500, headers=headers)


def create_app(  # pylint: disable=too-many-locals,too-many-statements
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    redis_client: Any = None,
    registry: CollectorRegistry | None = None,
    span_exporter: Any = None,
) -> FastAPI:
    """Build the application. Without arguments everything comes from the environment (Settings.from_env());
    tests pass their own engine (SQLite), Redis client (fakeredis), registry and span exporter."""
    settings = settings if settings is not None else Settings.from_env()
    owned: list[Any] = []
    if engine is None:
        engine = create_db_engine(settings)
        owned.append(engine)
    unpooled_engine = create_unpooled_engine(settings)
    owned.append(unpooled_engine)
    if redis_client is None:
        redis_client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=settings.redis_timeout, socket_connect_timeout=settings.redis_timeout,
        )
        owned.append(redis_client)
    metrics = Metrics(registry)
    metrics.register_celery_queues(redis_client, settings.celery_queues)
    connections = ConnectionHolder(unpooled_engine.connect, settings.db_hold_max_connections)
    memory = MemoryHolder(settings.memory_hold_max_mb)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(
            create_schema, engine, settings.db_connect_retries, settings.db_connect_retry_interval,
        )
        logger.info("backend_started", version=__version__, celery_queues=list(settings.celery_queues),
                    tracing=app.state.tracing is not None)
        try:
            yield
        finally:
            connections.release_all(wait=10)
            memory.release_all(wait=10)
            if app.state.tracing is not None:
                app.state.tracing.shutdown()
            for resource in owned:
                if isinstance(resource, Engine):
                    resource.dispose()
                else:
                    resource.close()
            logger.info("backend_stopped")

    app = FastAPI(
        title="Proxy Agent sample backend",
        version=__version__,
        lifespan=lifespan,
        # The first is the outermost: the request ID is bound before MetricsMiddleware logs request_completed.
        middleware=[Middleware(RequestIDMiddleware), Middleware(MetricsMiddleware, metrics=metrics)],
        exception_handlers={Exception: _unhandled_exception},
        **_NO_NATIVE_TELEMETRY,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.engine = engine
    app.state.redis = redis_client
    app.state.connections = connections
    app.state.memory = memory

    @app.get("/")
    def index() -> dict[str, Any]:
        """What runs here: the service, its version and its routes (the URL the deploy summary prints)."""
        routes = sorted({(route.path, method) for route in app.routes for method in getattr(route, "methods", ())
                         if method != "HEAD"})
        return {"service": settings.service_name, "version": __version__,
                "routes": ["%s %s" % (method, path) for path, method in routes]}

    @app.get("/health")
    def health() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {exc.__class__.__name__}: {exc}"
        try:
            redis_client.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}: {exc}"
        failed = [name for name, result in checks.items() if result != "ok"]
        if failed:
            logger.warning("health_check_failed", failed=failed, checks=checks)
            return JSONResponse({"status": "unavailable", "failed": failed, "checks": checks}, status_code=503)
        return JSONResponse({"status": "ok", "checks": checks})

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/tasks", status_code=201)
    def create_task(task_in: TaskIn) -> dict[str, Any]:
        with Session(engine) as session:
            task = Task(task_type=task_in.task_type, priority=task_in.priority)
            session.add(task)
            session.commit()
            logger.info("task_created", task_id=task.id, task_type=task.task_type, priority=task.priority)
            return task.as_dict()

    @app.get("/tasks/{task_id}")
    def read_task(task_id: int) -> dict[str, Any]:
        with Session(engine) as session:
            task = session.get(Task, task_id)
            if task is None:
                raise HTTPException(404, f"task {task_id} not found")
            return task.as_dict()

    @app.post("/tasks/{task_id}/complete")
    def complete_task(task_id: int, status: Literal["success", "failure"] = "success") -> dict[str, Any]:
        with Session(engine) as session:
            task = session.get(Task, task_id)
            if task is None:
                raise HTTPException(404, f"task {task_id} not found")
            if task.status != "pending":
                raise HTTPException(409, f"task {task_id} is already completed ({task.status})")
            task.status = status
            task.completed_at = datetime.datetime.now(datetime.timezone.utc)
            session.commit()
            metrics.tasks_completed.labels(task_type=task.task_type, status=status).inc()
            logger.info("task_completed", task_id=task.id, task_type=task.task_type, status=status)
            return task.as_dict()

    @app.get("/fail")
    def fail(
        status: int = Query(500, ge=500, le=599, description="5xx status to answer with"),
        raise_exception: bool = Query(False, alias="raise", description="raise an unhandled exception instead (500)"),
    ) -> JSONResponse:
        if raise_exception:
            logger.error("failure_requested", status=500, unhandled=True)
            raise RequestedFailure("failure requested with GET /fail?raise=true")
        logger.error("failure_requested", status=status)
        return JSONResponse({"detail": "failure requested", "status": status}, status_code=status)

    @app.get("/slow")
    async def slow(seconds: float = Query(1.0, ge=0, le=settings.slow_max_seconds)) -> dict[str, Any]:
        await asyncio.sleep(seconds)
        return {"slept_s": seconds}

    @app.get("/queue/{queue}")
    def get_queue(queue: QueueName) -> dict[str, Any]:
        return {"queue": queue, "length": _redis_call(queue_length, redis_client, queue)}

    @app.post("/queue/{queue}/push")
    def push_queue(queue: QueueName, count: int = Query(1, ge=1, le=settings.queue_push_max)) -> dict[str, Any]:
        _redis_call(push_messages, redis_client, queue, count)
        length = _redis_call(queue_length, redis_client, queue)
        logger.info("queue_pushed", queue=queue, count=count, length=length)
        return {"queue": queue, "pushed": count, "length": length}

    @app.delete("/queue/{queue}")
    def delete_queue(queue: QueueName) -> dict[str, Any]:
        deleted = _redis_call(purge_queue, redis_client, queue)
        logger.info("queue_purged", queue=queue, deleted=deleted)
        return {"queue": queue, "deleted": deleted}

    @app.post("/db/hold", status_code=202)
    def db_hold(
        connections_wanted: int = Query(1, alias="connections", ge=1, le=settings.db_hold_max_connections),
        seconds: float = Query(60.0, gt=0, le=settings.hold_max_seconds),
    ) -> dict[str, Any]:
        try:
            connections.start(connections_wanted, seconds)
        except CapacityError as exc:
            raise HTTPException(409, str(exc)) from None
        logger.info("db_hold_requested", connections=connections_wanted, seconds=seconds)
        return {"connections": connections_wanted, "seconds": seconds, **connections.status()}

    @app.get("/db/hold")
    def db_hold_status() -> dict[str, int]:
        return connections.status()

    @app.delete("/db/hold")
    def db_release() -> dict[str, int]:
        connections.release_all(wait=10)
        return connections.status()

    @app.post("/memory/hold", status_code=202)
    def memory_hold(
        mb: int = Query(64, ge=1, le=settings.memory_hold_max_mb),
        seconds: float = Query(60.0, gt=0, le=settings.hold_max_seconds),
    ) -> dict[str, Any]:
        try:
            memory.start(mb, seconds)
        except CapacityError as exc:
            raise HTTPException(409, str(exc)) from None
        logger.info("memory_hold_requested", mb=mb, seconds=seconds)
        return {"mb": mb, "seconds": seconds, **memory.status()}

    @app.get("/memory")
    def memory_status() -> dict[str, int]:
        return memory.status()

    @app.delete("/memory")
    def memory_release() -> dict[str, int]:
        memory.release_all(wait=10)
        return memory.status()

    app.state.tracing = configure_tracing(app, settings, engine, redis_client=redis_client, span_exporter=span_exporter)
    return app


def _redis_call(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except (redis.RedisError, OSError) as exc:
        logger.warning("redis_unavailable", error=str(exc))
        raise HTTPException(503, f"Redis is unavailable: {exc}") from None

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings of the sample backend, read from environment variables (README.md lists them)."""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping

PREFIX = "PROXY_BACKEND_"
# Celery's Redis transport names a queue's list after the queue; keep names to what is safe in a URL path too.
QUEUE_NAME_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
_QUEUE_NAME = re.compile(QUEUE_NAME_PATTERN)
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")
# Settings that may also be read from a file named by <PREFIX><NAME>_FILE (README.md).
SECRET_FIELDS = ("database_url", "redis_url")


class SettingsError(ValueError):
    """An environment variable holds a value the backend cannot use."""


@dataclasses.dataclass(frozen=True)
class Settings:  # pylint: disable=too-many-instance-attributes
    """Everything the backend can be configured with; `Settings.from_env()` reads the environment."""

    host: str = "0.0.0.0"
    port: int = 8000
    debug: bool = False
    database_url: str = "postgresql+psycopg://proxy_agent:proxy_agent@postgres:5432/proxy_agent"
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_pool_timeout: float = 30.0
    db_connect_retries: int = 30
    db_connect_retry_interval: float = 2.0
    redis_url: str = "redis://redis:6379/0"
    redis_timeout: float = 2.0
    celery_queues: tuple[str, ...] = ("celery",)
    service_name: str = "proxy-agent-backend"
    otlp_traces_endpoint: str = "http://jaeger:4318/v1/traces"
    trace_sample_ratio: float = 1.0
    slow_max_seconds: float = 30.0
    queue_push_max: int = 10000
    db_hold_max_connections: int = 100
    hold_max_seconds: float = 600.0
    memory_hold_max_mb: int = 2048

    def __post_init__(self) -> None:
        if not 0.0 <= self.trace_sample_ratio <= 1.0:
            raise SettingsError(f"the trace sample ratio must lie in [0, 1], got {self.trace_sample_ratio}")
        if not 0 < self.port < 65536:
            raise SettingsError(f"the port must lie in 1..65535, got {self.port}")
        if not self.celery_queues:
            raise SettingsError("at least one Celery queue name is needed")
        for queue in self.celery_queues:
            if not _QUEUE_NAME.match(queue):
                raise SettingsError(f"invalid Celery queue name {queue!r} (allowed: {QUEUE_NAME_PATTERN})")
        for name in ("db_pool_size", "db_connect_retries", "queue_push_max", "db_hold_max_connections", "memory_hold_max_mb"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("db_max_overflow",):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in ("db_pool_timeout", "db_connect_retry_interval", "redis_timeout", "slow_max_seconds", "hold_max_seconds"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name} must be positive, got {getattr(self, name)}")

    @property
    def tracing_enabled(self) -> bool:
        """Tracing is off when the OTLP endpoint is empty."""
        return bool(self.otlp_traces_endpoint)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (default: os.environ); variables that are not set keep the defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            name = PREFIX + field.name.upper()
            if name in env:
                values[field.name] = _convert(name, env[name], field.default)
        # A secret can come from a file instead (<NAME>_FILE), so that it is not in the container's environment.
        for field_name in SECRET_FIELDS:
            name = PREFIX + field_name.upper()
            if env.get(name + "_FILE", "").strip():
                if name in env:
                    raise SettingsError(f"both {name} and {name}_FILE are set; set one of them")
                values[field_name] = _read_secret(name + "_FILE", env[name + "_FILE"].strip())
        # The standard OpenTelemetry variables where one exists.
        if "OTEL_SERVICE_NAME" in env and env["OTEL_SERVICE_NAME"].strip():
            values["service_name"] = env["OTEL_SERVICE_NAME"].strip()
        if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
            values["otlp_traces_endpoint"] = ""
        elif "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" in env:
            values["otlp_traces_endpoint"] = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].strip()
        elif env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
            # The base endpoint: the exporter appends the signal's path (OTLP/HTTP specification).
            values["otlp_traces_endpoint"] = env["OTEL_EXPORTER_OTLP_ENDPOINT"].strip().rstrip("/") + "/v1/traces"
        if "OTEL_TRACES_SAMPLER_ARG" in env:
            values["trace_sample_ratio"] = _convert("OTEL_TRACES_SAMPLER_ARG", env["OTEL_TRACES_SAMPLER_ARG"], 1.0)
        return cls(**values)  # type: ignore[arg-type]


def _read_secret(name: str, path: str) -> str:
    """The content of a secret file without the whitespace around it; errors name the file, never its content."""
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{name}={path!r} cannot be read: {exc.__class__.__name__}") from None
    if not value:
        raise SettingsError(f"{name}={path!r} is empty")
    return value


def _convert(name: str, raw: str, default: object) -> object:
    value = raw.strip()
    try:
        if isinstance(default, bool):
            if value.lower() in _TRUE:
                return True
            if value.lower() in _FALSE:
                return False
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, tuple):
            return tuple(item.strip() for item in value.split(",") if item.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a valid {type(default).__name__}") from None
    return value

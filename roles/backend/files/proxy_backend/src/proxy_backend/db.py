# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The database side: the `tasks` table, the engine and the start-up wait for PostgreSQL."""
from __future__ import annotations

import datetime
import time
from typing import Any

import structlog
from sqlalchemy import DateTime, Integer, String, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, InterfaceError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

from proxy_backend.settings import Settings

logger = structlog.get_logger(__name__)

TASK_STATUSES = ("pending", "success", "failure")


class Base(DeclarativeBase):
    pass


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_type: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    completed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.id,
            "task_type": self.task_type,
            "priority": self.priority,
            "status": self.status,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }


def create_db_engine(settings: Settings) -> Engine:
    """The application's pooled engine (pool size, overflow and timeout from the settings)."""
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
    )


def create_unpooled_engine(settings: Settings) -> Engine:
    """An engine without a pool: each connect() is a new server connection (a new PostgreSQL backend)."""
    return create_engine(settings.database_url, poolclass=NullPool)


def create_schema(engine: Engine, retries: int, interval: float, sleep: Any = time.sleep) -> None:
    """Create the tables that are missing, retrying while the database does not accept connections yet.

    Gives up (re-raising the last error) after `retries` attempts, `interval` seconds apart.
    """
    for attempt in range(1, retries + 1):
        try:
            Base.metadata.create_all(engine)
        except (OperationalError, InterfaceError) as exc:
            if attempt == retries:
                logger.error("database_unavailable", attempt=attempt, retries=retries, error=str(exc.orig or exc))
                raise
            logger.warning("database_unavailable", attempt=attempt, retries=retries, retry_in_s=interval, error=str(exc.orig or exc))
            sleep(interval)
        else:
            logger.info("database_ready", attempt=attempt)
            return

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load the backend can put on its surroundings on demand, to drive the alert rules in a test deployment:
database connections held open (DatabaseConnectionPoolExhausted counts PostgreSQL's backends) and memory held
(HighMemoryUsage compares the container's working set with its limit).

Each hold runs in a background thread for a bounded time, can be released early, and all holds together stay
under a configured total. The thread runs in a copy of the request's context, so its log lines carry the
request's request_id and trace_id.
"""
from __future__ import annotations

import contextvars
import mmap
import threading
from collections.abc import Callable
from typing import Any

import structlog

logger = structlog.get_logger(__name__)

MIB = 1024 * 1024


class CapacityError(Exception):
    """The hold asked for would take the total over its bound."""


class _Holder:
    name = "hold"
    unit = ""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self._lock = threading.Lock()
        self._reserved = 0
        self._held = 0
        self._stops: set[threading.Event] = set()
        self._threads: set[threading.Thread] = set()

    def status(self) -> dict[str, int]:
        with self._lock:
            return {"held": self._held, "reserved": self._reserved, "maximum": self.maximum}

    def start(self, amount: int, seconds: float) -> None:
        """Reserve `amount` and hold it for `seconds` in a background thread; CapacityError when over the bound."""
        with self._lock:
            if self._reserved + amount > self.maximum:
                raise CapacityError(
                    f"holding {amount} {self.unit} more would exceed the maximum of {self.maximum} "
                    f"({self._reserved} already held or being acquired)"
                )
            self._reserved += amount
            stop = threading.Event()
            self._stops.add(stop)
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(self._run, amount, seconds, stop), daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def release_all(self, wait: float | None = None) -> None:
        """Ask every hold to end now; with `wait`, wait up to that many seconds for each to finish."""
        with self._lock:
            stops = list(self._stops)
            threads = list(self._threads)
        for stop in stops:
            stop.set()
        if wait is not None:
            for thread in threads:
                thread.join(wait)

    def _run(self, amount: int, seconds: float, stop: threading.Event) -> None:
        acquired = 0
        resources: list[Any] = []
        try:
            acquired = self._acquire(amount, resources, stop)
            with self._lock:
                self._held += acquired
            logger.info(f"{self.name}_held", amount=acquired, unit=self.unit, seconds=seconds)
            stop.wait(seconds)
        finally:
            self._free(resources)
            with self._lock:
                self._held -= acquired
                self._reserved -= amount
                self._stops.discard(stop)
                self._threads.discard(threading.current_thread())
            logger.info(f"{self.name}_released", amount=acquired, unit=self.unit)

    def _acquire(self, amount: int, resources: list[Any], stop: threading.Event) -> int:
        raise NotImplementedError

    def _free(self, resources: list[Any]) -> None:
        raise NotImplementedError


class ConnectionHolder(_Holder):
    """Opens connections with `connect` (a new server connection each: use an engine without a pool) and keeps
    them open, each having run SELECT 1, so that the server counts them as backends."""

    name = "db_connections"
    unit = "connections"

    def __init__(self, connect: Callable[[], Any], maximum: int) -> None:
        super().__init__(maximum)
        self.connect = connect

    def _acquire(self, amount: int, resources: list[Any], stop: threading.Event) -> int:
        for index in range(amount):
            if stop.is_set():
                break
            try:
                connection = self.connect()
                connection.exec_driver_sql("SELECT 1")
            except Exception as exc:
                logger.warning("db_hold_connect_failed", opened=index, wanted=amount, error=str(exc))
                break
            resources.append(connection)
        return len(resources)

    def _free(self, resources: list[Any]) -> None:
        for connection in resources:
            try:
                connection.close()
            except Exception as exc:
                logger.warning("db_hold_close_failed", error=str(exc))
        resources.clear()


class MemoryHolder(_Holder):
    """Allocates anonymous memory in MiB and writes to every page of it, so that it counts in the process' (and
    its container's) resident set and working set, not merely as reserved address space."""

    name = "memory"
    unit = "MiB"

    def _acquire(self, amount: int, resources: list[Any], stop: threading.Event) -> int:
        try:
            block = mmap.mmap(-1, amount * MIB)
        except (OSError, ValueError, MemoryError) as exc:
            logger.warning("memory_hold_allocation_failed", wanted_mib=amount, error=str(exc))
            return 0
        resources.append(block)
        page = mmap.PAGESIZE
        touched = 0
        for offset in range(0, amount * MIB, MIB):
            if stop.is_set():
                break
            # One byte per page is enough to make the kernel back the page with real memory.
            block[offset:offset + MIB:page] = b"\x01" * (MIB // page)
            touched += 1
        return touched

    def _free(self, resources: list[Any]) -> None:
        for block in resources:
            block.close()
        resources.clear()

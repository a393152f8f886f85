# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure ASGI middleware of the sample backend (no BaseHTTPMiddleware: no extra task, context flows through)."""
from __future__ import annotations

from proxy_backend.middleware.metrics import MetricsMiddleware, route_template
from proxy_backend.middleware.request_id import REQUEST_ID_HEADER, RequestIDMiddleware

__all__ = ["REQUEST_ID_HEADER", "MetricsMiddleware", "RequestIDMiddleware", "route_template"]

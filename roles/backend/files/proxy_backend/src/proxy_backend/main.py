# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The `proxy-backend` command: JSON logging, then uvicorn serving the app on PROXY_BACKEND_HOST:PROXY_BACKEND_PORT."""
from __future__ import annotations

import sys

import structlog
import uvicorn

from proxy_backend.app import create_app
from proxy_backend.logging_config import configure_logging
from proxy_backend.settings import Settings, SettingsError


def main() -> None:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        configure_logging()
        structlog.get_logger("proxy_backend").error("invalid_settings", error=str(exc))
        sys.exit(2)
    configure_logging(debug=settings.debug)
    app = create_app(settings)
    # log_config=None: uvicorn leaves logging alone, so its own lines reach the JSON handler on the root logger;
    # no access log: MetricsMiddleware writes one request_completed line per request, with more in it.
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False, server_header=False)


if __name__ == "__main__":
    main()

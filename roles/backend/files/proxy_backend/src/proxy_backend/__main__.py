# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`python -m proxy_backend`: the same as the `proxy-backend` command."""
from __future__ import annotations

from proxy_backend.main import main

main()

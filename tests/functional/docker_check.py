# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whether the tests that run checkers in Docker can run here."""
from __future__ import annotations

import shutil
import subprocess


def docker_unavailable():
    """Why Docker cannot be used here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker client on PATH"
    proc = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                          timeout=60, check=False)
    if proc.returncode != 0:
        return "no Docker engine answers: %s" % (proc.stderr.strip() or proc.stdout.strip())
    return None

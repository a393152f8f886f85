# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Markers of the scenario's testinfra tests."""
from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line("markers", "real_images: needs the real upstream image; skipped on a test stand-in")

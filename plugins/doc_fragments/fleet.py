# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """The input of the filters that read the fleet (plugin_utils/_fleet.py, _endpoints.py)."""

    DOCUMENTATION = r"""
options:
  _input:
    description:
      - The fleet (C(_observability_fleet)), built once per run by the
        P(proxy_agent.observability.observability_fleet#filter) filter.
    type: dict
    required: true
"""

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """Options of the filters that find components in the inventory's hostvars (plugin_utils/_hosts.py)."""

    DOCUMENTATION = r"""
options:
  hosts:
    description: The inventory hosts to look through, for example C(groups['all']).
    type: list
    elements: str
    required: true
  prefix:
    description: The stack's container name prefix (C(observability_prefix)).
    type: str
    default: proxy
  monitoring_group:
    description: Inventory group of the central services.
    type: str
    default: monitoring
  agents_group:
    description: Inventory group of the per-host collectors.
    type: str
    default: agents
"""

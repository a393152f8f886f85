# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """The stack's basic auth user, as the filters of web authentication take it (plugin_utils/_web.py)."""

    DOCUMENTATION = r"""
options:
  username:
    description: The stack's user (C(observability_web_auth_username)).
    type: str
    default: observability
  password:
    description: Its password (C(observability_web_auth_password)); empty for no basic auth.
    type: str
    default: ""
"""

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Error helpers shared by the collection's filters (private to the collection)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def bad_input(variable, problem, fix):
    """Build the collection's standard error: which variable, what is wrong, how to fix it.

    Every filter raises errors of this one shape so that users can grep for the variable name and always
    find the fix in the same place of the message.
    """
    return AnsibleFilterError("%s: %s. Fix: %s" % (variable, problem, fix))

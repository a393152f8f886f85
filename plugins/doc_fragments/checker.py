# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """Options of the modules that run an upstream checker in the image to deploy (module_utils/checker.py)."""

    DOCUMENTATION = r"""
options:
  mount:
    description: Where the configuration directory appears in the checker container (and the service's).
    type: str
    default: /config
  user:
    description: User (and group) the checker runs as, the image's own, for example C(65534:65534). Defaults to the
      image's user.
    type: str
  timeout:
    description: Seconds each checker may run.
    type: int
    default: 120
  docker_cli:
    description: Path or name of the docker command line client.
    type: path
    default: docker
"""

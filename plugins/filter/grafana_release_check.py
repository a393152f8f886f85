# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: grafana_release_check
short_description: Refuse Grafana settings and upgrades that the Grafana release to run does not take
version_added: 0.8.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Checks the Grafana image to deploy against the role's settings and against the Grafana that runs on the host now,
    for the upgrade notes of Grafana 10 to 13 that would leave Grafana down or lose data, and raises an error naming
    the variable and the fix. Returns the release the image's tag names (C(13.2.0)), or an empty string when the tag
    names none (a digest, C(main)); such an image is not checked, since its release is unknown.
  - "B(Legacy alerting.) Grafana 11 removed it: with C([alerting] enabled = true) it does not start
    (grafana/grafana#83651). So C(GF_ALERTING_ENABLED) set to true in O(env) is refused for Grafana 11 and later."
  - "B(Upgrading a Grafana that still uses legacy alerting.) Grafana 11 and later cannot move legacy alerts to
    Grafana Alerting any more; Grafana 10.4 is the last release that does (grafana/grafana#81268), at its start when
    legacy alerting is no longer turned on. So when the container that runs now (O(running)) is a Grafana before 11
    with C(GF_ALERTING_ENABLED=true) in its environment, an image of 11 or later is refused, with the two steps to
    take instead."
  - "B(Angular plugins.) Grafana 11 turned Angular support off by default (C(GF_SECURITY_ANGULAR_SUPPORT_ENABLED))
    and 12 removed it, so the seed's C(grafana-piechart-panel) in O(plugins) is refused for 12 and later, and for 11
    unless O(env) turns Angular support on. Its panels need no plugin: Grafana moves them to the core C(piechart)
    panel when a dashboard loads (public/app/features/dashboard/state/getPanelPluginToMigrateTo.ts)."
  - "B(Where the plugins are listed.) The role lists O(plugins) in C(grafana.ini)'s C([plugins] preinstall), which
    Grafana reads from 11.5.0 on; an older Grafana would start without them. So O(plugins) is refused for releases
    before 11.5, with the image's own way for those releases as the fix: C(GF_INSTALL_PLUGINS) in O(env), read by the
    start script of the Grafana images before 12 (packaging/docker/run.sh)."
positional: _input
options:
  _input:
    description: The image reference to deploy (C(grafana_image)).
    type: str
    required: true
  plugins:
    description: The plugins to install (C(grafana_plugins)), each C(<id>) or C(<id>@<version>[@<url>]).
    type: list
    elements: str
    default: []
  env:
    description: The extra environment of the container (C(grafana_extra_env)).
    type: dict
    default: {}
  running:
    description: The Grafana container that runs now, as C(community.docker.docker_container_info) returns it
      (C(Config.Image) and C(Config.Env) are read), or none when there is none.
    type: dict
"""

EXAMPLES = r"""
- name: Check the Grafana release before changing anything
  ansible.builtin.set_fact:
    grafana_release: >-
      {{ grafana_image | proxy_agent.observability.grafana_release_check(plugins=grafana_plugins,
           env=grafana_extra_env, running=grafana_container.container | default(none)) }}
"""

RETURN = r"""
_value:
  description: The release the image's tag names (C(major.minor.patch)), or an empty string.
  type: str
"""

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._images import image_version

# Angular plugins the seed or its era used, with the core panel that replaces each.
ANGULAR_PLUGINS = {"grafana-piechart-panel": "piechart"}
LEGACY_ALERTING = "GF_ALERTING_ENABLED"
ANGULAR_SUPPORT = "GF_SECURITY_ANGULAR_SUPPORT_ENABLED"
# The first release that reads [plugins] preinstall (docs: administration/plugin-management, "Install a plugin using
# Grafana configuration": requires Grafana 11.5.0 or later).
PREINSTALL_SINCE = (11, 5, 0)


def _true(value):
    """Grafana reads these settings as Go booleans (strconv.ParseBool)."""
    return str(value).strip().lower() in ("1", "t", "true")


def _release(version):
    return ".".join(str(part) for part in version)


def _running_env(running):
    env = {}
    for entry in ((running or {}).get("Config") or {}).get("Env") or []:
        name, sep, value = str(entry).partition("=")
        if sep:
            env[name] = value
    return env


def grafana_release_check(image, plugins=None, env=None, running=None):
    """Return the release of the image to deploy once every check passed."""
    plugins = list(plugins or [])
    env = dict(env or {}) if isinstance(env, Mapping) else {}
    version = image_version(image)
    if version is None:
        return ""
    release = _release(version)
    if version >= (11,) and _true(env.get(LEGACY_ALERTING, "")):
        raise bad_input("grafana_extra_env.%s" % LEGACY_ALERTING,
                        "turns on legacy alerting, which Grafana 11 removed: Grafana %s does not start with it"
                        % release,
                        "remove it; Grafana Alerting is on by default (a Grafana that runs with legacy alerting "
                        "now is upgraded through 10.4 first, see the README's Grafana upgrade notes)")
    if plugins and version < PREINSTALL_SINCE:
        raise bad_input("grafana_plugins",
                        "the role lists plugins in grafana.ini's [plugins] preinstall, which Grafana reads from %s "
                        "on: Grafana %s would start without them" % (_release(PREINSTALL_SINCE), release),
                        "leave grafana_plugins empty and set GF_INSTALL_PLUGINS in grafana_extra_env to the plugin "
                        "IDs, comma-separated (the image's start script installs them), or pin Grafana %s or later"
                        % _release(PREINSTALL_SINCE))
    angular_off = version >= (12,) or not _true(env.get(ANGULAR_SUPPORT, ""))
    for index, plugin in enumerate(plugins):
        plugin_id = str(plugin).split("@", 1)[0].strip()
        if version >= (11,) and angular_off and plugin_id in ANGULAR_PLUGINS:
            raise bad_input("grafana_plugins[%d]" % index,
                            "%s is an Angular plugin; Grafana 11 turned Angular off and 12 removed it, so Grafana "
                            "%s cannot load it" % (plugin_id, release),
                            "drop it: Grafana shows its panels with the core '%s' panel"
                            % ANGULAR_PLUGINS[plugin_id])
    running_image = ((running or {}).get("Config") or {}).get("Image") or ""
    running_version = image_version(running_image)
    if (version >= (11,) and running_version is not None and running_version < (11,)
            and _true(_running_env(running).get(LEGACY_ALERTING, ""))):
        raise bad_input("grafana_image",
                        "%s would replace Grafana %s, which runs with legacy alerting (%s=true); Grafana 11 and "
                        "later can no longer move legacy alerts to Grafana Alerting, so they would be lost"
                        % (image, _release(running_version), LEGACY_ALERTING),
                        "converge once with grafana_image set to a Grafana 10.4 release (grafana/grafana:10.4.x) "
                        "and without %s in grafana_extra_env (Grafana 10.4 moves the alerts at its start), then "
                        "with the release you want" % LEGACY_ALERTING)
    return release


class FilterModule(object):
    """Checks of a Grafana release."""

    def filters(self):
        return {"grafana_release_check": grafana_release_check}

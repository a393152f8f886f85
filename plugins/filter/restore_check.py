# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: restore_check
short_description: Check a host's backup against its archives and the containers that run, before any restore
version_added: 0.8.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Reads the manifest that the C(backup) role wrote for one host and returns its archives, in the manifest's order,
    once every check passed; raises an error naming the variable and the fix otherwise, so that nothing is restored
    from a damaged or unsuitable backup.
  - Every archive of the manifest must be there with the sha256 the manifest lists (O(checksums), computed on the
    controller).
  - Each archive's component must run on the host now (as the stack names it now, whatever the prefix was), from an
    image whose tag
    names a release no older than the one that made the archive (data written by a newer release may not be
    readable by an older one). Both tags must name a release (C(v3.5.0), C(3.5.0)); a digest or a branch tag is
    refused.
options:
  _input:
    description: The parsed manifest (C(<restore_dir>/<host>/manifest.json)).
    type: dict
    required: true
  host:
    description: The host being restored (C(inventory_hostname)); the manifest must be this host's.
    type: str
    required: true
  running:
    description: The image each component of the host runs now, component to image (an empty string or no entry when
      its container does not exist).
    type: dict
    required: true
  checksums:
    description: The sha256 of each archive file as found on the controller, file name to checksum (no entry when
      the file is missing).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the backup before restoring it
  ansible.builtin.set_fact:
    restore_archives: >-
      {{ manifest | proxy_agent.observability.restore_check(host=inventory_hostname, running=running_images,
                                                            checksums=archive_checksums) }}
"""

RETURN = r"""
_value:
  description: The manifest's archives (C(component), C(volume), C(container), C(image), C(version), C(file),
    C(size), C(sha256)).
  type: list
  elements: dict
"""

import re

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._images import image_version

VARIABLE = "restore_dir"
FORMAT = 1
KEYS = ("component", "volume", "container", "image", "version", "file", "size", "sha256")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.tar\.gz$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _release(version):
    return ".".join(str(part) for part in version)


def restore_check(manifest, host, running, checksums):
    """Return the manifest's archives when they are intact and the running versions can read them."""
    archives_in = manifest.get("archives") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(archives_in, list):
        raise bad_input(VARIABLE, "the manifest for %s is not a backup manifest of format %d" % (host, FORMAT),
                        "point restore_dir at a directory written by proxy_agent.observability.backup")
    if manifest.get("host") != host:
        raise bad_input(VARIABLE, "the manifest in %s's directory was written for host %r" % (host, manifest.get("host")),
                        "restore each host from its own directory (<restore_dir>/<inventory_hostname>)")
    archives, seen = [], set()
    for entry in archives_in:
        if not isinstance(entry, dict) or any(key not in entry for key in KEYS):
            raise bad_input(VARIABLE, "an entry of %s's manifest lacks some of %s" % (host, ", ".join(KEYS)),
                            "use the manifest as the backup wrote it")
        name, component = entry["file"], entry["component"]
        if not isinstance(name, str) or not _FILE.match(name) or name in seen:
            raise bad_input(VARIABLE, "%s's manifest names the archive %r, which is not a plain file name or is listed "
                            "twice" % (host, name), "use the manifest as the backup wrote it")
        seen.add(name)
        if not isinstance(entry["sha256"], str) or not _SHA256.match(entry["sha256"]):
            raise bad_input(VARIABLE, "%s's manifest lists no valid sha256 for %s" % (host, name),
                            "use the manifest as the backup wrote it")
        found = checksums.get(name)
        if not found:
            raise bad_input(VARIABLE, "the archive %s of %s (%s) is missing" % (name, host, component),
                            "copy the whole backup directory of the host, manifest and archives together")
        if found != entry["sha256"]:
            problem = "the archive %s of %s (%s) has sha256 %s, the manifest lists %s: it is damaged or not the one " \
                "backed up. Nothing was restored" % (name, host, component, found, entry["sha256"])
            raise bad_input(VARIABLE, problem, "restore from an intact copy of the backup")
        image = running.get(component) or ""
        if not image:
            raise bad_input(VARIABLE, "%s does not run on %s, so there is no container to restore its archive into" % (
                component, host),
                "converge the site first (proxy_agent.observability.site), then restore")
        made, now = image_version(entry["image"]), image_version(image)
        if made is None or now is None:
            raise bad_input(VARIABLE, "%s on %s: the release of %s cannot be read from its tag, so the restore cannot "
                            "tell whether it reads data made by %s" % (component, host, image if now is None
                                                                       else entry["image"], entry["image"]),
                            "run an image tagged with its release (observability_images), or restore by hand")
        if made > now:
            raise bad_input(VARIABLE, "the archive of %s on %s was made by %s (%s), newer than the %s that runs (%s); an "
                            "older release may not read its data" % (component, host, _release(made), entry["image"],
                                                                     _release(now), image),
                            "converge with %s %s or later first (observability_images), then restore" % (
                                component, _release(made)))
        archives.append(dict((key, entry[key]) for key in KEYS))
    return archives


class FilterModule(object):
    """Filters for restoring a backup."""

    def filters(self):
        return {"restore_check": restore_check}

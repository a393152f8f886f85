# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image references: parse, check that they are pinned, rewrite for a registry mirror. Private to the collection."""

from __future__ import annotations

import re

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(?::[0-9]+)?$")
_MIRROR = re.compile(r"^[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[a-z0-9._-]+)*$")


def split_ref(ref, variable="observability_images"):
    """Split a reference into (registry or None, path, tag or None, digest or None); raise when malformed."""
    if not isinstance(ref, str) or not ref or ref != ref.strip():
        raise bad_input(variable, "%r is not an image reference" % (ref,),
                        "write it like 'prom/prometheus:v3.14.0'")
    rest, digest = (ref.split("@", 1) + [None])[:2]
    if digest is not None and not _DIGEST.match(digest):
        raise bad_input(variable, "%r has a malformed digest" % ref, "use '@sha256:' followed by 64 hex digits")
    name, tag = rest, None
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = rest.rsplit(":", 1)
        if not _TAG.match(tag):
            raise bad_input(variable, "%r has a malformed tag %r" % (ref, tag), "use a tag like 'v3.14.0'")
    parts = name.split("/")
    registry = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry = parts.pop(0)
        if not _HOST.match(registry):
            raise bad_input(variable, "%r has a malformed registry host %r" % (ref, registry),
                            "write it like 'quay.io/prometheuscommunity/postgres-exporter:v0.20.1'")
    if not parts or not all(_PATH_COMPONENT.match(p) for p in parts):
        raise bad_input(variable, "%r has a malformed repository path" % ref,
                        "use lower-case path components such as 'prom/prometheus'")
    return registry, "/".join(parts), tag, digest


def image_ref(ref, mirror="", variable="observability_images"):
    """Return the pinned image reference, rewritten to pull through mirror when one is set."""
    registry, path, tag, digest = split_ref(ref, variable)
    if digest is None and tag in (None, "latest"):
        raise bad_input(variable, "%r is not pinned: %s" % (ref, "it has no tag" if tag is None else "'latest' moves"),
                        "pin a release tag such as 'v3.14.0' (or a digest) so every host runs the same image")
    if not mirror or registry == "localhost":
        return ref
    if not isinstance(mirror, str) or not _MIRROR.match(mirror):
        raise bad_input("observability_registry_mirror", "%r is not a registry host" % (mirror,),
                        "write host[:port][/path] without a scheme, e.g. 'mirror.example:5000'")
    if registry in (None, "docker.io", "index.docker.io", "registry-1.docker.io") and "/" not in path:
        path = "library/" + path
    result = "%s/%s" % (mirror.rstrip("/"), path)
    if tag is not None:
        result += ":" + tag
    if digest is not None:
        result += "@" + digest
    return result


_TAG_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$")


def image_version(ref):
    """Return the release an image reference's tag names, as (major, minor, patch), or None (no tag, or a tag such as
    'main' or a digest that names no release)."""
    try:
        tag = split_ref(ref)[2]
    except Exception:  # pylint: disable=broad-exception-caught  # a malformed reference names no release either
        return None
    match = _TAG_VERSION.match(tag or "")
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())

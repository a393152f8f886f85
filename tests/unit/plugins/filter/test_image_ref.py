# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.image_ref import image_ref
from ansible_collections.proxy_agent.observability.plugins.filter.missing_images import missing_images

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize("ref, mirror, expected", [
    ("prom/prometheus:v3.14.0", "", "prom/prometheus:v3.14.0"),
    ("prom/prometheus:v3.14.0", "mirror.example:5000", "mirror.example:5000/prom/prometheus:v3.14.0"),
    ("redis:7.4", "mirror.example:5000", "mirror.example:5000/library/redis:7.4"),
    ("docker.io/grafana/loki:3.7.6", "mirror.example", "mirror.example/grafana/loki:3.7.6"),
    ("quay.io/prometheuscommunity/postgres-exporter:v0.20.1", "mirror.example:5000/cache",
     "mirror.example:5000/cache/prometheuscommunity/postgres-exporter:v0.20.1"),
    ("ghcr.io/google/cadvisor@" + DIGEST, "m.example", "m.example/google/cadvisor@" + DIGEST),
    ("localhost/proxy-obs/prometheus:3.5.3", "mirror.example:5000", "localhost/proxy-obs/prometheus:3.5.3"),
    ("registry.example:5000/team/app:1.0", "", "registry.example:5000/team/app:1.0"),
])
def test_pinned_references_pass_and_follow_the_mirror(ref, mirror, expected):
    assert image_ref(ref, mirror=mirror) == expected


@pytest.mark.parametrize("ref, mirror, message", [
    ("prom/prometheus", "", "observability_images: 'prom/prometheus' is not pinned: it has no tag. Fix: pin a "
                            "release tag such as 'v3.14.0' (or a digest) so every host runs the same image"),
    ("prom/prometheus:latest", "", "observability_images: 'prom/prometheus:latest' is not pinned: 'latest' moves. "
                                   "Fix: pin a release tag such as 'v3.14.0' (or a digest) so every host runs the "
                                   "same image"),
    ("Prom/Prometheus:v3", "", "observability_images: 'Prom/Prometheus:v3' has a malformed repository path. "
                               "Fix: use lower-case path components such as 'prom/prometheus'"),
    ("prom/prometheus@sha256:abc", "", "observability_images: 'prom/prometheus@sha256:abc' has a malformed digest. "
                                       "Fix: use '@sha256:' followed by 64 hex digits"),
    ("prom/prometheus:v3 ", "", "observability_images: 'prom/prometheus:v3 ' is not an image reference. "
                                "Fix: write it like 'prom/prometheus:v3.14.0'"),
    ("prom/prometheus:v3", "https://mirror.example", "observability_registry_mirror: 'https://mirror.example' is not "
                                                     "a registry host. Fix: write host[:port][/path] without a "
                                                     "scheme, e.g. 'mirror.example:5000'"),
])
def test_bad_references_are_rejected_naming_the_variable(ref, mirror, message):
    with pytest.raises(AnsibleFilterError) as exc:
        image_ref(ref, mirror=mirror)
    assert str(exc.value) == message


def test_missing_images_matches_tags_and_digests():
    found = [
        {"RepoTags": ["prom/prometheus:v3.14.0"], "RepoDigests": []},
        {"RepoTags": [], "RepoDigests": ["ghcr.io/google/cadvisor@" + DIGEST]},
        {"RepoTags": ["redis:7.4"], "RepoDigests": None},
    ]
    wanted = ["docker.io/prom/prometheus:v3.14.0", "ghcr.io/google/cadvisor:v0.60.5@" + DIGEST,
              "docker.io/library/redis:7.4", "grafana/grafana:13.2.0", "grafana/grafana:13.2.0"]
    assert missing_images(wanted, found) == ["grafana/grafana:13.2.0"]

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time and memory to render and check a large prometheus.yml with our filters (prints figures, asserts nothing).

A synthetic inventory (1 monitoring host and 999 agents, every 10th with postgres- and redis-exporter) plus backend
targets and static extra targets make 5,000 targets in 50 jobs. Target: at most 3 s and 300 MB.

    .venv/bin/python benchmarks/render_config.py [--targets 5000] [--jobs 50] [--promtool] [--image IMAGE]

--promtool also runs `promtool check config` on the result in the Prometheus image (Docker needed).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
LINK = os.path.join(COLLECTIONS, "ansible_collections", "proxy_agent", "observability")
if not os.path.exists(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(ROOT, LINK)
sys.path.insert(0, COLLECTIONS)

import yaml  # noqa: E402 pylint: disable=wrong-import-position

# pylint: disable-next=wrong-import-position
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_config import (  # noqa: E402
    prometheus_config,
)
# pylint: disable-next=wrong-import-position
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_scrape_configs import (  # noqa: E402
    prometheus_scrape_configs,
)

AGENTS = 999
BACKEND_TARGETS = 200


def synthetic_inputs(total_targets, total_jobs):
    """hostvars, hosts, backend targets and extra targets that make total_targets targets in total_jobs jobs."""
    hostvars = {"mon1": {"group_names": ["agents", "monitoring"], "ansible_host": "10.0.0.1"}}
    for index in range(1, AGENTS + 1):
        name = "agent%04d" % index
        hostvars[name] = {"group_names": ["agents"], "ansible_host": "10.%d.%d.%d" % (1 + index // 65536,
                                                                                      index // 256 % 256, index % 256)}
        if index % 10 == 0:
            hostvars[name]["observability_extra_components"] = ["postgres_exporter", "redis_exporter"]
    backend = ["backend%03d.example.com:8000" % index for index in range(BACKEND_TARGETS)]
    hosts = sorted(hostvars)
    generated_jobs = 7  # backend, postgres, redis, node, docker, prometheus, alertmanager
    generated = len(hosts) * 2 + 2 + 2 * (AGENTS // 10) + len(backend)
    extra_jobs = total_jobs - generated_jobs
    extra_targets = {"static%02d" % job: [] for job in range(extra_jobs)}
    for index in range(max(total_targets - generated, 0)):
        target = "svc%05d.example.com:%d" % (index, 9000 + index % 100)
        extra_targets["static%02d" % (index % extra_jobs)].append(target)
    return hostvars, hosts, backend, extra_targets


def render(inputs):
    hostvars, hosts, backend, extra_targets = inputs
    scrape_configs = prometheus_scrape_configs(hostvars, "mon1", hosts, backend_targets=backend,
                                               extra_targets=extra_targets, scrape_interval="15s")
    return prometheus_config(scrape_configs, {}, ["proxy-alertmanager:9093"], ["/etc/prometheus/rules/*.yml"])


def promtool(text, image):
    with tempfile.TemporaryDirectory() as directory:
        os.chmod(directory, 0o755)
        os.mkdir(os.path.join(directory, "rules"), 0o755)
        path = os.path.join(directory, "prometheus.yml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, 0o644)
        start = time.perf_counter()
        proc = subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", "%s:/etc/prometheus:ro" % directory,
                               "--entrypoint", "/bin/promtool", image, "check", "config",
                               "/etc/prometheus/prometheus.yml"], capture_output=True, text=True, check=False)
        return time.perf_counter() - start, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--promtool", action="store_true", help="also run promtool check config in Docker")
    parser.add_argument("--image", default=os.environ.get("PROXY_OBS_PROMETHEUS_IMAGE",
                                                          "localhost/proxy-obs/prometheus:3.5.3"))
    args = parser.parse_args()

    inputs = synthetic_inputs(args.targets, args.jobs)

    start = time.perf_counter()
    config = render(inputs)
    render_seconds = time.perf_counter() - start
    start = time.perf_counter()
    text = yaml.safe_dump(config, sort_keys=False, default_flow_style=False)
    dump_seconds = time.perf_counter() - start

    tracemalloc.start()  # a second, traced run: Python allocations at their peak
    render(inputs)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    jobs = config["scrape_configs"]
    targets = sum(len(static["targets"]) for job in jobs for static in job["static_configs"])
    print("jobs: %d, targets: %d, prometheus.yml: %.1f KiB" % (len(jobs), targets, len(text) / 1024.0))
    print("render (prometheus_scrape_configs + prometheus_config): %.3f s" % render_seconds)
    print("yaml.safe_dump: %.3f s" % dump_seconds)
    print("render + dump: %.3f s (target <= 3 s)" % (render_seconds + dump_seconds))
    print("peak Python allocations during render (tracemalloc): %.1f MiB" % (traced_peak / 1048576.0))
    print("peak RSS of this process (getrusage, includes interpreter and ansible imports): %.1f MiB (target <= 300 MB)"
          % (max_rss_kib / 1024.0))
    if args.promtool:
        seconds, proc = promtool(text, args.image)
        print("promtool check config in %s: %.3f s, exit %d" % (args.image, seconds, proc.returncode))
        print((proc.stdout + proc.stderr).strip())


if __name__ == "__main__":
    main()

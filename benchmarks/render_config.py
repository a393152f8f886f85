# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time and memory to render and check a large Prometheus configuration with rules (prints figures, asserts nothing).

A synthetic inventory (1 monitoring host and 999 agents, every 10th with postgres- and redis-exporter) plus backend
targets and static extra targets make 5,000 targets in 50 jobs. 500 synthetic rules (groups of 10: 4 recording and 6
alerting rules with `for`, labels and annotations; 5 groups a file) are the prometheus_rule_files_extra a user
would pass. Everything is rendered as roles/prometheus/tasks/preflight.yml does it: prometheus.yml and each extra
rule file with to_nice_yaml(indent=2), plus the collection's own rules/proxy-agent.rules.yml.j2 with `[[ ]]` as
variable delimiters and the role's default thresholds. Only the filters and dumps are timed, not Ansible's
templating of the task around them. Target: render and validate in at most 3 s and 300 MB.

    .venv/bin/python benchmarks/render_config.py [--targets 5000] [--jobs 50] [--rules 500] [--promtool] [--image IMAGE]

--promtool also runs `promtool check config` (which the role runs; it loads the rule files too) and
`promtool check rules` on the result in the Prometheus image (Docker needed).
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

import jinja2  # noqa: E402 pylint: disable=wrong-import-position
import yaml  # noqa: E402 pylint: disable=wrong-import-position
from ansible.plugins.filter.core import to_nice_yaml  # noqa: E402 pylint: disable=wrong-import-position

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
RULES_PER_GROUP = 10
GROUPS_PER_FILE = 5
ROLE = os.path.join(ROOT, "roles", "prometheus")
RULES_TEMPLATE = os.path.join(ROLE, "templates", "rules", "proxy-agent.rules.yml.j2")
RUNBOOKS = "https://runbooks.example.com/%s/%s"


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


def _group_rules(job, team):
    """The 10 rules of one group for one job: 4 recording rules, then 6 alerts (some on the recordings)."""
    sel = 'job="%s"' % job
    labels = {"service": job, "team": team}

    def alert(name, expr, duration, severity, summary, description):
        return {"alert": name, "expr": expr, "for": duration, "labels": dict(labels, severity=severity),
                "annotations": {"summary": summary, "description": description,
                                "runbook_url": RUNBOOKS % (team, name.lower())}}

    return [
        {"record": "job:http_requests:rate5m", "expr": "sum by (job) (rate(http_requests_total{%s}[5m]))" % sel,
         "labels": {"service": job}},
        {"record": "job:http_requests_errors:rate5m",
         "expr": 'sum by (job) (rate(http_requests_total{%s,status=~"5.."}[5m]))' % sel, "labels": {"service": job}},
        {"record": "job:http_request_duration_seconds:p95_5m",
         "expr": "histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket{%s}[5m])))"
                 % sel, "labels": {"service": job}},
        {"record": "instance:process_cpu_seconds:rate5m",
         "expr": "sum by (job, instance) (rate(process_cpu_seconds_total{%s}[5m]))" % sel, "labels": {"service": job}},
        alert("HighErrorRate",
              'sum by (job) (rate(http_requests_total{%s,status=~"5.."}[5m]))\n'
              "  / sum by (job) (rate(http_requests_total{%s}[5m]))\n> 0.05\n" % (sel, sel),
              "5m", "critical", "High error rate on {{ $labels.job }}",
              "{{ $value | humanizePercentage }} of {{ $labels.job }} requests failed with a 5xx status over the "
              "last 5 minutes (threshold 5%)."),
        alert("HighLatencyP95", 'job:http_request_duration_seconds:p95_5m{%s,service="%s"} > 0.5' % (sel, job),
              "10m", "warning", "p95 latency of {{ $labels.job }} above 500 ms",
              "95th percentile response time of {{ $labels.job }} is {{ $value | humanizeDuration }}."),
        alert("TargetDown", "up{%s} == 0" % sel, "2m", "critical",
              "{{ $labels.instance }} of {{ $labels.job }} is down",
              "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 2 minutes."),
        alert("HighCpuUsage", 'instance:process_cpu_seconds:rate5m{%s,service="%s"} > 0.8' % (sel, job), "15m",
              "warning", "{{ $labels.instance }} uses much CPU",
              "{{ $labels.instance }} of {{ $labels.job }} uses {{ $value | humanize }} CPU seconds per second."),
        alert("HighMemoryUsage", "max by (job, instance) (process_resident_memory_bytes{%s}) > 2e+09" % sel, "10m",
              "warning", "{{ $labels.instance }} uses much memory",
              "{{ $labels.instance }} of {{ $labels.job }} has {{ $value | humanize1024 }}B resident."),
        alert("SlowScrapes", "avg_over_time(scrape_duration_seconds{%s}[10m]) > 10" % sel, "10m", "info",
              "Scrapes of {{ $labels.instance }} are slow",
              "Scraping {{ $labels.instance }} (job {{ $labels.job }}) took {{ $value | humanizeDuration }} on "
              "average over 10 minutes."),
    ]


def synthetic_rule_files(total_rules, jobs):
    """prometheus_rule_files_extra: file name (without .yml) -> {'groups': [...]} holding total_rules rules."""
    groups = []
    for index in range(-(-total_rules // RULES_PER_GROUP)):
        job = jobs[index % len(jobs)]
        rules = _group_rules(job, "team%02d" % (index % 10))[:total_rules - index * RULES_PER_GROUP]
        groups.append({"name": "%s_%02d" % (job, index), "interval": "30s", "rules": rules})
    return {"services%02d" % (start // GROUPS_PER_FILE): {"groups": groups[start:start + GROUPS_PER_FILE]}
            for start in range(0, len(groups), GROUPS_PER_FILE)}


def rules_template_vars():
    """The template_vars the role passes with its defaults: vars/main.yml's seed values (defaults/main.yml's
    prometheus_alert_for and prometheus_alert_thresholds are empty dicts merged over them)."""
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        seed = yaml.safe_load(handle)
    return {"prometheus_alert_for": seed["_prometheus_alert_for_defaults"],
            "prometheus_alert_thresholds": seed["_prometheus_alert_thresholds_defaults"]}


def render_config(inputs):
    hostvars, hosts, backend, extra_targets = inputs
    scrape_configs = prometheus_scrape_configs(hostvars, "mon1", hosts, backend_targets=backend,
                                               extra_targets=extra_targets, scrape_interval="15s")
    return prometheus_config(scrape_configs, {}, ["proxy-alertmanager:9093"], ["/etc/prometheus/rules/*.yml"])


def render_rules_template(template_vars):
    # As the role's template lookup: variable delimiters `[[ ]]`, Jinja's default block delimiters (the file has no
    # blocks), trailing newline kept.
    with open(RULES_TEMPLATE, encoding="utf-8") as handle:
        source = handle.read()
    environment = jinja2.Environment(variable_start_string="[[", variable_end_string="]]", keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined, autoescape=False)
    return environment.from_string(source).render(template_vars)


def render_all(inputs, rule_files, template_vars):
    """The role's __prometheus_files (path under /etc/prometheus -> text) and the phases' durations in seconds."""
    seconds = {}
    start = time.perf_counter()
    config = render_config(inputs)
    seconds["config"] = time.perf_counter() - start
    start = time.perf_counter()
    files = {"prometheus.yml": to_nice_yaml(config, indent=2, sort_keys=False)}
    seconds["config_dump"] = time.perf_counter() - start
    start = time.perf_counter()
    files["rules/proxy-agent.yml"] = render_rules_template(template_vars)
    seconds["template"] = time.perf_counter() - start
    start = time.perf_counter()
    for name, content in rule_files.items():
        files["rules/%s.yml" % name] = to_nice_yaml(content, indent=2)
    seconds["rules_dump"] = time.perf_counter() - start
    return config, files, seconds


def docker_promtool(directory, image, args):
    start = time.perf_counter()
    proc = subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", "%s:/etc/prometheus:ro" % directory,
                           "--entrypoint", "/bin/promtool", image] + args, capture_output=True, text=True,
                          check=False)
    return time.perf_counter() - start, proc


def promtool(files, image):
    """Durations and results of `promtool --version` (container start-up), `check config` and `check rules`."""
    with tempfile.TemporaryDirectory() as directory:
        os.chmod(directory, 0o755)
        os.mkdir(os.path.join(directory, "rules"), 0o755)
        for name, text in files.items():
            path = os.path.join(directory, name)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(path, 0o644)
        rules = sorted("/etc/prometheus/" + name for name in files if name.startswith("rules/"))
        return {
            "baseline": docker_promtool(directory, image, ["--version"]),
            "config": docker_promtool(directory, image, ["check", "config", "/etc/prometheus/prometheus.yml"]),
            "rules": docker_promtool(directory, image, ["check", "rules"] + rules),
        }


def promtool_output(proc):
    """promtool's output, or on success with nothing but Checking/SUCCESS lines a one-line summary of them."""
    lines = [line.strip() for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    found = [line for line in lines if line.startswith("SUCCESS:") and line.endswith(" rules found")]
    if proc.returncode or not found or any(not line.startswith(("Checking ", "SUCCESS:")) for line in lines):
        return "\n".join("  " + line for line in (proc.stdout + proc.stderr).strip().splitlines())
    return "  only Checking/SUCCESS lines: %d rules found in %d rule files" % (
        sum(int(line.split()[1]) for line in found), len(found))


def count_rules(text):
    rules = [rule for group in yaml.safe_load(text)["groups"] for rule in group["rules"]]
    return sum("alert" in rule for rule in rules), sum("record" in rule for rule in rules)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--rules", type=int, default=500, help="extra rules (in groups of %d)" % RULES_PER_GROUP)
    parser.add_argument("--promtool", action="store_true",
                        help="also run promtool check config and check rules in Docker")
    parser.add_argument("--image", default=os.environ.get("PROXY_OBS_PROMETHEUS_IMAGE",
                                                          "localhost/proxy-obs/prometheus:3.5.3"))
    args = parser.parse_args()

    inputs = synthetic_inputs(args.targets, args.jobs)
    rule_files = synthetic_rule_files(args.rules, sorted(inputs[3]) or ["backend"])
    template_vars = rules_template_vars()

    config, files, seconds = render_all(inputs, rule_files, template_vars)
    render_seconds = sum(seconds.values())

    tracemalloc.start()  # a second, traced run: Python allocations at their peak
    render_all(inputs, rule_files, template_vars)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    jobs = config["scrape_configs"]
    targets = sum(len(static["targets"]) for job in jobs for static in job["static_configs"])
    extra = [name for name in files if name.startswith("rules/") and name != "rules/proxy-agent.yml"]
    extra_alerts, extra_records = (sum(counts) for counts in zip((0, 0), *(count_rules(files[n]) for n in extra)))
    own_alerts, own_records = count_rules(files["rules/proxy-agent.yml"])
    extra_size = sum(len(files[name].encode("utf-8")) for name in extra)
    print("jobs: %d, targets: %d, prometheus.yml: %.1f KiB"
          % (len(jobs), targets, len(files["prometheus.yml"].encode("utf-8")) / 1024.0))
    print("extra rules: %d (%d alerting, %d recording) in %d groups, %d files, %.1f KiB together"
          % (extra_alerts + extra_records, extra_alerts, extra_records,
             sum(len(content["groups"]) for content in rule_files.values()), len(extra), extra_size / 1024.0))
    print("collection rules (proxy-agent.yml): %d alerting, %d recording, %.1f KiB"
          % (own_alerts, own_records, len(files["rules/proxy-agent.yml"].encode("utf-8")) / 1024.0))
    print("render (prometheus_scrape_configs + prometheus_config): %.3f s" % seconds["config"])
    print("to_nice_yaml prometheus.yml: %.3f s" % seconds["config_dump"])
    print("render proxy-agent.rules.yml.j2 (Jinja2, [[ ]] delimiters): %.3f s" % seconds["template"])
    print("to_nice_yaml %d extra rule files: %.3f s" % (len(extra), seconds["rules_dump"]))
    print("render + dump, config and rules: %.3f s" % render_seconds)
    print("peak Python allocations during render + dump (tracemalloc): %.1f MiB" % (traced_peak / 1048576.0))
    print("peak RSS of this process (getrusage, includes interpreter and ansible imports): %.1f MiB (target <= 300 MB)"
          % (max_rss_kib / 1024.0))
    if not args.promtool:
        print("render (no validation, --promtool not given): %.3f s (target for render + validate <= 3 s)"
              % render_seconds)
        return
    results = promtool(files, args.image)
    baseline = results["baseline"][0]
    print("docker run of promtool --version (container start-up alone): %.3f s, exit %d"
          % (baseline, results["baseline"][1].returncode))
    for key, label in (("config", "check config /etc/prometheus/prometheus.yml (loads the rule files too)"),
                       ("rules", "check rules on the %d rule files" % (len(extra) + 1))):
        duration, proc = results[key]
        print("promtool %s in %s: %.3f s, exit %d" % (label, args.image, duration, proc.returncode))
        print(promtool_output(proc))
    check_config = results["config"][0]
    print("render + validate (render + dump + promtool check config, as the role): %.3f s (target <= 3 s)"
          % (render_seconds + check_config))
    print("render + validate + promtool check rules: %.3f s"
          % (render_seconds + check_config + results["rules"][0]))


if __name__ == "__main__":
    main()

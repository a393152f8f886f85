# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time and memory to render and check the Prometheus configuration of a large fleet (prints figures, asserts nothing).

Two cases, each run in its own process so that each peak RSS is its own (--config or --fleet runs one of them here):

config: 5,000 targets in 50 jobs and 500 user rules, from plain data. A synthetic inventory (1 monitoring host and
  999 agents as plain dicts, every 10th agent with postgres- and redis-exporter) makes the fleet (observability_fleet
  filter); 200 backend targets and static extra targets fill it up to 5,000 targets in 50 jobs. 500 synthetic rules
  (groups of 10: 4 recording and 6 alerting rules with `for`, labels and annotations; 5 groups a file) are the
  prometheus_rule_files_extra a user would pass. Rendered as roles/prometheus/tasks/preflight.yml does it:
  prometheus_scrape_configs (the scrape jobs and their file_sd target files) and prometheus_config (the role's
  global block and replica label, the Alertmanagers from fleet_endpoints), prometheus.yml with to_nice_yaml(indent=2,
  sort_keys=False), targets/<job>.json with to_nice_json(indent=2), each extra rule file with to_nice_yaml(indent=2),
  and the collection's rules/proxy-agent.rules.yml.j2 with `[[ ]]` as variable delimiters and the role's default
  thresholds. Only the filters and dumps are timed, not Ansible's templating of the tasks around them.

fleet: an inventory of 5,000 hosts in real Ansible objects (InventoryManager over a generated YAML inventory,
  VariableManager, HostVars): 2 monitoring hosts that are also agents, 4,998 agents in 50 groups that are children of
  the agents group, every 10th host also in postgres and every 25th in redis; each host's address is its
  default_ipv4 fact (VariableManager.set_host_facts). Timed: (a) the observability_fleet filter on HostVars and
  inventory.get_groups_dict(); (b) for the first monitoring host, prometheus_scrape_configs, prometheus_config, the
  dumps of prometheus.yml and every target file, the rules template, grafana_datasources and its dump; (c) for one
  agent host (in postgres and redis), Promtail's push URL (fleet_endpoints('loki', host, select='preferred') +
  endpoint_url), promtail_config and its dump, and component_spec's published ports of each of its components.
  Loading the inventory (Ansible's work, not the collection's) is reported on its own.

Targets: config render + validate (promtool check config) <= 3 s and <= 300 MB; fleet render + validate for the
monitoring host ((a) + (b) + promtool check config) <= 5 s and <= 500 MB peak RSS (the process, inventory included).
The agent host's render time is printed too. Peak RSS is read (getrusage) before a second, traced run that gives the
peak of Python allocations (tracemalloc).

    .venv/bin/python benchmarks/render_config.py [--config | --fleet] [--promtool] [--image IMAGE] [--profile]
        [--targets 5000] [--jobs 50] [--rules 500] [--hosts 5000] [--groups 50]

--promtool also runs, in the Prometheus image (Docker needed), `promtool check config` on the result (which the role
runs; it loads the rule and target files too), and in the config case `promtool check rules`. --profile prints the
fleet case's cProfile top functions.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
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

# pylint: disable=wrong-import-position
import jinja2  # noqa: E402
import yaml  # noqa: E402
from ansible.plugins.filter.core import to_nice_json  # noqa: E402
from ansible.plugins.filter.core import to_nice_yaml  # noqa: E402

from ansible_collections.proxy_agent.observability.plugins.filter.component_spec import component_spec  # noqa: E402
from ansible_collections.proxy_agent.observability.plugins.filter.endpoint_url import endpoint_url  # noqa: E402
from ansible_collections.proxy_agent.observability.plugins.filter.fleet_endpoints import fleet_endpoints  # noqa: E402
from ansible_collections.proxy_agent.observability.plugins.filter.grafana_datasources import (  # noqa: E402
    grafana_datasources,
)
from ansible_collections.proxy_agent.observability.plugins.filter.observability_fleet import (  # noqa: E402
    observability_fleet,
)
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_config import (  # noqa: E402
    prometheus_config,
)
from ansible_collections.proxy_agent.observability.plugins.filter.prometheus_scrape_configs import (  # noqa: E402
    prometheus_scrape_configs,
)
from ansible_collections.proxy_agent.observability.plugins.filter.promtail_config import (  # noqa: E402
    promtail_config,
)
# pylint: enable=wrong-import-position

AGENTS = 999
BACKEND_TARGETS = 200
RULES_PER_GROUP = 10
GROUPS_PER_FILE = 5
MONITORING_HOSTS = 2
ROLE = os.path.join(ROOT, "roles", "prometheus")
RULES_TEMPLATE = os.path.join(ROLE, "templates", "rules", "proxy-agent.rules.yml.j2")
RUNBOOKS = "https://runbooks.example.com/%s/%s"
PUSH_PATH = "/loki/api/v1/push"


def _address(index):
    return "10.%d.%d.%d" % (1 + index // 65536, index // 256 % 256, index % 256)


def _defaults(role):
    with open(os.path.join(ROOT, "roles", role, "defaults", "main.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


PROMETHEUS_DEFAULTS = _defaults("prometheus")
PROMTAIL_DEFAULTS = _defaults("promtail")


# ---------------------------------------------------------------------------------------------------- config case

def synthetic_inputs(total_targets, total_jobs):
    """(hostvars, groups) as plain data, backend targets and extra targets that make total_targets targets in
    total_jobs jobs with the fleet they give."""
    hostvars = {"mon1": {"group_names": ["agents", "monitoring"], "ansible_host": _address(0)}}
    for index in range(1, AGENTS + 1):
        name = "agent%04d" % index
        hostvars[name] = {"group_names": ["agents"], "ansible_host": _address(index)}
        if index % 10 == 0:
            hostvars[name]["observability_extra_components"] = ["postgres_exporter", "redis_exporter"]
    hosts = sorted(hostvars)
    groups = {"all": hosts, "ungrouped": [], "agents": hosts, "monitoring": ["mon1"]}
    backend = ["backend%03d.example.com:8000" % index for index in range(BACKEND_TARGETS)]
    fleet = observability_fleet(hostvars, groups)  # untimed here: only to count what it generates
    generated = prometheus_scrape_configs(fleet, "mon1", backend_targets=backend)["files"]
    generated_targets = sum(len(group["targets"]) for groups_ in generated.values() for group in groups_)
    extra_jobs = max(total_jobs - len(generated), 1)
    extra_targets = {"static%02d" % job: [] for job in range(extra_jobs)}
    for index in range(max(total_targets - generated_targets, 0)):
        target = "svc%05d.example.com:%d" % (index, 9000 + index % 100)
        extra_targets["static%02d" % (index % extra_jobs)].append(target)
    return hostvars, groups, backend, extra_targets


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


def render_rules_template(template_vars):
    # As the role's template lookup: variable delimiters `[[ ]]`, Jinja's default block delimiters (the file has no
    # blocks), trailing newline kept.
    with open(RULES_TEMPLATE, encoding="utf-8") as handle:
        source = handle.read()
    environment = jinja2.Environment(variable_start_string="[[", variable_end_string="]]", keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined, autoescape=False)
    return environment.from_string(source).render(template_vars)


class Timer:
    """Durations of named phases in seconds."""

    def __init__(self):
        self.seconds = {}

    def __call__(self, name, function, *args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
        return result


def render_prometheus(timer, fleet, host, backend=None, extra_targets=None):
    """prometheus.yml's mapping and the files the role writes (path under /etc/prometheus -> text), as
    roles/prometheus/tasks/preflight.yml builds them with the role's defaults."""
    scrape = timer("scrape_configs", prometheus_scrape_configs, fleet, host, backend_targets=backend or [],
                   extra_targets=extra_targets or {}, scrape_interval=PROMETHEUS_DEFAULTS["prometheus_scrape_interval"])
    replica = PROMETHEUS_DEFAULTS["prometheus_replica_label"]
    global_config = {"scrape_interval": PROMETHEUS_DEFAULTS["prometheus_scrape_interval"],
                     "evaluation_interval": PROMETHEUS_DEFAULTS["prometheus_evaluation_interval"],
                     "external_labels": dict(PROMETHEUS_DEFAULTS["prometheus_external_labels"],
                                             **({replica: host} if replica else {}))}
    alertmanagers = timer("alertmanagers", fleet_endpoints, fleet, "alertmanager", host)
    config = timer("config", prometheus_config, scrape["scrape_configs"], global_config, alertmanagers,
                   ["/etc/prometheus/rules/*.yml"], drop_alert_labels=[replica] if replica else [])
    files = {"prometheus.yml": timer("config_dump", to_nice_yaml, config, indent=2, sort_keys=False)}
    for name, content in scrape["files"].items():
        files[name] = timer("targets_dump", to_nice_json, content, indent=2)
    return config, scrape["files"], files


def render_config_case(inputs, rule_files, template_vars):
    """The config case's files and phase durations."""
    hostvars, groups, backend, extra_targets = inputs
    timer = Timer()
    fleet = timer("fleet", observability_fleet, hostvars, groups)
    config, targets, files = render_prometheus(timer, fleet, "mon1", backend, extra_targets)
    files["rules/proxy-agent.yml"] = timer("template", render_rules_template, template_vars)
    for name, content in rule_files.items():
        files["rules/%s.yml" % name] = timer("rules_dump", to_nice_yaml, content, indent=2)
    return config, targets, files, timer.seconds


def write_files(directory, files):
    os.chmod(directory, 0o755)
    for name, text in files.items():
        path = os.path.join(directory, name)
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path), 0o755)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, 0o644)


def docker_promtool(directory, image, args):
    start = time.perf_counter()
    proc = subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", "%s:/etc/prometheus:ro" % directory,
                           "--entrypoint", "/bin/promtool", image] + args, capture_output=True, text=True,
                          check=False)
    return time.perf_counter() - start, proc


def promtool(files, image, rules=True):
    """Durations and results of `promtool --version` (container start-up), `check config` and `check rules`."""
    with tempfile.TemporaryDirectory() as directory:
        write_files(directory, files)
        results = {
            "baseline": docker_promtool(directory, image, ["--version"]),
            "config": docker_promtool(directory, image, ["check", "config", "/etc/prometheus/prometheus.yml"]),
        }
        if rules:
            paths = sorted("/etc/prometheus/" + name for name in files if name.startswith("rules/"))
            results["rules"] = docker_promtool(directory, image, ["check", "rules"] + paths)
        return results


def promtool_output(proc):
    """promtool's output, or on success with nothing but Checking/SUCCESS lines a one-line summary of them."""
    lines = [line.strip() for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    found = [line for line in lines if line.startswith("SUCCESS:") and line.endswith(" rules found")]
    if proc.returncode or any(not line.startswith(("Checking ", "SUCCESS:", "  SUCCESS:")) for line in lines):
        return "\n".join("  " + line for line in (proc.stdout + proc.stderr).strip().splitlines())
    checked = sum(line.startswith("Checking ") for line in lines)
    if found:
        return "  only Checking/SUCCESS lines: %d files checked (target files silently), %d rules found in %d rule " \
            "files" % (checked, sum(int(line.split()[1]) for line in found), len(found))
    return "  only Checking/SUCCESS lines: %d files checked (target files silently)" % checked


def count_rules(text):
    rules = [rule for group in yaml.safe_load(text)["groups"] for rule in group["rules"]]
    return sum("alert" in rule for rule in rules), sum("record" in rule for rule in rules)


def count_targets(targets):
    return sum(len(group["targets"]) for groups in targets.values() for group in groups)


def kib(text):
    return len(text.encode("utf-8")) / 1024.0


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def config_case(args):
    inputs = synthetic_inputs(args.targets, args.jobs)
    rule_files = synthetic_rule_files(args.rules, sorted(inputs[3]) or ["backend"])
    template_vars = rules_template_vars()

    config, targets, files, seconds = render_config_case(inputs, rule_files, template_vars)
    render_seconds = sum(seconds.values())
    max_rss = max_rss_mib()  # before the traced run: tracemalloc's own bookkeeping is not counted

    tracemalloc.start()  # a second, traced run: Python allocations at their peak
    render_config_case(inputs, rule_files, template_vars)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    jobs = config["scrape_configs"]
    target_files = [name for name in files if name.startswith("targets/")]
    extra = [name for name in files if name.startswith("rules/") and name != "rules/proxy-agent.yml"]
    extra_alerts, extra_records = (sum(counts) for counts in zip((0, 0), *(count_rules(files[n]) for n in extra)))
    own_alerts, own_records = count_rules(files["rules/proxy-agent.yml"])
    print("== config case: %d hosts as plain data, backend and static targets, %d extra rules"
          % (len(inputs[0]), args.rules))
    print("jobs: %d, targets: %d, prometheus.yml: %.1f KiB, %d target files: %.1f KiB together"
          % (len(jobs), count_targets(targets), kib(files["prometheus.yml"]), len(target_files),
             sum(kib(files[name]) for name in target_files)))
    print("extra rules: %d (%d alerting, %d recording) in %d groups, %d files, %.1f KiB together"
          % (extra_alerts + extra_records, extra_alerts, extra_records,
             sum(len(content["groups"]) for content in rule_files.values()), len(extra),
             sum(kib(files[name]) for name in extra)))
    print("collection rules (proxy-agent.yml): %d alerting, %d recording, %.1f KiB"
          % (own_alerts, own_records, kib(files["rules/proxy-agent.yml"])))
    print("observability_fleet (plain-dict hostvars): %.3f s" % seconds["fleet"])
    print("render (prometheus_scrape_configs + fleet_endpoints + prometheus_config): %.3f s"
          % (seconds["scrape_configs"] + seconds["alertmanagers"] + seconds["config"]))
    print("to_nice_yaml prometheus.yml: %.3f s" % seconds["config_dump"])
    print("to_nice_json %d target files: %.3f s" % (len(target_files), seconds["targets_dump"]))
    print("render proxy-agent.rules.yml.j2 (Jinja2, [[ ]] delimiters): %.3f s" % seconds["template"])
    print("to_nice_yaml %d extra rule files: %.3f s" % (len(extra), seconds.get("rules_dump", 0.0)))
    print("render + dump, config and rules: %.3f s" % render_seconds)
    print("peak Python allocations during render + dump (tracemalloc): %.1f MiB" % (traced_peak / 1048576.0))
    print("peak RSS of this process (getrusage, includes interpreter and ansible imports): %.1f MiB (target <= 300 MB)"
          % max_rss)
    if not args.promtool:
        print("render (no validation, --promtool not given): %.3f s (target for render + validate <= 3 s)"
              % render_seconds)
        return
    results = promtool(files, args.image)
    print("docker run of promtool --version (container start-up alone): %.3f s, exit %d"
          % (results["baseline"][0], results["baseline"][1].returncode))
    for key, label in (("config", "check config /etc/prometheus/prometheus.yml (loads the rule and target files "
                                  "too)"),
                       ("rules", "check rules on the %d rule files" % (len(extra) + 1))):
        duration, proc = results[key]
        print("promtool %s in %s: %.3f s, exit %d" % (label, args.image, duration, proc.returncode))
        print(promtool_output(proc))
    check_config = results["config"][0]
    print("render + validate (render + dump + promtool check config, as the role): %.3f s (target <= 3 s)"
          % (render_seconds + check_config))
    print("render + validate + promtool check rules: %.3f s"
          % (render_seconds + check_config + results["rules"][0]))


# ----------------------------------------------------------------------------------------------------- fleet case

def fleet_layout(total_hosts, total_groups):
    """(hosts in order, {group: [hosts]}) of the fleet case's inventory."""
    monitoring = ["mon%d" % index for index in range(1, MONITORING_HOSTS + 1)]
    agents = ["agent%04d" % index for index in range(MONITORING_HOSTS + 1, total_hosts + 1)]
    racks = {"rack%02d" % group: [] for group in range(total_groups)}
    for position, host in enumerate(agents):
        racks["rack%02d" % (position * total_groups // len(agents))].append(host)
    hosts = monitoring + agents
    postgres = [host for index, host in enumerate(hosts, 1) if index % 10 == 0]
    redis = [host for index, host in enumerate(hosts, 1) if index % 25 == 0]
    return hosts, {"monitoring": monitoring, "racks": racks, "postgres": postgres, "redis": redis}


def write_inventory(path, layout):
    """A YAML inventory: monitoring hosts (also agents), racks as children of agents, postgres and redis."""
    def members(hosts):
        return {host: None for host in hosts}

    inventory = {"all": {"children": {
        "monitoring": {"hosts": members(layout["monitoring"])},
        "agents": {"hosts": members(layout["monitoring"]),
                   "children": {rack: {"hosts": members(hosts)} for rack, hosts in layout["racks"].items()}},
        "postgres": {"hosts": members(layout["postgres"])},
        "redis": {"hosts": members(layout["redis"])},
    }}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump(inventory, handle, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)


def load_inventory(path, hosts):
    """(inventory, HostVars) over the YAML inventory, each host's default IPv4 address in its facts."""
    # pylint: disable=import-outside-toplevel
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.hostvars import HostVars
    from ansible.vars.manager import VariableManager
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[path])
    variable_manager = VariableManager(loader=loader, inventory=inventory)
    for index, host in enumerate(hosts):
        variable_manager.set_host_facts(host, {"default_ipv4": {"address": _address(index + 1),
                                                                "interface": "eth0"}})
    return inventory, HostVars(inventory, variable_manager, loader)


def render_fleet_case(hostvars, inventory, monitoring_host, agent_host, template_vars):
    """Build the fleet, render the monitoring host's and one agent host's files; the results and phase durations."""
    timer = Timer()
    groups = timer("groups", inventory.get_groups_dict)
    fleet = timer("fleet", observability_fleet, hostvars, groups)

    monitoring = Timer()
    config, targets, files = render_prometheus(monitoring, fleet, monitoring_host)
    files["rules/proxy-agent.yml"] = monitoring("template", render_rules_template, template_vars)
    datasources = monitoring("datasources", grafana_datasources, fleet, monitoring_host)
    grafana = monitoring("datasources_dump", to_nice_json, datasources, indent=2)

    agent = Timer()
    push_url = agent("push_url", lambda: [endpoint_url(ep, PUSH_PATH) for ep in fleet_endpoints(
        fleet, "loki", agent_host, select="preferred")][0])
    promtail = agent("promtail_config", promtail_config, {
        "push_url": push_url, "host": agent_host, "labels": PROMTAIL_DEFAULTS["promtail_json_labels"],
        "containers_filter": PROMTAIL_DEFAULTS["promtail_containers_filter"] or None,
        "refresh_interval": PROMTAIL_DEFAULTS["promtail_docker_refresh_interval"],
        "extra_scrape_configs": PROMTAIL_DEFAULTS["promtail_scrape_configs_extra"]})
    promtail_text = agent("promtail_dump", to_nice_yaml, promtail, indent=2, sort_keys=False)
    ports = agent("published_ports", lambda: {component: component_spec(fleet, agent_host, component)
                                              ["published_ports"]
                                              for component in fleet["hosts"][agent_host]["components"]})
    return {"fleet": fleet, "config": config, "targets": targets, "files": files, "grafana": grafana,
            "push_url": push_url, "promtail": promtail_text, "ports": ports,
            "seconds": (timer.seconds, monitoring.seconds, agent.seconds)}


def profile_fleet_case(hostvars, inventory, monitoring_host, agent_host, template_vars, limit=25):
    profiler = cProfile.Profile()
    profiler.enable()
    render_fleet_case(hostvars, inventory, monitoring_host, agent_host, template_vars)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(limit)
        print("-- cProfile of (a) + (b) + (c), top %d by %s" % (limit, order))
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def fleet_case(args):
    start_rss = max_rss_mib()
    hosts, layout = fleet_layout(args.hosts, args.groups)
    monitoring_host = layout["monitoring"][0]
    both = sorted(set(layout["postgres"]) & set(layout["redis"]))
    agent_host = both[0] if both else hosts[-1]
    template_vars = rules_template_vars()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "hosts.yml")
        write_inventory(path, layout)
        start = time.perf_counter()
        inventory, hostvars = load_inventory(path, hosts)
        load_seconds = time.perf_counter() - start
    inventory_rss = max_rss_mib()

    result = render_fleet_case(hostvars, inventory, monitoring_host, agent_host, template_vars)
    max_rss = max_rss_mib()  # before the traced run: tracemalloc's own bookkeeping is not counted
    tracemalloc.start()
    render_fleet_case(hostvars, inventory, monitoring_host, agent_host, template_vars)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    shared, monitoring, agent = result["seconds"]
    fleet, files = result["fleet"], result["files"]
    target_files = [name for name in files if name.startswith("targets/")]
    jobs = result["config"]["scrape_configs"]
    print("== fleet case: %d hosts (%d monitoring, also agents), %d agent groups, %d postgres, %d redis; Ansible "
          "InventoryManager + VariableManager + HostVars"
          % (len(hosts), len(layout["monitoring"]), len(layout["racks"]), len(layout["postgres"]),
             len(layout["redis"])))
    print("inventory load (Ansible's: YAML inventory, set_host_facts for every host): %.3f s" % load_seconds)
    print("fleet: %d hosts run components, %d instances; monitoring host %s: %d jobs, %d targets, prometheus.yml "
          "%.1f KiB, %d target files %.1f KiB together, %d Alertmanagers"
          % (len(fleet["order"]), sum(len(v) for v in fleet["instances"].values()), monitoring_host, len(jobs),
             count_targets(result["targets"]), kib(files["prometheus.yml"]), len(target_files),
             sum(kib(files[name]) for name in target_files),
             sum(len(am["static_configs"][0]["targets"]) for am in result["config"].get("alerting", {})
                 .get("alertmanagers", []))))
    print("(a) inventory.get_groups_dict(): %.3f s" % shared["groups"])
    print("(a) observability_fleet(hostvars, groups): %.3f s" % shared["fleet"])
    print("(b) prometheus_scrape_configs: %.3f s" % monitoring["scrape_configs"])
    print("(b) fleet_endpoints('alertmanager') + prometheus_config: %.3f s"
          % (monitoring["alertmanagers"] + monitoring["config"]))
    print("(b) to_nice_yaml prometheus.yml: %.3f s" % monitoring["config_dump"])
    print("(b) to_nice_json %d target files: %.3f s" % (len(target_files), monitoring["targets_dump"]))
    print("(b) render proxy-agent.rules.yml.j2: %.3f s" % monitoring["template"])
    print("(b) grafana_datasources + to_nice_json: %.3f s"
          % (monitoring["datasources"] + monitoring["datasources_dump"]))
    render_seconds = sum(shared.values()) + sum(monitoring.values())
    print("(a) + (b) fleet render for the monitoring host %s: %.3f s" % (monitoring_host, render_seconds))
    print("(c) agent host %s (%s): push URL %s: %.4f s, promtail_config + dump: %.4f s, component_spec published "
          "ports: %.4f s" % (agent_host, ", ".join(fleet["hosts"][agent_host]["components"]), result["push_url"],
                             agent["push_url"], agent["promtail_config"] + agent["promtail_dump"],
                             agent["published_ports"]))
    print("(c) one agent host's render (fleet already built): %.4f s; published ports: %s"
          % (sum(agent.values()), "; ".join("%s %s" % (c, ",".join(p)) for c, p in result["ports"].items())))
    print("peak Python allocations during (a) + (b) + (c) (tracemalloc): %.1f MiB" % (traced_peak / 1048576.0))
    print("peak RSS (getrusage): %.1f MiB after imports, %.1f MiB after the inventory load, %.1f MiB after the render "
          "(target <= 500 MB)" % (start_rss, inventory_rss, max_rss))
    if args.profile:
        profile_fleet_case(hostvars, inventory, monitoring_host, agent_host, template_vars)
    if not args.promtool:
        print("fleet render (no validation, --promtool not given): %.3f s (target for render + validate <= 5 s)"
              % render_seconds)
        return
    results = promtool(files, args.image, rules=False)
    print("docker run of promtool --version (container start-up alone): %.3f s, exit %d"
          % (results["baseline"][0], results["baseline"][1].returncode))
    duration, proc = results["config"]
    print("promtool check config /etc/prometheus/prometheus.yml (loads rule and target files) in %s: %.3f s, exit %d"
          % (args.image, duration, proc.returncode))
    print(promtool_output(proc))
    print("fleet render + validate for the monitoring host ((a) + (b) + promtool check config): %.3f s (target <= 5 s)"
          % (render_seconds + duration))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    case = parser.add_mutually_exclusive_group()
    case.add_argument("--config", action="store_true", help="run only the config case (default: both, each in its "
                                                            "own process)")
    case.add_argument("--fleet", action="store_true", help="run only the fleet case")
    parser.add_argument("--targets", type=int, default=5000, help="config case")
    parser.add_argument("--jobs", type=int, default=50, help="config case")
    parser.add_argument("--rules", type=int, default=500, help="config case: extra rules (in groups of %d)"
                        % RULES_PER_GROUP)
    parser.add_argument("--hosts", type=int, default=5000, help="fleet case: inventory hosts")
    parser.add_argument("--groups", type=int, default=50, help="fleet case: groups of agents")
    parser.add_argument("--promtool", action="store_true", help="also run promtool in Docker")
    parser.add_argument("--profile", action="store_true", help="fleet case: print cProfile's top functions")
    parser.add_argument("--image", default=os.environ.get("PROXY_OBS_PROMETHEUS_IMAGE",
                                                          "localhost/proxy-obs/prometheus:3.5.3"))
    args = parser.parse_args()
    if args.config:
        config_case(args)
    elif args.fleet:
        fleet_case(args)
    else:
        failed = 0
        for flag in ("--config", "--fleet"):
            sys.stdout.flush()
            failed |= subprocess.run([sys.executable, os.path.abspath(__file__), flag] + sys.argv[1:],
                                     check=False).returncode
            print()
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

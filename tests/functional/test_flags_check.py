# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The flags check (catalogue flags_check) of Loki, Promtail and cAdvisor against their test stand-ins.

- The binary named by the catalogue, given the flags the role runs it with and the catalogue's arguments, exits 0
  without starting; with an unknown flag among them it exits non-zero and names the flag. Loki and Promtail exit 2
  on -help (pkg/util/cfg/files.go), which is why their catalogue arguments are their own check modes.
- The check play of the site playbook (check mode, against this machine, as test_old_versions.py runs it) refuses
  `<component>_extra_flags: [--no-such-flag]` naming the variable, before anything is written; with flags the binary
  knows, the same play passes its flags check.

The stand-ins are built by `bash tests/images/build.sh loki-standin promtail-standin cadvisor-standin jaeger-standin`
(PROXY_OBS_<COMPONENT>_IMAGE names others; never pulled). Without them, or without a Docker engine, the tests are
skipped.
"""
from __future__ import annotations

import os
import re
import subprocess

import pytest
from docker_check import docker_unavailable

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = os.path.join(ROOT, "tests", "images")
IMAGE = {
    "loki": os.environ.get("PROXY_OBS_LOKI_IMAGE", "localhost/proxy-obs/loki-standin:3.7.6"),
    "promtail": os.environ.get("PROXY_OBS_PROMTAIL_IMAGE", "localhost/proxy-obs/promtail-standin:3.6.11"),
    "cadvisor": os.environ.get("PROXY_OBS_CADVISOR_IMAGE", "localhost/proxy-obs/cadvisor-standin:0.60.5"),
    "jaeger": os.environ.get("PROXY_OBS_JAEGER_IMAGE", "localhost/proxy-obs/jaeger-standin:2.20.0"),
}
# The flags each role runs its container with (roles/<component>/tasks/main.yml, _common_command, with empty
# <component>_extra_flags), a configuration the stand-in accepts (its own build-time self test) and where it goes.
ROLE_FLAGS = {
    "loki": (["-config.file=/etc/loki/loki.yaml"], ("loki-standin/selftest.yaml", "/etc/loki", "loki.yaml")),
    "promtail": (["-config.file=/etc/promtail/promtail.yml"],
                 ("promtail-standin/selftest.yml", "/etc/promtail", "promtail.yml")),
    "cadvisor": (["--port=8080", "--docker_only=true", "--housekeeping_interval=10s",
                  "--disable_metrics=advtcp,app,cpu_topology,cpuset,disk,diskIO,hugetlb,memory_numa,percpu,"
                  "perf_event,process,referenced_memory,resctrl,sched,tcp,udp",
                  "--store_container_labels=false",
                  "--whitelisted_container_labels=io.proxy-agent.observability.component"], None),
}
# A flag each binary knows, for the extra flags of a run that must pass.
KNOWN_EXTRA = {"loki": "-log.level=debug", "promtail": "-log.level=debug", "cadvisor": "--max_procs=1"}
STAGE_TASK = "Stage, check and swap in the configuration of %s"


def _docker(*args, timeout=120):
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)


def _why_skip():
    reason = docker_unavailable()
    if reason:
        return "the flags check runs in Docker: %s" % reason
    missing = [image for image in IMAGE.values() if _docker("image", "inspect", image).returncode != 0]
    if missing:
        return "stand-in images not built here: %s (tests/images/build.sh)" % ", ".join(missing)
    return None


_REASON = _why_skip()
if _REASON:
    pytest.skip(_REASON, allow_module_level=True)


def _run_binary(component, entrypoint, args, tmp_path):
    """docker run the binary as the check does (config_dir: no network, read-only, no capabilities, the component's
    user, the configuration directory mounted read-only)."""
    volume = []
    config = ROLE_FLAGS[component][1]
    if config:
        source, mount, name = config
        directory = tmp_path / "config"
        directory.mkdir(mode=0o755, parents=True)
        directory.chmod(0o755)
        with open(os.path.join(IMAGES, source), encoding="utf-8") as handle:
            (directory / name).write_text(handle.read())
        (directory / name).chmod(0o644)
        volume = ["--volume", "%s:%s:ro" % (directory, mount)]
    return _docker("run", "--rm", "--network", "none", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                   "--read-only", *volume, "--user", COMPONENTS[component]["user"], "--entrypoint", entrypoint,
                   IMAGE[component], *args)


@pytest.mark.parametrize("component", sorted(ROLE_FLAGS))
def test_the_catalogue_flags_check_passes_known_flags_and_refuses_an_unknown_one(component, tmp_path):
    check = COMPONENTS[component]["flags_check"]
    assert check is not None, "%s has no flags check in the catalogue" % component
    flags = ROLE_FLAGS[component][0]
    good = _run_binary(component, check["entrypoint"], flags + [KNOWN_EXTRA[component]] + list(check["args"]),
                       tmp_path / "good")
    assert good.returncode == 0, good
    bad = _run_binary(component, check["entrypoint"], flags + ["--no-such-flag"] + list(check["args"]),
                      tmp_path / "bad")
    assert bad.returncode == 2, bad
    assert "flag provided but not defined: -no-such-flag" in bad.stderr, bad


@pytest.mark.parametrize("component", ["loki", "promtail"])
def test_loki_and_promtail_exit_2_on_help_so_their_check_mode_is_the_flags_check(component, tmp_path):
    check = COMPONENTS[component]["flags_check"]
    helped = _run_binary(component, check["entrypoint"], ROLE_FLAGS[component][0] + ["-help"], tmp_path)
    assert helped.returncode == 2 and "Usage of" in helped.stdout, helped
    assert check["args"] != ("-help",)


def test_cadvisor_help_exits_0_after_parsing_every_flag_as_go_does(tmp_path):
    """Go's flag package parses in order: a bad value before -help fails, -help then exits 0 (flag.ErrHelp)."""
    entrypoint = COMPONENTS["cadvisor"]["flags_check"]["entrypoint"]
    bad_value = _run_binary("cadvisor", entrypoint, ["--docker_only=maybe", "-help"], tmp_path)
    assert bad_value.returncode == 2 and 'invalid boolean value "maybe" for -docker_only' in bad_value.stderr, bad_value
    for help_arg in ("-h", "-help", "--help"):
        assert _run_binary("cadvisor", entrypoint, [help_arg], tmp_path).returncode == 0, help_arg


@pytest.mark.parametrize("order", [["--no-such-flag", "--help"], ["--help", "--no-such-flag"]])
def test_jaeger_v2_standin_parses_every_flag_before_the_help_as_cobra_does(order, tmp_path):
    """cobra 1.10 (command.go execute): ParseFlags before the help flag is looked at, wherever it stands; exit 1."""
    refused = _docker("run", "--rm", "--network", "none", "--entrypoint", "/cmd/jaeger/jaeger-linux", IMAGE["jaeger"],
                      "--config=/etc/jaeger/config.yaml", *order)
    assert refused.returncode == 1 and "unknown flag: --no-such-flag" in refused.stderr, refused
    helped = _docker("run", "--rm", "--network", "none", "--entrypoint", "/cmd/jaeger/jaeger-linux", IMAGE["jaeger"],
                     "--config=/etc/jaeger/config.yaml", "--help")
    assert helped.returncode == 0, helped


def _run_site(run_playbook, tmp_path, network, components, extra_flags):
    extra_vars = {
        "observability_components": components,
        "observability_image_pull": False,
        "observability_config_root": str(tmp_path / "config"),
        "observability_network_name": network,
        "observability_image_overrides": {component: IMAGE[component] for component in components},
    }
    extra_vars.update({"%s_extra_flags" % component: flags for component, flags in extra_flags.items()})
    return run_playbook("proxy_agent.observability.site", extra_vars, args=["-v", "--skip-tags", "docker_host"])


@pytest.mark.parametrize("component", sorted(ROLE_FLAGS))
def test_the_check_play_refuses_an_unknown_extra_flag_naming_the_variable(run_playbook, network, tmp_path,
                                                                          component):
    # Promtail's preflight needs a Loki in the stack to push to.
    components = ["loki", component] if component == "promtail" else [component]
    result = _run_site(run_playbook, tmp_path, network, components, {component: ["--no-such-flag"]})
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    folded = " ".join(output.split())
    assert ("%s_extra_flags: a flag from %s_extra_flags is refused by %s of the image %s on localhost. Nothing was "
            "changed" % (component, component, COMPONENTS[component]["flags_check"]["entrypoint"], IMAGE[component])
            in folded), output
    assert "flag provided but not defined: -no-such-flag" in folded, output
    # It stopped in the check play: no container task ran, no live configuration was written.
    before_failure = re.split(r"^fatal: ", result.stdout, maxsplit=1, flags=re.M)[0]
    assert "TASK [proxy_agent.observability._common : Run container" not in before_failure, output
    assert not (tmp_path / "config" / component).exists()


def test_the_check_play_passes_flags_the_binaries_know(run_playbook, network, tmp_path):
    components = sorted(ROLE_FLAGS)
    result = _run_site(run_playbook, tmp_path, network, components,
                       {component: [KNOWN_EXTRA[component]] for component in components})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for component in components:
        check = COMPONENTS[component]["flags_check"]
        # The check play ran the binary with the role's flags, the extra flag and the catalogue's arguments.
        header = re.search(r"^TASK \[[^\]]*%s\] \**$" % re.escape(STAGE_TASK % component), result.stdout, re.M)
        assert header, output
        following = result.stdout[header.end():]
        following = following[:re.search(r"^TASK \[", following, re.M).start()]
        assert re.search(r"- --entrypoint\s+- %s\s" % re.escape(check["entrypoint"]), following), following
        assert re.search(r"- %s\s+- %s\s" % (re.escape(KNOWN_EXTRA[component]), re.escape(check["args"][-1])),
                         following), following


@pytest.mark.parametrize("image, binary", [
    (IMAGE["jaeger"], "/cmd/jaeger/jaeger-linux"),
    (os.environ.get("PROXY_OBS_JAEGER_V1_IMAGE", "localhost/proxy-obs/jaeger-v1-standin:1.76.0"),
     "/go/bin/all-in-one-linux"),
])
def test_the_check_play_refuses_an_unknown_jaeger_flag_with_its_image_binary(run_playbook, network, tmp_path, image,
                                                                             binary):
    if _docker("image", "inspect", image).returncode != 0:
        pytest.skip("%s is not built here (tests/images/build.sh)" % image)
    extra_vars = {
        "observability_components": ["jaeger"], "observability_image_pull": False,
        "observability_config_root": str(tmp_path / "config"), "observability_network_name": network,
        "observability_image_overrides": {"jaeger": image}, "jaeger_extra_flags": ["--no-such-flag"],
    }
    result = run_playbook("proxy_agent.observability.site", extra_vars, args=["-v", "--skip-tags", "docker_host"])
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    folded = " ".join(output.split())
    # The 2.x and 1.x images have different binaries: each is checked with its own.
    assert ("jaeger_extra_flags: a flag from jaeger_extra_flags is refused by %s of the image %s on localhost. "
            "Nothing was changed" % (binary, image)) in folded, output
    before_failure = re.split(r"^fatal: ", result.stdout, maxsplit=1, flags=re.M)[0]
    assert "TASK [proxy_agent.observability._common : Run container" not in before_failure, output

# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.grafana_release_check import grafana_release_check

NEW = "grafana/grafana:13.2.0"


def _running(image, *env):
    return {"Config": {"Image": image, "Env": ["PATH=/usr/bin", "GF_PATHS_CONFIG=/etc/grafana/grafana.ini", *env]}}


def test_the_defaults_pass_and_give_the_release():
    assert grafana_release_check(NEW) == "13.2.0"
    assert grafana_release_check("grafana/grafana:10.4.3", plugins=[], env={}, running=None) == "10.4.3"


def test_an_image_without_a_release_is_not_checked():
    assert grafana_release_check("grafana/grafana:main", plugins=["grafana-piechart-panel"],
                                 env={"GF_ALERTING_ENABLED": "true"},
                                 running=_running("grafana/grafana:10.4.3", "GF_ALERTING_ENABLED=true")) == ""


@pytest.mark.parametrize("value", ["true", "True", "1", "t", True])
def test_legacy_alerting_is_refused_from_grafana_11(value):
    with pytest.raises(AnsibleFilterError) as error:
        grafana_release_check("grafana/grafana:11.0.0", env={"GF_ALERTING_ENABLED": value})
    assert str(error.value).startswith(
        "grafana_extra_env.GF_ALERTING_ENABLED: turns on legacy alerting, which Grafana 11 removed: Grafana 11.0.0 "
        "does not start with it. Fix: remove it")


@pytest.mark.parametrize("image, env", [
    ("grafana/grafana:10.4.3", {"GF_ALERTING_ENABLED": "true"}),  # legacy alerting still exists in 10
    (NEW, {"GF_ALERTING_ENABLED": "false"}),
    (NEW, {"GF_UNIFIED_ALERTING_ENABLED": "true"}),
])
def test_alerting_settings_that_the_release_takes_pass(image, env):
    assert grafana_release_check(image, env=env)


@pytest.mark.parametrize("plugin", ["grafana-piechart-panel", "grafana-piechart-panel@1.6.4",
                                    "grafana-piechart-panel@1.6.4@https://plugins.example/piechart.zip"])
def test_the_seed_piechart_plugin_is_refused_from_grafana_12(plugin):
    with pytest.raises(AnsibleFilterError) as error:
        grafana_release_check(NEW, plugins=["grafana-clock-panel", plugin],
                              env={"GF_SECURITY_ANGULAR_SUPPORT_ENABLED": "true"})  # 12 removed it: no way back
    assert str(error.value) == (
        "grafana_plugins[1]: grafana-piechart-panel is an Angular plugin; Grafana 11 turned Angular off and 12 removed "
        "it, so Grafana 13.2.0 cannot load it. Fix: drop it: Grafana shows its panels with the core 'piechart' panel")


def test_the_piechart_plugin_on_grafana_11_needs_angular_turned_on():
    with pytest.raises(AnsibleFilterError, match=r"^grafana_plugins\[0\]: grafana-piechart-panel is an Angular"):
        grafana_release_check("grafana/grafana:11.6.0", plugins=["grafana-piechart-panel"])
    assert grafana_release_check("grafana/grafana:11.6.0", plugins=["grafana-piechart-panel"],
                                 env={"GF_SECURITY_ANGULAR_SUPPORT_ENABLED": "true"}) == "11.6.0"
    assert grafana_release_check("grafana/grafana:10.4.3", env={"GF_INSTALL_PLUGINS": "grafana-piechart-panel"}) \
        == "10.4.3"


@pytest.mark.parametrize("image", ["grafana/grafana:10.1.0", "grafana/grafana:10.4.3", "grafana/grafana:11.4.9"])
def test_plugins_before_grafana_11_5_are_refused_with_the_images_own_way(image):
    with pytest.raises(AnsibleFilterError) as error:
        grafana_release_check(image, plugins=["grafana-clock-panel"])
    release = image.rsplit(":", 1)[1]
    assert str(error.value) == (
        "grafana_plugins: the role lists plugins in grafana.ini's [plugins] preinstall, which Grafana reads from "
        "11.5.0 on: Grafana %s would start without them. Fix: leave grafana_plugins empty and set GF_INSTALL_PLUGINS "
        "in grafana_extra_env to the plugin IDs, comma-separated (the image's start script installs them), or pin "
        "Grafana 11.5.0 or later" % release)


@pytest.mark.parametrize("image", ["grafana/grafana:11.5.0", "grafana/grafana:12.0.0", NEW])
def test_plugins_from_grafana_11_5_pass(image):
    assert grafana_release_check(image, plugins=["grafana-clock-panel"]) == image.rsplit(":", 1)[1]


def test_an_upgrade_over_a_grafana_with_legacy_alerting_is_refused():
    with pytest.raises(AnsibleFilterError) as error:
        grafana_release_check(NEW, running=_running("grafana/grafana:10.4.3", "GF_ALERTING_ENABLED=true"))
    message = str(error.value)
    assert message.startswith(
        "grafana_image: grafana/grafana:13.2.0 would replace Grafana 10.4.3, which runs with legacy alerting "
        "(GF_ALERTING_ENABLED=true); Grafana 11 and later can no longer move legacy alerts to Grafana Alerting")
    assert "Fix: converge once with grafana_image set to a Grafana 10.4 release" in message


@pytest.mark.parametrize("running", [
    None,
    {},
    {"Config": None},
    _running("grafana/grafana:10.4.3"),  # Grafana Alerting already: the upgrade is safe
    _running("grafana/grafana:10.4.3", "GF_ALERTING_ENABLED=false"),
    _running("grafana/grafana:11.6.0", "GF_ALERTING_ENABLED=true"),  # not a Grafana 10 any more
    _running("localhost/grafana:custom", "GF_ALERTING_ENABLED=true"),  # release unknown: not guessed
])
def test_other_running_grafanas_do_not_stop_the_upgrade(running):
    assert grafana_release_check(NEW, running=running) == "13.2.0"


def test_moving_to_10_4_first_is_allowed():
    assert grafana_release_check("grafana/grafana:10.4.3",
                                 running=_running("grafana/grafana:10.1.5", "GF_ALERTING_ENABLED=true")) == "10.4.3"

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: grafana_dashboards
short_description: Normalise dashboard JSON files for Grafana's file provisioning and check them
version_added: 0.4.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Takes dashboards as files (file name to JSON text or an already parsed mapping) and returns file name to the
    dashboard model that Grafana's file provisioner loads, each checked.
  - "B(Normalisation): the HTTP API envelope C({\"dashboard\": {...}, \"overwrite\": ...}) (the seed's
    C(application-overview.json)) is unwrapped, since file provisioning reads the bare model; C(id) becomes
    C(null) (Grafana assigns it); a missing C(uid) is derived from the file name (lower case, runs of other
    characters than C(a-z 0-9 _ -) become C(-), at most 40 characters, longer names are cut and get a hash of the
    name appended), so it is the same on every run and links to the dashboard keep working; a missing C(version)
    becomes C(1)."
  - "B(graph panels) (the Angular panel that Grafana 11 disabled and 12 removed) become C(timeseries) panels. Kept
    as they are: C(id), C(title), C(description), C(datasource), C(targets), C(gridPos), C(links), C(transparent),
    C(repeat), C(repeatDirection), C(maxPerRow), C(interval), C(maxDataPoints), C(timeFrom), C(timeShift),
    C(hideTimeOverride), C(transformations), C(fieldConfig), C(libraryPanel). Translated, when the panel's
    C(fieldConfig) does not already set them: the first of C(yaxes) to C(unit), C(min), C(max); C(lines)/C(bars)
    to C(drawStyle); C(fill) (0-10) to C(fillOpacity) (0-100); C(linewidth) to C(lineWidth); C(stack) to normal
    stacking; the old C(legend) (C(show), C(alignAsTable), C(rightSide)) to C(options.legend); C(tooltip.shared) to
    C(options.tooltip.mode). Everything else of the graph panel (C(xaxis), C(yaxis), C(aliasColors),
    C(seriesOverrides), C(thresholds), C(nullPointMode) and the like) is dropped."
  - "Panels without C(gridPos) are laid out below the positioned ones on Grafana's 24 column grid, two 12x8 tiles a
    line (a C(row) panel takes a whole line of height 1)."
  - "Datasource references of panels, queries, template variables and annotations become C({type, uid}) by looking
    them up in O(datasource_uids): a datasource name or uid as a string, C({uid: ...}), C({type: ...}) alone (the
    one datasource of that type), and the inputs of exported dashboards (C(${DS_PROMETHEUS}) with C(__inputs), which
    is then dropped). Datasource template variables (C($datasource)) and Grafana's built-in datasources are kept.
    An unresolvable reference fails naming the file and the panel."
  - "Checks (the same as M(proxy_agent.observability.grafana_provisioning_check) runs on the host): a title, a
    stable uid, C(panels) a list, targets for every panel that shows data; dashboard uids and titles unique across
    the files (an error names both files)."
  - The filter C(grafana_dashboard_check) runs only the checks on one dashboard and returns it unchanged.
positional: datasource_uids
options:
  _input:
    description: File name (ending in C(.json)) to the dashboard, as JSON text or a mapping.
    type: dict
    required: true
  datasource_uids:
    description:
      - "Datasource name or uid to C({type, uid}), for example
        C({'Prometheus': {'type': 'prometheus', 'uid': 'prometheus'}})."
      - The C(datasources) list of P(proxy_agent.observability.grafana_datasources#filter) works as well (each
        datasource is found by its name and by its uid).
    type: raw
    required: true
  variable:
    description: The variable the dashboards come from, named in error messages together with the file name
      (C(<variable>/<file name>)). The grafana role reads them from the directory C(grafana_dashboards_dir).
    type: str
    default: grafana_dashboards_dir
"""

EXAMPLES = r"""
- name: Normalise the dashboards of a directory
  ansible.builtin.set_fact:
    __grafana_dashboards: >-
      {{ dict(__paths | map('basename') | zip(query('ansible.builtin.file', *__paths)))
         | proxy_agent.observability.grafana_dashboards(__grafana_datasources.datasources) }}
  vars:
    __paths: "{{ query('ansible.builtin.fileglob', grafana_dashboards_dir ~ '/*.json') | sort }}"

- name: Check one dashboard
  ansible.builtin.assert:
    that: >-
      (lookup('file', 'my.json') | from_json
       | proxy_agent.observability.grafana_dashboard_check(__grafana_datasources.datasources, name='my.json'))
      is mapping
"""

RETURN = r"""
_value:
  description: File name to the normalised dashboard model (C(grafana_dashboards)); the dashboard unchanged
    (C(grafana_dashboard_check)).
  type: dict
"""

import copy
import hashlib
import json
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import Problem
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import check_dashboard
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import datasource_index
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

GRID_WIDTH = 24
TILE_WIDTH = 12
TILE_HEIGHT = 8

# Keys of a graph panel that mean the same in a timeseries panel.
GRAPH_KEEP = ("id", "title", "description", "datasource", "targets", "gridPos", "links", "transparent", "repeat",
              "repeatDirection", "maxPerRow", "interval", "maxDataPoints", "timeFrom", "timeShift",
              "hideTimeOverride", "transformations", "fieldConfig", "libraryPanel")


def uid_from_file_name(name):
    """A stable dashboard uid from a file name: slug of at most 40 characters."""
    stem = name[:-5] if name.endswith(".json") else name
    slug = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-")
    if slug and len(slug) <= 40:
        return slug
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return (slug[:31].rstrip("-") + "-" + digest) if slug else "dashboard-" + digest


def _number(value):
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def graph_to_timeseries(panel):
    """A timeseries panel with what a graph panel says that still has a meaning."""
    new = {key: copy.deepcopy(panel[key]) for key in GRAPH_KEEP if key in panel}
    new["type"] = "timeseries"
    field_config = new.setdefault("fieldConfig", {})
    defaults = field_config.setdefault("defaults", {})
    field_config.setdefault("overrides", [])
    yaxes = panel.get("yaxes")
    if isinstance(yaxes, list) and yaxes and isinstance(yaxes[0], Mapping):
        axis = yaxes[0]
        if isinstance(axis.get("format"), str) and axis["format"] != "short":
            defaults.setdefault("unit", axis["format"])
        for key in ("min", "max"):
            if _number(axis.get(key)) is not None:
                defaults.setdefault(key, _number(axis[key]))
    custom = defaults.setdefault("custom", {})
    custom.setdefault("drawStyle", "bars" if panel.get("bars") and not panel.get("lines", True) else "line")
    if _number(panel.get("fill")) is not None:
        custom.setdefault("fillOpacity", int(_number(panel["fill"]) * 10))
    if _number(panel.get("linewidth")) is not None:
        custom.setdefault("lineWidth", int(_number(panel["linewidth"])))
    if panel.get("stack"):
        custom.setdefault("stacking", {"mode": "normal", "group": "A"})
    options = new.setdefault("options", {})
    legend = panel.get("legend")
    if isinstance(legend, Mapping):
        options["legend"] = {"showLegend": bool(legend.get("show", True)),
                             "displayMode": "table" if legend.get("alignAsTable") else "list",
                             "placement": "right" if legend.get("rightSide") else "bottom", "calcs": []}
    tooltip = panel.get("tooltip")
    if isinstance(tooltip, Mapping):
        options["tooltip"] = {"mode": "multi" if tooltip.get("shared") else "single", "sort": "none"}
    return new


def upgrade_panels(panels):
    """Replace graph panels, also inside rows, in place."""
    for number, panel in enumerate(panels):
        if not isinstance(panel, Mapping):
            continue
        if panel.get("type") == "graph":
            panels[number] = graph_to_timeseries(panel)
        elif isinstance(panel.get("panels"), list):
            upgrade_panels(panel["panels"])


def place_panels(panels, top=0):
    """Give panels without gridPos a place below the others: 12x8 tiles, two a line; rows a full line."""
    bottom = top
    for panel in panels:
        if isinstance(panel, Mapping) and isinstance(panel.get("gridPos"), Mapping):
            pos = panel["gridPos"]
            if isinstance(pos.get("y"), int) and isinstance(pos.get("h"), int):
                bottom = max(bottom, pos["y"] + pos["h"])
    x, y = 0, bottom
    for panel in panels:
        if not isinstance(panel, Mapping):
            continue
        if not isinstance(panel.get("gridPos"), Mapping):
            if panel.get("type") == "row":
                if x:
                    x, y = 0, y + TILE_HEIGHT
                panel["gridPos"] = {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y}
                y += 1
            else:
                panel["gridPos"] = {"h": TILE_HEIGHT, "w": TILE_WIDTH, "x": x, "y": y}
                x += TILE_WIDTH
                if x >= GRID_WIDTH:
                    x, y = 0, y + TILE_HEIGHT
        if isinstance(panel.get("panels"), list):
            place_panels(panel["panels"], panel["gridPos"].get("y", 0) + 1)


def _index(datasource_uids):
    try:
        return datasource_index(datasource_uids)
    except Problem as problem:
        raise bad_input(problem.where, problem.problem, problem.fix)


def _raise(where, problem):
    if problem.where == "dashboard":
        raise bad_input(where, problem.problem, problem.fix)
    raise bad_input(where, "%s: %s" % (problem.where, problem.problem), problem.fix)


def _parse(where, content):
    if isinstance(content, Mapping):
        return copy.deepcopy(dict(content))
    if isinstance(content, str):
        try:
            parsed = json.loads(content)
        except ValueError as error:
            raise bad_input(where, "is not valid JSON (%s)" % error, "correct the JSON syntax")
        if isinstance(parsed, Mapping):
            return parsed
    raise bad_input(where, "is not a dashboard (a JSON object), got %s" % type(content).__name__,
                    "give the dashboard's JSON text, e.g. lookup('file', 'my-dashboard.json')")


def _where(variable, name):
    """How errors name one dashboard: the variable it comes from and its file name."""
    return "%s/%s" % (variable, name)


def normalize_dashboard(name, content, index, variable="grafana_dashboards_dir"):
    """One dashboard, normalised and checked; errors name variable/name."""
    where = _where(variable, name)
    dashboard = _parse(where, content)
    if "dashboard" in dashboard and isinstance(dashboard["dashboard"], Mapping) and "title" not in dashboard:
        dashboard = dashboard["dashboard"]
    dashboard["id"] = None
    if not dashboard.get("uid"):
        dashboard["uid"] = uid_from_file_name(name)
    dashboard.setdefault("version", 1)
    panels = dashboard.get("panels")
    if isinstance(panels, list):
        upgrade_panels(panels)
        place_panels(panels)
    try:
        check_dashboard(dashboard, index, normalize=True)
    except Problem as problem:
        _raise(where, problem)
    dashboard.pop("__inputs", None)
    return dashboard


def grafana_dashboards(files, datasource_uids, variable="grafana_dashboards_dir"):
    """Return {file name: normalised dashboard}, checked, with unique uids and titles."""
    if not isinstance(files, Mapping):
        raise bad_input(variable, "must map file names to dashboards, got %s" % type(files).__name__,
                        "set it like {'my-dashboard.json': \"{{ lookup('file', 'my-dashboard.json') }}\"}")
    index = _index(datasource_uids)
    result, uids, titles = {}, {}, {}
    for name in sorted(files, key=str):
        if not isinstance(name, str) or not name.endswith(".json") or "/" in name or name.startswith("."):
            raise bad_input(_where(variable, name), "is not a plain file name ending in .json",
                            "name the file like 'my-dashboard.json'")
        dashboard = normalize_dashboard(name, files[name], index, variable)
        where = _where(variable, name)
        if dashboard["uid"] in uids:
            raise bad_input(where, "uid %r is also the uid of %s"
                            % (dashboard["uid"], _where(variable, uids[dashboard["uid"]])),
                            "give each dashboard its own uid")
        uids[dashboard["uid"]] = name
        if dashboard["title"] in titles:
            raise bad_input(where, "title %r is also the title of %s"
                            % (dashboard["title"], _where(variable, titles[dashboard["title"]])),
                            "give each dashboard its own title")
        titles[dashboard["title"]] = name
        result[name] = dashboard
    return result


def grafana_dashboard_check(dashboard, datasource_uids, name="dashboard", variable="grafana_dashboards_dir"):
    """Check one dashboard model (not normalised); return it unchanged."""
    where = _where(variable, name)
    if not isinstance(dashboard, Mapping):
        dashboard = _parse(where, dashboard)
    try:
        check_dashboard(copy.deepcopy(dashboard), _index(datasource_uids))
    except Problem as problem:
        _raise(where, problem)
    return dashboard


class FilterModule(object):
    """Grafana dashboards for file provisioning."""

    def filters(self):
        return {"grafana_dashboards": grafana_dashboards, "grafana_dashboard_check": grafana_dashboard_check}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of Grafana dashboards and datasource references, shared by the grafana_provisioning_check module (on the
host) and the grafana_dashboards filter (on the controller). Private to the collection (leading underscore)."""

from __future__ import annotations

import re

from collections.abc import Mapping

UID = re.compile(r"^[a-zA-Z0-9._-]{1,40}$")
ACCESS_MODES = ("proxy", "direct")
# Datasources every Grafana has: uid -> type.
BUILTIN_DATASOURCES = {"-- Grafana --": "grafana", "grafana": "datasource", "-- Mixed --": "datasource",
                       "-- Dashboard --": "datasource"}
# Panel types that query nothing.
NO_DATA_PANELS = frozenset(("row", "text", "news", "dashlist", "alertlist", "annolist", "welcome", "gettingstarted"))
_VARIABLE = re.compile(r"^\$(?:\{([A-Za-z0-9_]+)(?::[a-z]+)?\}|([A-Za-z0-9_]+))$")


class Problem(Exception):
    """A problem in a dashboard or provisioning file: where, what is wrong, how to fix it."""

    def __init__(self, where, problem, fix):
        super(Problem, self).__init__(where, problem, fix)
        self.where, self.problem, self.fix = where, problem, fix

    def __str__(self):
        return "%s: %s. Fix: %s" % (self.where, self.problem, self.fix)


def datasource_index(datasources, where="datasource_uids"):
    """{name or uid: {"type", "uid"}} from such a mapping or from a list of provisioning datasources."""
    index = {}
    if isinstance(datasources, Mapping):
        for key, value in datasources.items():
            if not isinstance(value, Mapping) or not isinstance(value.get("uid"), str) \
                    or not isinstance(value.get("type"), str):
                raise Problem(where, "the entry %r is not a mapping with the datasource's type and uid" % (key,),
                              "map each name or uid to {'type': 'prometheus', 'uid': 'prometheus'}")
            index[str(key)] = {"type": value["type"], "uid": value["uid"]}
            index[value["uid"]] = {"type": value["type"], "uid": value["uid"]}
        return index
    if isinstance(datasources, (list, tuple)):
        for item in datasources:
            if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
                raise Problem(where, "%r is not a datasource with a type" % (item,),
                              "pass the datasources list of grafana_datasources")
            uid = item.get("uid") or item.get("name")
            entry = {"type": item["type"], "uid": uid}
            for key in (item.get("name"), item.get("uid")):
                if key:
                    index[key] = entry
        return index
    raise Problem(where, "must be a mapping of datasource name or uid to {type, uid}, got %s"
                  % type(datasources).__name__, "pass e.g. {'prometheus': {'type': 'prometheus', 'uid': 'prometheus'}}")


def _known(index):
    return ", ".join(sorted({entry["uid"] for entry in index.values()})) or "none"


def _datasource_variables(dashboard):
    """{name: plugin type} of the dashboard's datasource template variables."""
    found = {}
    templating = dashboard.get("templating")
    if isinstance(templating, Mapping) and isinstance(templating.get("list"), list):
        for var in templating["list"]:
            if isinstance(var, Mapping) and var.get("type") == "datasource" and isinstance(var.get("name"), str):
                found[var["name"]] = var.get("query") if isinstance(var.get("query"), str) else ""
    return found


def _by_type(index, plugin):
    uids = sorted({entry["uid"] for entry in index.values() if entry["type"] == plugin})
    if plugin in uids:
        return index[plugin]
    if len(uids) == 1:
        return index[uids[0]]
    return None


def _resolve_name(ref, index, dashboard, where):
    """Resolve a uid, name or variable reference (a string) to {"type", "uid"}."""
    if ref in BUILTIN_DATASOURCES:
        return {"type": BUILTIN_DATASOURCES[ref], "uid": ref}
    if ref in index:
        return dict(index[ref])
    match = _VARIABLE.match(ref)
    if match:
        name = match.group(1) or match.group(2)
        variables = _datasource_variables(dashboard)
        if name in variables:
            return {"type": variables[name], "uid": "${%s}" % name} if variables[name] else {"uid": "${%s}" % name}
        # An exported dashboard's input (__inputs: [{name: DS_PROMETHEUS, pluginId: prometheus}]).
        for item in dashboard.get("__inputs") or []:
            if isinstance(item, Mapping) and item.get("name") == name and item.get("type") == "datasource":
                found = _by_type(index, item.get("pluginId"))
                if found:
                    return dict(found)
        if name.upper().startswith("DS_"):
            wanted = name[3:].lower().replace("_", "")
            for key, entry in sorted(index.items()):
                if key.lower().replace("_", "").replace("-", "").replace(" ", "") == wanted:
                    return dict(entry)
        raise Problem(where, "datasource %r is neither a datasource template variable of the dashboard nor an input "
                      "that matches a provisioned datasource" % ref,
                      "refer to the datasource by its uid (one of: %s)" % _known(index))
    raise Problem(where, "datasource %r is not a provisioned datasource" % ref,
                  "refer to a datasource by its uid (one of: %s), or provision it (grafana_datasources_extra)"
                  % _known(index))


def resolve_datasource(ref, index, dashboard, where):
    """The {"type", "uid"} a datasource reference stands for; None for the default datasource."""
    if ref is None or ref == "":
        return None
    if isinstance(ref, str):
        return _resolve_name(ref, index, dashboard, where)
    if isinstance(ref, Mapping):
        uid, kind = ref.get("uid"), ref.get("type")
        if uid is None:
            if kind is None:
                return None
            found = _by_type(index, kind)
            if found is None:
                raise Problem(where, "datasource of type %r without a uid matches no single provisioned datasource"
                              % (kind,), "add the uid (one of: %s)" % _known(index))
            return dict(found)
        if not isinstance(uid, str):
            raise Problem(where, "datasource uid %r is not a string" % (uid,), "use a uid like 'prometheus'")
        resolved = _resolve_name(uid, index, dashboard, where)
        if kind and resolved.get("type") and kind != resolved["type"] and not uid.startswith("$") \
                and uid not in BUILTIN_DATASOURCES:
            raise Problem(where, "datasource %r has type %r, but the reference says %r" % (uid, resolved["type"], kind),
                          "correct the type or the uid of the reference")
        if kind and not resolved.get("type"):
            resolved["type"] = kind
        return resolved
    raise Problem(where, "datasource %r is neither a uid nor a {type, uid} mapping" % (ref,),
                  "use {'type': 'prometheus', 'uid': 'prometheus'}")


def panel_label(panel, path):
    title = panel.get("title") if isinstance(panel, Mapping) else None
    return "panel %r (%s)" % (title, path) if title else "panel %s" % path


def iter_panels(panels, path="panels"):
    """(panel, path) of every panel, the panels of collapsed rows included."""
    for number, panel in enumerate(panels):
        here = "%s[%d]" % (path, number)
        yield panel, here
        if isinstance(panel, Mapping) and isinstance(panel.get("panels"), list):
            yield from iter_panels(panel["panels"], here + ".panels")


def check_dashboard(dashboard, index, normalize=False):
    """Check a bare dashboard model against the datasources of index; raise Problem.

    With normalize, every datasource reference is rewritten to {"type", "uid"} in place.
    Problem.where is relative to the dashboard ("dashboard", "panel 'X' (panels[0])")."""
    if not isinstance(dashboard, Mapping):
        raise Problem("dashboard", "is not a JSON object", "store one dashboard model per file")
    if "dashboard" in dashboard and isinstance(dashboard["dashboard"], Mapping) and "title" not in dashboard:
        raise Problem("dashboard", "is wrapped in the HTTP API envelope {\"dashboard\": ...}, which file provisioning "
                      "does not unwrap", "store the bare dashboard model (the grafana_dashboards filter unwraps it)")
    if not isinstance(dashboard.get("title"), str) or not dashboard["title"].strip():
        raise Problem("dashboard", "has no title", "set \"title\"")
    if not isinstance(dashboard.get("uid"), str) or not UID.match(dashboard["uid"]):
        raise Problem("dashboard", "uid %r is not a stable Grafana uid" % (dashboard.get("uid"),),
                      "set \"uid\" to 1 to 40 letters, digits, '.', '_' or '-'")
    if "rows" in dashboard and "panels" not in dashboard:
        raise Problem("dashboard", "uses the pre-5.0 \"rows\" layout", "re-export it from a current Grafana")
    panels = dashboard.get("panels", [])
    if not isinstance(panels, list):
        raise Problem("dashboard", "\"panels\" is not a list", "make \"panels\" a list of panels")
    for panel, path in iter_panels(panels):
        label = panel_label(panel, path)
        if not isinstance(panel, Mapping):
            raise Problem(label, "is not a JSON object", "make each panel an object")
        resolved = resolve_datasource(panel.get("datasource"), index, dashboard, label)
        if normalize and "datasource" in panel:
            panel["datasource"] = resolved
        if panel.get("type") in NO_DATA_PANELS or "libraryPanel" in panel:
            continue
        targets = panel.get("targets")
        if not isinstance(targets, list) or not targets:
            raise Problem(label, "shows data but has no targets", "add the panel's queries as \"targets\"")
        for number, target in enumerate(targets):
            where = "%s targets[%d]" % (label, number)
            if not isinstance(target, Mapping):
                raise Problem(where, "is not a JSON object", "make each target an object with the query")
            resolved = resolve_datasource(target.get("datasource"), index, dashboard, where)
            if normalize and "datasource" in target:
                target["datasource"] = resolved
    for section in ("templating", "annotations"):
        block = dashboard.get(section)
        if not isinstance(block, Mapping) or not isinstance(block.get("list"), list):
            continue
        for number, item in enumerate(block["list"]):
            if not isinstance(item, Mapping) or (section == "templating" and item.get("type") == "datasource"):
                continue
            where = "%s.list[%d] %r" % (section, number, item.get("name"))
            resolved = resolve_datasource(item.get("datasource"), index, dashboard, where)
            if normalize and "datasource" in item:
                item["datasource"] = resolved
    return dashboard

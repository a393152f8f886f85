#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: grafana_provisioning_check
short_description: Check a staged Grafana provisioning directory before Grafana reads it
version_added: 0.4.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Grafana has no offline validator for its provisioning files: a bad file shows up as a log line after a restart,
    and a dashboard that fails to load is simply missing. This module reads a staged copy of the provisioning tree
    and fails, naming the file (and the panel) and what to fix, before anything is swapped in."
  - "B(Datasource files) (C(provisioning/datasources/*.yaml), C(*.yml)): a mapping with C(apiVersion: 1); C(datasources)
    a list of mappings, each with a C(name) and a C(type) (strings), C(access) C(proxy) or C(direct) when given,
    C(uid) a Grafana uid (1 to 40 letters, digits, C(.), C(_), C(-)), C(url) a string, C(isDefault) and C(editable)
    booleans, C(jsonData) and C(secureJsonData) mappings; across all files (per C(orgId)): names and uids unique and
    exactly one datasource marked C(isDefault)."
  - "B(Dashboard provider files) (C(provisioning/dashboards/*.yaml), C(*.yml)): a mapping with C(apiVersion: 1) and a
    C(providers) list; each provider with a unique C(name), C(type: file) (the default when left out) and
    C(options.path), a path in the container that O(mount) maps to a directory which exists in the staged tree."
  - "B(Dashboards) (every C(*.json) below each provider's directory): valid JSON; a bare dashboard model, not the
    HTTP API envelope C({\"dashboard\": ...}) (the file provisioner does not unwrap it); a C(title); a C(uid), unique
    across all providers; titles unique within a provider's folder; C(panels) a list (the pre-5.0 C(rows) layout is
    rejected); every datasource reference of panels, queries, template variables and annotations resolves to a
    provisioned datasource (by uid or name), a built-in one (C(-- Grafana --), C(-- Mixed --), C(-- Dashboard --))
    or a datasource template variable of the dashboard; every panel that shows data has C(targets)."
  - Nothing is changed (C(changed=false)); check mode runs the same checks.
options:
  path:
    description: The staged directory. It holds C(provisioning/datasources) and C(provisioning/dashboards) and
      usually the dashboard JSON directories.
    type: path
    required: true
  mount:
    description:
      - "Container path to directory, for the bind mounts Grafana's container will see, so that the providers'
        C(options.path) can be found in the staged tree, for example C({/var/lib/grafana/dashboards: dashboards})."
      - A relative directory is relative to O(path). The longest matching container path wins.
    type: dict
    default: {}
requirements:
  - PyYAML on the managed host for files written as YAML; files written as JSON (as the grafana role writes them) need
    nothing.
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - "File formats: U(https://grafana.com/docs/grafana/latest/administration/provisioning/)."
  - "Dashboard model:
    U(https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/)."
"""

EXAMPLES = r"""
- name: Check the staged provisioning tree
  proxy_agent.observability.grafana_provisioning_check:
    path: /etc/proxy-observability/.staging/grafana
    mount:
      /var/lib/grafana/dashboards: dashboards
"""

RETURN = r"""
datasources:
  description: Names of the provisioned datasources, in file order.
  returned: success
  type: list
  elements: str
providers:
  description: Names of the dashboard providers.
  returned: success
  type: list
  elements: str
dashboards:
  description: The dashboards found, each with C(file) (relative to O(path)), C(uid) and C(title).
  returned: success
  type: list
  elements: dict
"""

import json
import os
import re

from collections.abc import Mapping

from ansible.module_utils.basic import AnsibleModule

try:
    import yaml
    HAS_YAML = True
except ImportError:
    HAS_YAML = False

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


def _load_yaml(rel, full):
    with open(full) as handle:
        text = handle.read()
    if not HAS_YAML:
        # JSON is YAML: the collection writes its provisioning files as JSON, so hosts without PyYAML can check them.
        try:
            return json.loads(text)
        except ValueError:
            raise Problem(rel, "is not JSON, and PyYAML, needed to read YAML, is not installed on the host",
                          "install PyYAML (python3-yaml) on the host, or write the file as JSON") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise Problem(rel, "is not valid YAML (%s)" % str(error).replace("\n", " "), "correct the YAML syntax")


def _yaml_files(directory):
    if not os.path.isdir(directory):
        return []
    return sorted(os.path.join(directory, name) for name in os.listdir(directory)
                  if name.endswith((".yaml", ".yml")) and os.path.isfile(os.path.join(directory, name)))


def _api_version(rel, content, key):
    if not isinstance(content, Mapping):
        raise Problem(rel, "is not a YAML mapping", "start the file with apiVersion: 1 and %s:" % key)
    if content.get("apiVersion") != 1:
        raise Problem(rel, "apiVersion is %r" % (content.get("apiVersion"),), "set apiVersion: 1")
    items = content.get(key, [])
    if items is None:
        items = []
    if not isinstance(items, list):
        raise Problem(rel, "%s is not a list" % key, "make %s a list" % key)
    return items


_DS_TYPES = (("name", str), ("type", str), ("uid", str), ("url", str), ("isDefault", bool), ("editable", bool),
             ("orgId", int), ("version", int), ("jsonData", Mapping), ("secureJsonData", Mapping),
             ("basicAuth", bool), ("withCredentials", bool))


def check_datasource_files(root):
    """Check provisioning/datasources; return the datasources (with file and orgId)."""
    found, names, uids, defaults = [], {}, {}, {}
    for full in _yaml_files(os.path.join(root, "provisioning", "datasources")):
        rel = os.path.relpath(full, root)
        for number, item in enumerate(_api_version(rel, _load_yaml(rel, full), "datasources")):
            where = "%s: datasources[%d]" % (rel, number)
            if not isinstance(item, Mapping):
                raise Problem(where, "is not a mapping", "give name, type, access and url")
            for key in ("name", "type"):
                if not isinstance(item.get(key), str) or not item[key].strip():
                    raise Problem(where, "has no %s" % key, "set %s" % key)
            where = "%s: datasource %r" % (rel, item["name"])
            for key, kind in _DS_TYPES:
                wrong_type = not isinstance(item[key], kind) or (kind is int and isinstance(item[key], bool)) \
                    if key in item and item[key] is not None else False
                if wrong_type:
                    raise Problem(where, "%s is %r, not a %s" % (key, item[key], getattr(kind, "__name__", kind)),
                                  "give %s as a %s" % (key, "mapping" if kind is Mapping else kind.__name__))
            if "access" in item and item["access"] not in ACCESS_MODES:
                raise Problem(where, "access %r is not one of proxy, direct" % (item["access"],),
                              "set access: proxy (Grafana's server queries it) or direct (the browser does)")
            if item.get("uid") is not None and not UID.match(item["uid"]):
                raise Problem(where, "uid %r is not a Grafana uid" % item["uid"],
                              "use 1 to 40 letters, digits, '.', '_' or '-'")
            org = item.get("orgId") or 1
            if (org, item["name"]) in names:
                raise Problem(where, "the name is also used in %s" % names[(org, item["name"])],
                              "give each datasource its own name")
            names[(org, item["name"])] = rel
            if item.get("uid"):
                if (org, item["uid"]) in uids:
                    raise Problem(where, "the uid %r is also used in %s" % (item["uid"], uids[(org, item["uid"])]),
                                  "give each datasource its own uid")
                uids[(org, item["uid"])] = rel
            if item.get("isDefault"):
                if org in defaults:
                    raise Problem(where, "is marked isDefault, as is %s" % defaults[org],
                                  "mark one datasource of the organisation isDefault: true")
                defaults[org] = "datasource %r in %s" % (item["name"], rel)
            found.append(dict(item, _file=rel, _org=org))
    for org in sorted({item["_org"] for item in found}):
        if org not in defaults:
            raise Problem(", ".join(sorted({d["_file"] for d in found if d["_org"] == org})),
                          "no datasource of organisation %d is marked isDefault" % org,
                          "mark one datasource isDefault: true (Prometheus in this stack)")
    return found


def _host_dir(root, mount, container_path):
    """The staged directory of a container path: the longest matching mount, else None."""
    best = None
    for prefix, base in mount.items():
        norm = prefix.rstrip("/")
        if container_path.rstrip("/") == norm or container_path.startswith(norm + "/"):
            if best is None or len(norm) > len(best[0]):
                best = (norm, base)
    if best is None:
        return None
    rest = container_path[len(best[0]):].strip("/")
    base = best[1] if os.path.isabs(best[1]) else os.path.join(root, best[1])
    return os.path.normpath(os.path.join(base, rest))


def check_provider_files(root, mount):
    """Check provisioning/dashboards; return [(provider name, file, host dir)]."""
    providers, names = [], {}
    for full in _yaml_files(os.path.join(root, "provisioning", "dashboards")):
        rel = os.path.relpath(full, root)
        for number, item in enumerate(_api_version(rel, _load_yaml(rel, full), "providers")):
            where = "%s: providers[%d]" % (rel, number)
            if not isinstance(item, Mapping):
                raise Problem(where, "is not a mapping", "give name, type: file and options.path")
            if not isinstance(item.get("name"), str) or not item["name"].strip():
                raise Problem(where, "has no name", "set name")
            where = "%s: provider %r" % (rel, item["name"])
            if item["name"] in names:
                raise Problem(where, "the name is also used in %s" % names[item["name"]],
                              "give each provider its own name")
            names[item["name"]] = rel
            if item.get("type", "file") != "file":
                raise Problem(where, "type %r is not supported here" % (item.get("type"),), "set type: file")
            options = item.get("options")
            if not isinstance(options, Mapping) or not isinstance(options.get("path"), str) or not options["path"]:
                raise Problem(where, "has no options.path", "set options.path to the dashboards' directory in the "
                              "container, e.g. /var/lib/grafana/dashboards")
            host_dir = _host_dir(root, mount, options["path"])
            if host_dir is None:
                raise Problem(where, "options.path %r is under no mount" % options["path"],
                              "add the container directory and its staged directory to mount")
            if not os.path.isdir(host_dir):
                raise Problem(where, "options.path %r maps to %s, which does not exist in the staged tree"
                              % (options["path"], host_dir), "stage the dashboards there or correct mount")
            providers.append((item["name"], rel, host_dir))
    return providers


def check_dashboard_files(root, providers, index):
    """Check every *.json below the providers' directories; return [{file, uid, title}]."""
    found, uids = [], {}
    for dummy, provider_file, host_dir in providers:
        titles = {}
        for directory, dummy_dirs, files in sorted(os.walk(host_dir)):
            for name in sorted(files):
                if not name.endswith(".json"):
                    continue
                full = os.path.join(directory, name)
                rel = os.path.relpath(full, root)
                try:
                    with open(full) as handle:
                        dashboard = json.load(handle)
                except ValueError as error:
                    raise Problem(rel, "is not valid JSON (%s)" % error, "correct the JSON syntax")
                try:
                    check_dashboard(dashboard, index)
                except Problem as problem:
                    where = rel if problem.where == "dashboard" else "%s: %s" % (rel, problem.where)
                    raise Problem(where, problem.problem, problem.fix)
                uid = dashboard["uid"]
                if uid in uids:
                    raise Problem(rel, "uid %r is also the uid of %s" % (uid, uids[uid]),
                                  "give each dashboard its own uid")
                uids[uid] = rel
                folder = (provider_file, directory)
                if (folder, dashboard["title"]) in titles:
                    raise Problem(rel, "title %r is also the title of %s in the same folder"
                                  % (dashboard["title"], titles[(folder, dashboard["title"])]),
                                  "give each dashboard its own title")
                titles[(folder, dashboard["title"])] = rel
                found.append({"file": rel, "uid": uid, "title": dashboard["title"]})
    return found


def check_tree(root, mount):
    """Check a staged provisioning tree; return the summary; raise Problem."""
    if not os.path.isdir(os.path.join(root, "provisioning")):
        raise Problem("path", "%s has no provisioning directory" % root,
                      "stage provisioning/datasources and provisioning/dashboards below path")
    datasources = check_datasource_files(root)
    index = datasource_index([{"name": d["name"], "uid": d.get("uid"), "type": d["type"]} for d in datasources])
    providers = check_provider_files(root, mount)
    dashboards = check_dashboard_files(root, providers, index)
    return {"datasources": [d["name"] for d in datasources], "providers": [p[0] for p in providers],
            "dashboards": dashboards}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            mount=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    mount = {}
    for key, value in module.params["mount"].items():
        if not str(key).startswith("/") or not isinstance(value, str) or not value:
            module.fail_json(msg="mount: %r: %r is not a container path mapped to a directory. Fix: map absolute "
                             "container paths to staged directories, e.g. {'/var/lib/grafana/dashboards': "
                             "'dashboards'}" % (key, value))
        mount[str(key)] = value
    try:
        result = check_tree(module.params["path"], mount)
    except Problem as problem:
        module.fail_json(msg=str(problem))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()

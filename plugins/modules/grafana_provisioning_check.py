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

from collections.abc import Mapping

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import ACCESS_MODES
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import check_dashboard
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import datasource_index
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import Problem
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import UID

try:
    import yaml
    HAS_YAML = True
except ImportError:
    HAS_YAML = False


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

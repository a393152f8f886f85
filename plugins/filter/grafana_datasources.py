# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: grafana_datasources
short_description: Build Grafana's datasource provisioning file from the components the inventory deploys
version_added: 0.4.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - "Returns the content of Grafana's C(provisioning/datasources/<file>.yaml) as a plain dictionary
    (C({apiVersion: 1, datasources: [...]})). Dump it with C(to_nice_yaml)."
  - "One datasource per stack component that some host of O(hosts) runs (from its C(observability_components), else
    its groups), each with a fixed C(uid) that dashboards refer to: B(Prometheus) (C(uid: prometheus), the default
    datasource, C(jsonData.httpMethod: POST)), B(Loki) (C(uid: loki)), B(Jaeger) (C(uid: jaeger)), B(Alertmanager)
    (C(uid: alertmanager), C(jsonData.implementation: prometheus)). A component nobody runs gets no datasource."
  - "URLs come from P(proxy_agent.observability.service_url#filter), as seen from O(grafana_host) (the host that
    runs Grafana): the container name on the stack network when the component runs on that host
    (C(http://proxy-prometheus:9090)), else the other host's address and published port."
  - "Correlations, only between datasources that exist: Prometheus exemplars with a C(trace_id) label link to Jaeger
    (C(exemplarTraceIdDestinations)); Loki log lines carrying C(\"trace_id\":\"<id>\") (the platform's JSON logs) get a
    derived field linking to the trace in Jaeger; Jaeger spans link to the Loki logs that contain the trace id
    (C(tracesToLogsV2), Compose service label C(service) mapped from the span's C(service.name))."
  - "Grafana expands C($VAR) and C(${VAR}) in provisioning files as environment variables, so a literal C($) is
    written C($$): the derived field's URL is C($${__value.raw}) and the Jaeger logs query uses
    C($${__trace.traceId}); Grafana stores them with a single C($)."
  - "O(extra) datasources are appended after the stack's. Checked, each error naming
    C(grafana_datasources_extra[i]) and the fix: a mapping with C(name), C(type) and C(access) (C(proxy) or
    C(direct)); C(url) for types that need one; names and uids unique across all datasources (the stack's included);
    exactly one default datasource overall (Prometheus when deployed, so an extra one marked C(isDefault) is
    rejected; without Prometheus at most one extra may be marked, else the first datasource becomes the default)."
positional: grafana_host, hosts
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  grafana_host:
    description: The inventory name of the host that runs Grafana (C(inventory_hostname) in the grafana role).
    type: str
    required: true
  published_ports:
    description: Component to host port (C(observability_published_ports)), the port used for a component on
      another host that sets no port of its own.
    type: dict
  extra:
    description: Your own datasources, in Grafana's provisioning format (C(grafana_datasources_extra)).
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - proxy_agent.observability.inventory
notes:
  - "Provisioning format and the C($$) escape: U(https://grafana.com/docs/grafana/latest/administration/provisioning/)."
  - "Keys: U(https://grafana.com/docs/grafana/latest/datasources/prometheus/configure/)
    (C(exemplarTraceIdDestinations)),
    U(https://grafana.com/docs/grafana/latest/datasources/loki/configure-loki-data-source/) (C(derivedFields)),
    U(https://grafana.com/docs/grafana/latest/datasources/jaeger/) (C(tracesToLogsV2)),
    U(https://grafana.com/docs/grafana/latest/datasources/alertmanager/) (C(implementation))."
"""

EXAMPLES = r"""
- name: Render the datasources
  ansible.builtin.copy:
    dest: /etc/proxy-observability/grafana/provisioning/datasources/proxy.yaml
    content: >-
      {{ hostvars | proxy_agent.observability.grafana_datasources(
           inventory_hostname, groups['all'], prefix=observability_prefix,
           published_ports=observability_published_ports, extra=grafana_datasources_extra) | to_nice_yaml(indent=2) }}
    mode: "0644"

# With everything on one monitoring host:
# datasources:
#   - {name: Prometheus, type: prometheus, uid: prometheus, access: proxy, url: 'http://proxy-prometheus:9090',
#      isDefault: true, editable: false, jsonData: {httpMethod: POST, exemplarTraceIdDestinations: [...]}}
#   - {name: Loki, type: loki, uid: loki, url: 'http://proxy-loki:3100', ...}
#   - {name: Jaeger, type: jaeger, uid: jaeger, url: 'http://proxy-jaeger:16686', ...}
#   - {name: Alertmanager, type: alertmanager, uid: alertmanager, url: 'http://proxy-alertmanager:9093', ...}
"""

RETURN = r"""
_value:
  description: The content of the datasource provisioning file.
  type: dict
  contains:
    apiVersion:
      description: Always C(1).
      type: int
    datasources:
      description: The datasources, the stack's first, then O(extra).
      type: list
      elements: dict
"""

import copy
import re

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.filter.service_url import service_url
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._hosts import host_components_of

VAR_EXTRA = "grafana_datasources_extra"

# The regex of the Loki derived field: the value of "trace_id" in a JSON log line (the platform's structured logs).
# https://grafana.com/docs/grafana/latest/datasources/loki/configure-loki-data-source/#derived-fields
TRACE_ID_REGEX = r'"trace_id":\s*"(\w+)"'

# Types whose datasource cannot work without a URL. Other types (cloud services, testdata, plugins we do not know)
# are not checked.
TYPES_WITH_URL = frozenset((
    "prometheus", "loki", "jaeger", "tempo", "zipkin", "alertmanager", "elasticsearch", "influxdb", "graphite",
    "opentsdb", "mysql", "postgres", "grafana-postgresql-datasource", "mssql", "grafana-pyroscope-datasource",
    "parca", "grafana-opensearch-datasource",
))

# https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources ("access: proxy or direct").
ACCESS_MODES = ("proxy", "direct")

_UID = re.compile(r"^[a-zA-Z0-9._-]{1,40}$")


def _prometheus(url, jaeger):
    json_data = {"httpMethod": "POST"}
    if jaeger:
        # Exemplars whose label trace_id holds a trace id open that trace in Jaeger.
        # https://grafana.com/docs/grafana/latest/datasources/prometheus/configure/ (Exemplars)
        json_data["exemplarTraceIdDestinations"] = [{"name": "trace_id", "datasourceUid": "jaeger"}]
    return {"name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy", "url": url,
            "isDefault": True, "editable": False, "jsonData": json_data}


def _loki(url, jaeger):
    json_data = {"maxLines": 1000}
    if jaeger:
        # $$ escapes $ in provisioning files; Grafana stores ${__value.raw}, the whole match of the regex group.
        json_data["derivedFields"] = [{"name": "trace_id", "matcherRegex": TRACE_ID_REGEX,
                                       "url": "$${__value.raw}", "datasourceUid": "jaeger",
                                       "urlDisplayLabel": "View trace"}]
    return {"name": "Loki", "type": "loki", "uid": "loki", "access": "proxy", "url": url, "isDefault": False,
            "editable": False, "jsonData": json_data}


def _jaeger(url, loki):
    json_data = {}
    if loki:
        # https://grafana.com/docs/grafana/latest/datasources/jaeger/ (Trace to logs): the span's service.name is the
        # Compose service that Promtail puts in the label "service"; the custom query finds every line of any
        # container that mentions the trace id, within the span's time +-5 minutes.
        json_data["tracesToLogsV2"] = {
            "datasourceUid": "loki",
            "spanStartTimeShift": "-5m",
            "spanEndTimeShift": "5m",
            "tags": [{"key": "service.name", "value": "service"}],
            "filterByTraceID": True,
            "filterBySpanID": False,
            "customQuery": True,
            "query": '{container_name=~".+"} |= "$${__trace.traceId}"',
        }
    json_data["nodeGraph"] = {"enabled": True}
    return {"name": "Jaeger", "type": "jaeger", "uid": "jaeger", "access": "proxy", "url": url, "isDefault": False,
            "editable": False, "jsonData": json_data}


def _alertmanager(url):
    # https://grafana.com/docs/grafana/latest/datasources/alertmanager/
    return {"name": "Alertmanager", "type": "alertmanager", "uid": "alertmanager", "access": "proxy", "url": url,
            "isDefault": False, "editable": False,
            "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False}}


def deployed_components(hostvars, hosts, monitoring_group="monitoring", agents_group="agents"):
    """The components some host of hosts runs."""
    found = set()
    for host in hosts:
        if host not in hostvars:
            raise bad_input("hosts", "%r is not an inventory host" % (host,), "pass inventory hostnames, e.g. "
                            "groups['all']")
        found.update(host_components_of(hostvars[host], monitoring_group, agents_group))
    return found


def check_extra(extra, taken_names, taken_uids, has_default):
    """Check the user's datasources; return deep copies. Errors name grafana_datasources_extra[i]."""
    if extra is None:
        return []
    if not isinstance(extra, (list, tuple)):
        raise bad_input(VAR_EXTRA, "must be a list of datasources, got %s" % type(extra).__name__,
                        "set it like [{'name': 'Postgres', 'type': 'grafana-postgresql-datasource', "
                        "'access': 'proxy', 'url': 'db:5432'}]")
    names, uids = dict(taken_names), dict(taken_uids)
    result = []
    for index, item in enumerate(extra):
        where = "%s[%d]" % (VAR_EXTRA, index)
        if not isinstance(item, Mapping):
            raise bad_input(where, "must be a mapping, got %s" % type(item).__name__,
                            "give name, type, access and url of the datasource")
        for key in ("name", "type"):
            if not isinstance(item.get(key), str) or not item.get(key).strip():
                raise bad_input(where, "has no %s" % key, "set %s.%s, as in Grafana's provisioning files"
                                % (where, key))
        if item.get("access") not in ACCESS_MODES:
            raise bad_input(where, "access %r is not one of %s" % (item.get("access"), ", ".join(ACCESS_MODES)),
                            "set %s.access to 'proxy' (Grafana's server queries it) or 'direct' (the browser does)"
                            % where)
        if item["type"] in TYPES_WITH_URL and (not isinstance(item.get("url"), str) or not item["url"].strip()):
            raise bad_input(where, "a %s datasource needs a url" % item["type"], "set %s.url, e.g. "
                            "'http://host:port'" % where)
        if item["name"] in names:
            raise bad_input(where, "the name %r is already used by %s" % (item["name"], names[item["name"]]),
                            "give each datasource its own name")
        names[item["name"]] = where
        if "uid" in item:
            uid = item["uid"]
            if not isinstance(uid, str) or not _UID.match(uid):
                raise bad_input(where, "uid %r is not a Grafana uid" % (uid,),
                                "use 1 to 40 letters, digits, '.', '_' or '-'")
            if uid in uids:
                raise bad_input(where, "the uid %r is already used by %s" % (uid, uids[uid]),
                                "give each datasource its own uid")
            uids[uid] = where
        if item.get("isDefault"):
            if has_default:
                raise bad_input(where, "is marked isDefault, but %s already is the default datasource" % has_default,
                                "remove isDefault from %s: Grafana allows one default datasource" % where)
            has_default = where
        result.append(copy.deepcopy(dict(item)))
    return result


def grafana_datasources(hostvars, grafana_host, hosts, prefix="proxy", monitoring_group="monitoring",
                        agents_group="agents", published_ports=None, extra=None):
    """Return Grafana's datasource provisioning content for the deployed components."""
    if published_ports is None:
        published_ports = {}
    if not isinstance(published_ports, Mapping):
        raise bad_input("observability_published_ports", "must map components to ports, got %s"
                        % type(published_ports).__name__, "set it like {'prometheus': 9090}")
    deployed = deployed_components(hostvars, hosts, monitoring_group, agents_group)

    def url(component):
        return service_url(hostvars, component, grafana_host, hosts, prefix=prefix, monitoring_group=monitoring_group,
                           agents_group=agents_group, default_port=published_ports.get(component))

    datasources = []
    if "prometheus" in deployed:
        datasources.append(_prometheus(url("prometheus"), "jaeger" in deployed))
    if "loki" in deployed:
        datasources.append(_loki(url("loki"), "jaeger" in deployed))
    if "jaeger" in deployed:
        datasources.append(_jaeger(url("jaeger"), "loki" in deployed))
    if "alertmanager" in deployed:
        datasources.append(_alertmanager(url("alertmanager")))
    names = {ds["name"]: "the stack's %s datasource" % ds["name"] for ds in datasources}
    uids = {ds["uid"]: "the stack's %s datasource" % ds["name"] for ds in datasources}
    default = "the stack's Prometheus datasource" if "prometheus" in deployed else None
    datasources.extend(check_extra(extra, names, uids, default))
    if datasources and not any(ds.get("isDefault") for ds in datasources):
        datasources[0]["isDefault"] = True
    return {"apiVersion": 1, "datasources": datasources}


class FilterModule(object):
    """Grafana's datasources for the stack."""

    def filters(self):
        return {"grafana_datasources": grafana_datasources}

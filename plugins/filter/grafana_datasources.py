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
  - "One datasource per datasource type some component of the fleet (O(_input)) provides (the catalogue says which),
    each with a fixed C(uid) that dashboards refer to: B(Prometheus) (C(uid: prometheus), the default datasource,
    C(jsonData.httpMethod: POST)), B(Loki) (C(uid: loki)), B(Jaeger) (C(uid: jaeger), once the stack deploys it),
    B(Alertmanager) (C(uid: alertmanager), C(jsonData.implementation: prometheus)). A component nobody runs gets no
    datasource."
  - "URLs come from the fleet's endpoints, as seen from O(grafana_host): the instance on Grafana's own host when
    there is one (C(http://proxy-prometheus:9090) over the stack network), else the first instance of the inventory
    at its host's address and published port. In an HA pair each Grafana thus shows its own host's Prometheus and
    Alertmanager, which answer as long as that host does."
  - "Correlations, only between datasources that exist: Prometheus exemplars with a C(trace_id) label link to Jaeger
    (C(exemplarTraceIdDestinations)); Loki log lines carrying C(\"trace_id\":\"<id>\") (the platform's JSON logs) get a
    derived field linking to the trace in Jaeger; Jaeger spans link to the Loki logs that contain the trace id
    (C(tracesToLogsV2), Compose service label C(service) mapped from the span's C(service.name))."
  - "Grafana expands C($VAR) and C(${VAR}) in provisioning files as environment variables, so a literal C($) is
    written C($$): the derived field's URL is C($${__value.raw}) and the Jaeger logs query uses
    C($${__trace.traceId}); Grafana stores them with a single C($)."
  - "Where the endpoint serves TLS or basic auth (C(observability_web_tls), C(observability_web_auth_password)), the
    URL is C(https://...) and the datasource gets C(basicAuth), C(basicAuthUser), C(jsonData.tlsAuthWithCACert) and
    C(secureJsonData) whose C(basicAuthPassword) and C(tlsCACert) are C($__file{<config_dir>/web-password}) and
    C($__file{<config_dir>/web-ca.crt}): Grafana expands them when it reads the file, so the password is in no
    provisioning file."
  - "O(extra) datasources are appended after the stack's. Checked, each error naming
    C(grafana_datasources_extra[i]) and the fix: a mapping with C(name), C(type) and C(access) (C(proxy) or
    C(direct)); C(url) for types that need one; names and uids unique across all datasources (the stack's included);
    exactly one default datasource overall (Prometheus when deployed, so an extra one marked C(isDefault) is
    rejected; without Prometheus at most one extra may be marked, else the first datasource becomes the default)."
positional: grafana_host
options:
  grafana_host:
    description: The inventory name of the host that runs Grafana (C(inventory_hostname) in the grafana role).
    type: str
    required: true
  extra:
    description: Your own datasources, in Grafana's provisioning format (C(grafana_datasources_extra)).
    type: list
    elements: dict
    default: []
  config_dir:
    description: Grafana's configuration directory inside its container, where the grafana role keeps the stack's CA
      certificate (C(web-ca.crt)) and password (C(web-password)).
    type: str
    default: /etc/grafana
notes:
  - "Provisioning format and the C($$) escape: U(https://grafana.com/docs/grafana/latest/administration/provisioning/)."
  - "Keys: U(https://grafana.com/docs/grafana/latest/datasources/prometheus/configure/)
    (C(exemplarTraceIdDestinations)),
    U(https://grafana.com/docs/grafana/latest/datasources/loki/configure-loki-data-source/) (C(derivedFields)),
    U(https://grafana.com/docs/grafana/latest/datasources/jaeger/) (C(tracesToLogsV2)),
    U(https://grafana.com/docs/grafana/latest/datasources/alertmanager/) (C(implementation))."
extends_documentation_fragment:
  - proxy_agent.observability.fleet
"""

EXAMPLES = r"""
- name: Render the datasources
  ansible.builtin.copy:
    dest: /etc/proxy-observability/grafana/provisioning/datasources/proxy.yaml
    content: >-
      {{ _observability_fleet | proxy_agent.observability.grafana_datasources(
           inventory_hostname, extra=grafana_datasources_extra) | to_nice_yaml(indent=2) }}
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

from collections.abc import Mapping

from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import ACCESS_MODES
from ansible_collections.proxy_agent.observability.plugins.module_utils._grafana import UID
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import datasource_components
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import check_fleet
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoint_url
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._endpoints import endpoints
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

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
            if not isinstance(uid, str) or not UID.match(uid):
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


# Datasource type -> builder(url, types deployed). One datasource per type the fleet deploys (the catalogue says which
# component provides which type), at the preferred instance: Grafana's own host's, else the first.
BUILDERS = {
    "prometheus": lambda url, types: _prometheus(url, "jaeger" in types),
    "loki": lambda url, types: _loki(url, "jaeger" in types),
    "jaeger": lambda url, types: _jaeger(url, "loki" in types),
    "alertmanager": lambda url, types: _alertmanager(url),
}


def _secured(datasource, ep, config_dir):
    """The datasource with the endpoint's TLS and basic auth: Grafana reads the CA certificate and the password from
    files in its configuration directory ($__file{} expansion of provisioning values), never from this file."""
    config_dir = (config_dir or "/etc/grafana").rstrip("/")
    secure = {}
    if ep.get("basic_auth"):
        datasource["basicAuth"] = True
        datasource["basicAuthUser"] = ep["basic_auth"]["username"]
        secure["basicAuthPassword"] = "$__file{%s/%s}" % (config_dir, ep["basic_auth"]["password_file"])
    if ep.get("tls"):
        datasource["jsonData"]["tlsAuthWithCACert"] = True
        secure["tlsCACert"] = "$__file{%s/%s}" % (config_dir, ep["tls"]["ca_file"])
    if secure:
        datasource["secureJsonData"] = secure
    return datasource


def grafana_datasources(fleet, grafana_host, extra=None, config_dir="/etc/grafana"):
    """Return Grafana's datasource provisioning content for the deployed components."""
    check_fleet(fleet)
    found, eps = {}, {}
    for kind, component in datasource_components():
        preferred = endpoints(fleet, component, grafana_host, select="preferred")
        if preferred:
            found[kind] = endpoint_url(preferred[0])
            eps[kind] = preferred[0]
    datasources = [_secured(build(found[kind], found), eps[kind], config_dir)
                   for kind, build in BUILDERS.items() if kind in found]
    names = {ds["name"]: "the stack's %s datasource" % ds["name"] for ds in datasources}
    uids = {ds["uid"]: "the stack's %s datasource" % ds["name"] for ds in datasources}
    default = "the stack's Prometheus datasource" if "prometheus" in found else None
    datasources.extend(check_extra(extra, names, uids, default))
    if datasources and not any(ds.get("isDefault") for ds in datasources):
        datasources[0]["isDefault"] = True
    return {"apiVersion": 1, "datasources": datasources}


class FilterModule(object):
    """Grafana's datasources for the stack."""

    def filters(self):
        return {"grafana_datasources": grafana_datasources}

# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: alertmanager_config
short_description: Build and check Alertmanager's configuration, with every secret moved to a file
version_added: 0.1.0
author:
  - Proxy Agent Platform DevOps Team
description:
  - Takes the Alertmanager configuration in Alertmanager's own schema (C(global), C(route), C(receivers),
    C(inhibit_rules), C(templates), C(time_intervals)), checks it, and returns the content of C(alertmanager.yml)
    together with the secret files it refers to. Paste what you know from Alertmanager's configuration reference;
    the differences are listed below.
  - B(Secrets never reach the configuration.) Alertmanager does not expand environment variables, so the seed's
    C(${SLACK_WEBHOOK_URL}) placeholder is rejected by C(amtool check-config) ("unsupported scheme"). Give the real
    values instead (from Ansible Vault); the filter moves each into a file under O(secrets_dir) and writes the
    C(*_file) form that Alertmanager 0.25 and newer read, as listed in the next items.
  - Global C(slack_api_url) becomes C(slack_api_url_file) (file C(slack_api_url)).
  - A C(slack_configs) entry's C(api_url) becomes C(api_url_file) (file C(slack_<receiver>_api_url)).
  - A C(pagerduty_configs) entry's C(routing_key) becomes C(routing_key_file) and its C(service_key) becomes
    C(service_key_file) (files C(pagerduty_<receiver>_routing_key) and C(pagerduty_<receiver>_service_key)).
  - A C(webhook_configs) entry's C(url) stays inline (it is not a secret); give C(url_secret) instead to have it
    written to a file and referenced as C(url_file) (file C(webhook_<receiver>_url)).
  - Likewise C(<key>) becomes C(<key>_file) (file C(<integration>_<receiver>_<key>)) for C(email_configs)
    C(auth_password), C(opsgenie_configs) and C(victorops_configs) C(api_key), C(pushover_configs) C(user_key) and
    C(token), C(telegram_configs) C(bot_token), C(discord_configs), C(msteams_configs) and C(msteamsv2_configs)
    C(webhook_url), C(rocketchat_configs) C(token) and C(token_id); and in C(global) C(smtp_auth_password),
    C(opsgenie_api_key), C(victorops_api_key), C(rocketchat_token), C(rocketchat_token_id) (file named after the key).
    Alertmanager 0.28 and newer read all of these C(*_file) keys.
  - Every C(http_config) (in C(global) and in any integration entry) has its inline credentials moved the same way,
    C(basic_auth.password) to C(password_file), C(authorization.credentials) to C(credentials_file), C(bearer_token)
    to C(bearer_token_file), C(oauth2.client_secret) to C(client_secret_file), C(tls_config.key) to C(key_file)
    (files C(http_config_<part>) for the global one, C(<integration>_<receiver>_<part>) for an integration's, the
    part being C(basic_auth_password), C(authorization_credentials), C(bearer_token), C(oauth2_client_secret) or
    C(tls_key)).
  - Secrets that Alertmanager 0.28 to 0.30 can only read inline (C(global.smtp_auth_secret),
    C(global.wechat_api_secret), C(email_configs) C(auth_secret), C(wechat_configs) C(api_secret)) are refused.
  - File names use the receiver name with every character other than letters, digits, C(_), C(.) and C(-) replaced
    by C(_); the second and later entries of one list add their index (C(slack_critical_1_api_url)).
    A C(*_file) key you set yourself is passed through untouched (the file must then exist on the host).
  - Secret values are checked (a Slack, webhook, Discord or Teams URL must be an C(http://) or C(https://) URL, a
    PagerDuty key a string without spaces, any other secret a non-empty string without whitespace around it, which
    Alertmanager would trim from the file, and none may be an unexpanded C(${VARIABLE})), because Alertmanager
    reads secret files only when it sends a notification, so C(amtool check-config) cannot catch a bad one. Error
    messages never show a secret value.
  - The deprecated C(match) and C(match_re) of routes and C(source_match), C(source_match_re), C(target_match),
    C(target_match_re) of inhibition rules are converted to C(matchers), C(source_matchers) and C(target_matchers)
    strings in the syntax of Alertmanager 0.27's UTF-8 matchers parser (C(severity="critical")), appended after any
    C(matchers) the same route or rule already has.
  - Checks, each failing with the variable path and a fix. Top-level keys other than the six above are rejected.
    Receiver names are unique; a receiver has a C(name) and C(*_configs) lists only. Every route names (or
    inherits) a receiver that exists; the root route has a receiver and no matchers, C(continue) or time
    intervals; routes and inhibition rules have no unknown keys. Matchers parse (label, operator C(=), C(!=),
    C(=~) or C(!~), double-quoted or unquoted value, several per string separated by commas, optionally in braces;
    escapes inside quotes as in Go strings, so a regex backslash is doubled, C(job=~"\\d+")). C(group_wait),
    C(group_interval), C(repeat_interval) and C(resolve_timeout) are Prometheus durations (C(1h30m), units from
    the largest, C(y w d h m s ms)); C(group_interval) and C(repeat_interval) are not zero. C(continue) is a
    boolean. C(group_by) is a list of distinct label names, or C(['...']) alone. C(equal) is a list. Time interval
    names that routes use are defined. A Slack entry has a URL (its own or the global one); a PagerDuty entry has
    a routing or service key; a webhook entry has exactly one of C(url), C(url_secret), C(url_file).
  - 'Regular expressions are checked with Python''s C(re) as an approximation of Go''s RE2, anchored like
    Alertmanager does (the whole value must match). Lookaround and backreferences, which Python accepts and RE2
    rejects, are rejected; C(\p{...}) and C(\z), which RE2 accepts and Python lacks, are accepted. Other
    differences can remain:
    C(amtool check-config) on the rendered file is the final word.'
  - A receiver that no route uses is not an error (Alertmanager accepts it) but is reported in RV(_value.warnings).
options:
  _input:
    description:
      - The configuration in Alertmanager's schema (the role's C(alertmanager_config)), with the secrets inline
        as described above.
      - Keys C(route) and C(receivers) are required; C(global), C(templates), C(inhibit_rules) and
        C(time_intervals) are optional.
    type: dict
    required: true
  secrets_dir:
    description: The absolute path, as Alertmanager sees it, of the directory the secret files are written to.
    type: str
    default: /etc/alertmanager/secrets
  variable:
    description: The variable name that error messages and RV(_value.secret_files) start their paths with.
    type: str
    default: alertmanager_config
"""

EXAMPLES = r"""
- name: Build the Alertmanager configuration
  ansible.builtin.set_fact:
    _alertmanager_rendered: "{{ alertmanager_config | proxy_agent.observability.alertmanager_config }}"
  no_log: true

- name: Write the secret files
  ansible.builtin.copy:
    content: "{{ item.value }}"
    dest: "{{ alertmanager_config_dir }}/secrets/{{ item.key }}"
    group: "65534"  # Alertmanager's user, nobody
    mode: "0640"
  loop: "{{ _alertmanager_rendered.secrets | dict2items }}"
  loop_control:
    label: "{{ item.key }} (from {{ _alertmanager_rendered.secret_files[item.key] }})"
  no_log: true
  diff: false

- name: Write alertmanager.yml
  ansible.builtin.copy:
    content: "{{ _alertmanager_rendered.config | to_nice_yaml(indent=2) }}"
    dest: "{{ alertmanager_config_dir }}/alertmanager.yml"
    mode: "0644"

# Input, in a vars file (the !unsafe tags keep Ansible from reading Alertmanager's Go templates as Jinja):
#
# alertmanager_config:
#   global:
#     resolve_timeout: 5m
#     slack_api_url: "{{ vault_slack_webhook_url }}"
#   route:
#     receiver: default
#     group_by: [alertname, cluster, service]
#     routes:
#       - match: {severity: critical}     # becomes matchers: ['severity="critical"']
#         receiver: critical
#         continue: true
#   receivers:
#     - name: default
#       slack_configs:
#         - channel: "#alerts"
#           title: !unsafe '{{ .GroupLabels.alertname }}'
#     - name: critical
#       pagerduty_configs:
#         - routing_key: "{{ vault_pagerduty_routing_key }}"   # becomes routing_key_file
"""

RETURN = r"""
_value:
  description: The configuration and its secret files.
  type: dict
  contains:
    config:
      description: The content of C(alertmanager.yml). It holds file paths where the input held secrets, never a
        secret value.
      type: dict
    secret_files:
      description: Secret file name (under O(secrets_dir)) to the variable path its value comes from.
      type: dict
      sample: {"slack_api_url": "alertmanager_config.global.slack_api_url",
               "pagerduty_critical_routing_key": "alertmanager_config.receivers[1].pagerduty_configs[0].routing_key"}
    secrets:
      description: Secret file name to the secret value. Write these with C(no_log) and C(diff=false).
      type: dict
    warnings:
      description: Findings that are not errors, for example a receiver no route uses.
      type: list
      elements: str
"""

import copy
import posixpath
import re
import warnings
from urllib.parse import urlsplit

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._data import parse_duration
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import SECRET_NOTE as _SECRET_NOTE
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import SecretFiles
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import check_secret
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import file_part
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import move_http_secrets
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._secrets import move_inline_secret

TOP_LEVEL_KEYS = ("global", "templates", "route", "receivers", "inhibit_rules", "time_intervals")
ROUTE_KEYS = ("receiver", "group_by", "continue", "matchers", "match", "match_re", "group_wait", "group_interval",
              "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes")
INHIBIT_KEYS = ("source_matchers", "source_match", "source_match_re", "target_matchers", "target_match",
                "target_match_re", "equal")
ROUTE_DURATIONS = ("group_wait", "group_interval", "repeat_interval")
NONZERO_DURATIONS = ("group_interval", "repeat_interval")

# Integration list -> (key holding the secret in the input, key naming its file in the output, file name part).
# Every *_file key here exists in Alertmanager 0.28 and 0.34 (config/notifiers.go, notify/*/config.go).
SECRET_KEYS = {
    "slack_configs": (("api_url", "api_url_file", "api_url"),),
    "pagerduty_configs": (("routing_key", "routing_key_file", "routing_key"),
                          ("service_key", "service_key_file", "service_key")),
    "webhook_configs": (("url_secret", "url_file", "url"),),
    "email_configs": (("auth_password", "auth_password_file", "auth_password"),),
    "opsgenie_configs": (("api_key", "api_key_file", "api_key"),),
    "victorops_configs": (("api_key", "api_key_file", "api_key"),),
    "pushover_configs": (("user_key", "user_key_file", "user_key"), ("token", "token_file", "token")),
    "telegram_configs": (("bot_token", "bot_token_file", "bot_token"),),
    "discord_configs": (("webhook_url", "webhook_url_file", "webhook_url"),),
    "msteams_configs": (("webhook_url", "webhook_url_file", "webhook_url"),),
    "msteamsv2_configs": (("webhook_url", "webhook_url_file", "webhook_url"),),
    "rocketchat_configs": (("token", "token_file", "token"), ("token_id", "token_id_file", "token_id")),
}
# The global section's secrets and their *_file keys (Alertmanager 0.28 and 0.34, config/config.go GlobalConfig);
# the file is named after the key.
GLOBAL_SECRET_KEYS = (("slack_api_url", "slack_api_url_file"), ("smtp_auth_password", "smtp_auth_password_file"),
                      ("opsgenie_api_key", "opsgenie_api_key_file"), ("victorops_api_key", "victorops_api_key_file"),
                      ("rocketchat_token", "rocketchat_token_file"), ("rocketchat_token_id", "rocketchat_token_id_file"))
URL_SECRETS = ("api_url", "url_secret", "slack_api_url", "webhook_url")
# Secrets that Alertmanager 0.28 to 0.30 read only inline (their *_file keys came in 0.31): refused, so that no
# secret is ever written into alertmanager.yml. Where -> key -> what to use instead.
INLINE_ONLY_SECRETS = {
    "global": {"smtp_auth_secret": "smtp_auth_password (CRAM-MD5 needs the secret inline)",
               "wechat_api_secret": "another integration"},
    "email_configs": {"auth_secret": "auth_password (CRAM-MD5 needs the secret inline)"},
    "wechat_configs": {"api_secret": "another integration"},
}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Durations are Prometheus' model.Duration (plugin_utils._data.parse_duration); how to write one:
_DURATION_FIX = ("write a number with a unit, largest unit first, e.g. '30s', '5m' or '1h30m' "
                 "(units: y, w, d, h, m, s, ms)")
_MATCHER_FIX = ("write label, operator (=, !=, =~ or !~) and double-quoted value, e.g. 'severity=\"critical\"'; inside "
                "quotes escape \" and \\ as \\\" and \\\\ (a regex \\d is written \"\\\\d\")")
_GO_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}
_TYPE_NAMES = ((bool, "boolean"), (str, "string"), (int, "integer"), (float, "number"), (dict, "mapping"),
               (list, "list"))


def _kind(value):
    """Describe a value's YAML type (Ansible's tagged str/dict subclasses would otherwise show their class names)."""
    if value is None:
        return "null"
    for cls, name in _TYPE_NAMES:
        if isinstance(value, cls):
            return name
    return type(value).__name__


def _got(value):
    return "got null" if value is None else "got %s %r" % (_kind(value), value)


def _got_type(value):
    """Like _got, but without the value, for places that may hold secrets (error messages are shown under no_log)."""
    return "got %s" % _kind(value)


def _show(text):
    """Quote a string for a message the way a YAML user would write it (repr would double every backslash)."""
    return ("'%s'" if "'" not in text else '"%s"') % text


def _key(path, key):
    if isinstance(key, str) and _IDENT.match(key):
        return "%s.%s" % (path, key)
    return "%s[%r]" % (path, key)


def _is_str(value):
    return isinstance(value, str)


def _string_list(path, value, what, example):
    if not isinstance(value, list) or not all(_is_str(item) and item for item in value):
        raise bad_input(path, "must be a list of %s, %s" % (what, _got(value)), "write it like %s" % example)
    return list(value)


# ---------------------------------------------------------------------------------------------------------------
# Matchers (Alertmanager 0.27+ UTF-8 matchers syntax)

class _Token(object):
    def __init__(self, kind, text, value, column):
        self.kind = kind
        self.text = text
        self.value = value
        self.column = column

    def describe(self):
        return "%r at column %d" % (self.text, self.column)


def _describe(token):
    return "the end" if token is None else token.describe()


def _reserved(char):
    return char.isspace() or char in "{}!=~,\"'`"


def _go_unquote(text, column):
    """Unquote a double-quoted Go string literal, as strconv.Unquote does."""
    body = text[1:-1]
    out = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\n":
            raise ValueError("a line break inside the quotes starting at column %d; write it as \\n" % column)
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escape = body[i + 1:i + 2]
        if escape in _GO_ESCAPES:
            out.append(_GO_ESCAPES[escape])
            i += 2
            continue
        if escape in _HEX_WIDTH:
            digits = body[i + 2:i + 2 + _HEX_WIDTH[escape]]
            if len(digits) == _HEX_WIDTH[escape] and all(d in "0123456789abcdefABCDEF" for d in digits):
                code = int(digits, 16)
                if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    out.append(chr(code))
                    i += 2 + len(digits)
                    continue
        elif escape and escape in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) <= 255:
                out.append(chr(int(digits, 8)))
                i += 4
                continue
        raise ValueError("%s inside the quotes starting at column %d is not a valid escape"
                         % (_show(body[i:i + 2]), column))
    return "".join(out)


def _lex(text):
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char in "{},":
            tokens.append(_Token(char, char, char, column))
            i += 1
        elif char in "=!":
            operator = text[i:i + 2] if text[i + 1:i + 2] == "~" or char == "!" else "="
            if operator not in ("=", "!=", "=~", "!~"):
                raise ValueError("'!' at column %d is not followed by '=' or '~'" % column)
            tokens.append(_Token("operator", operator, operator, column))
            i += len(operator)
        elif char == '"':
            end = i + 1
            escaped = False
            while end < len(text):
                if escaped:
                    escaped = False
                elif text[end] == "\\":
                    escaped = True
                elif text[end] == '"':
                    break
                end += 1
            if end >= len(text):
                raise ValueError("the quote at column %d is never closed" % column)
            quoted = text[i:end + 1]
            tokens.append(_Token("quoted", quoted, _go_unquote(quoted, column), column))
            i = end + 1
        elif _reserved(char):
            raise ValueError("%r at column %d is only allowed inside double quotes" % (char, column))
        else:
            end = i
            while end < len(text) and not _reserved(text[end]):
                end += 1
            tokens.append(_Token("unquoted", text[i:end], text[i:end], column))
            i = end
    return tokens


def parse_matchers(text):
    """Parse one matchers string into (label, operator, value) tuples, or raise ValueError saying what is wrong."""
    tokens = _lex(text)
    count = len(tokens)
    braced = count > 0 and tokens[0].kind == "{"
    i = 1 if braced else 0
    matchers = []
    while i < count and tokens[i].kind != "}":
        name = tokens[i]
        operator = tokens[i + 1] if i + 1 < count else None
        value = tokens[i + 2] if i + 2 < count else None
        if name.kind not in ("quoted", "unquoted"):
            raise ValueError("expected a label name, found %s" % name.describe())
        if operator is None or operator.kind != "operator":
            raise ValueError("expected an operator (=, !=, =~ or !~) after %r, found %s"
                             % (name.text, _describe(operator)))
        if value is None or value.kind not in ("quoted", "unquoted"):
            raise ValueError("expected a value after %r, found %s" % (name.text + operator.text, _describe(value)))
        matchers.append((name.value, operator.value, value.value))
        i += 3
        if i < count and tokens[i].kind == ",":
            i += 1
        elif i < count and tokens[i].kind != "}":
            raise ValueError("expected ',' or '}' after a matcher, found %s" % tokens[i].describe())
    if i < count:
        if not braced:
            raise ValueError("'}' at column %d has no opening '{'" % tokens[i].column)
        if i + 1 < count:
            raise ValueError("unexpected %s after the closing '}'" % tokens[i + 1].describe())
    elif braced:
        raise ValueError("the '{' at column 1 is never closed")
    return matchers


def _go_quote(value):
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"%s"' % escaped


def _python_regex(regex):
    """Return regex in Python's syntax; raise ValueError for syntax that Python accepts but Go's RE2 rejects."""
    out = []
    i = 0
    while i < len(regex):
        if regex.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            raise ValueError("lookaround assertions are not supported by Go's RE2")
        if regex.startswith("(?P=", i):
            raise ValueError("backreferences are not supported by Go's RE2")
        if regex[i] == "\\" and i + 1 < len(regex):
            escape = regex[i + 1]
            if escape in "123456789":
                raise ValueError("backreferences are not supported by Go's RE2")
            if escape in "pP":  # Unicode classes: RE2 has them, Python's re does not.
                end = regex.find("}", i) + 1 if regex[i + 2:i + 3] == "{" else i + 3
                if end <= i:
                    raise ValueError("the Unicode class at position %d is never closed" % i)
                out.append("\\w")
                i = end
                continue
            out.append("\\Z" if escape == "z" else regex[i:i + 2])
            i += 2
            continue
        out.append(regex[i])
        i += 1
    return "".join(out)


def _check_regex(path, regex, matcher):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile("^(?:%s)$" % _python_regex(regex))
    except (ValueError, re.error) as exc:
        raise bad_input(path, "the regex %s in %s does not compile: %s"
                        % (_show(regex), _show(matcher), getattr(exc, "msg", exc)),
                        "fix the regular expression (Go RE2 syntax; Alertmanager anchors it at both ends)")


def _check_matcher_string(path, text):
    try:
        matchers = parse_matchers(text)
    except ValueError as exc:
        raise bad_input(path, "%s is not a valid matcher: %s" % (_show(text), exc), _MATCHER_FIX)
    for _name, operator, value in matchers:
        if operator in ("=~", "!~"):
            _check_regex(path, value, text)


def _matchers(container, path, matchers_key, match_key, match_re_key):
    """Return the matcher strings of a route or one side of an inhibition rule, converting match and match_re."""
    result = []
    if matchers_key in container:
        mpath = _key(path, matchers_key)
        value = container[matchers_key]
        if not isinstance(value, list):
            raise bad_input(mpath, "must be a list of matcher strings, %s" % _got(value),
                            "write it like ['severity=\"critical\"']")
        for index, text in enumerate(value):
            if not _is_str(text):
                raise bad_input("%s[%d]" % (mpath, index), "must be a matcher string, %s" % _got(text), _MATCHER_FIX)
            _check_matcher_string("%s[%d]" % (mpath, index), text)
            result.append(text)
    for key, operator in ((match_key, "="), (match_re_key, "=~")):
        if key not in container:
            continue
        kpath = _key(path, key)
        labels = container[key]
        if not isinstance(labels, dict):
            raise bad_input(kpath, "must be a mapping of label name to value, %s" % _got(labels),
                            "write it like {severity: critical}, or use %s" % matchers_key)
        for name, value in labels.items():
            lpath = _key(kpath, name)
            if not _is_str(name) or not name:
                raise bad_input(lpath, "is not a label name", "use a non-empty string as label name")
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                shown = str(value).lower() if isinstance(value, bool) else value
                raise bad_input(lpath, "must be a string, %s" % _got(value), "quote the value, e.g. '%s'" % (shown,))
            quoted_name = name if _IDENT.match(name) else _go_quote(name)
            text = "%s%s%s" % (quoted_name, operator, _go_quote(str(value)))
            if operator == "=~":
                _check_regex(lpath, str(value), text)
            result.append(text)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Values

def _check_duration(path, value, nonzero=False):
    if not _is_str(value) or parse_duration(value) is None:
        raise bad_input(path, "%r is not a Prometheus duration" % (value,), _DURATION_FIX)
    if nonzero and not any(int(number) for number in re.findall(r"\d+", value)):
        raise bad_input(path, "must not be zero (Alertmanager rejects it)", "give a positive duration, e.g. '5m'")


def _check_url(path, value, secret):
    shown = _SECRET_NOTE if secret else "(%r)" % (value,)
    if not _is_str(value) or not value.strip():
        raise bad_input(path, "must be a non-empty string %s" % shown, "set the URL")
    if "${" in value or value.startswith("$"):
        raise bad_input(path, "looks like an unexpanded environment variable such as ${SLACK_WEBHOOK_URL} %s" % shown,
                        "give the real value (e.g. from Ansible Vault): Alertmanager does not expand variables in its "
                        "configuration")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or (secret and _inner_space(value)):
        raise bad_input(path, "is not an http:// or https:// URL %s" % shown,
                        "give the full URL, e.g. https://hooks.slack.com/services/...")


def _inner_space(value):
    """Alertmanager trims the content of secret files, so only whitespace inside the value is wrong."""
    return any(char.isspace() for char in value.strip())


def _check_key(path, value):
    if not _is_str(value) or not value.strip() or _inner_space(value):
        raise bad_input(path, "must be a non-empty string without spaces %s" % _SECRET_NOTE,
                        "give the PagerDuty integration key (32 characters)")
    if "${" in value or value.startswith("$"):
        raise bad_input(path, "looks like an unexpanded environment variable such as ${PAGERDUTY_SERVICE_KEY} %s"
                        % _SECRET_NOTE, "give the real value (e.g. from Ansible Vault): Alertmanager does not expand "
                        "variables in its configuration")


# ---------------------------------------------------------------------------------------------------------------
# Sections

def _global(value, path, secrets):
    if not isinstance(value, dict):
        raise bad_input(path, "must be a mapping, %s" % _got_type(value), "write it like {resolve_timeout: 5m}")
    _refuse_inline_only(value, path, "global")
    result = {}
    for key, item in value.items():
        if key == "resolve_timeout":
            _check_duration(_key(path, key), item)
        result[key] = copy.deepcopy(item)
    for secret_key, file_key in GLOBAL_SECRET_KEYS:
        _move_secret(result, path, secret_key, file_key, secret_key, secrets)
    if "http_config" in result:
        result["http_config"] = move_http_secrets(result["http_config"], _key(path, "http_config"), "http_config_",
                                                  secrets, "Alertmanager")
    return result


def _refuse_inline_only(value, path, where):
    for key, instead in INLINE_ONLY_SECRETS.get(where, {}).items():
        if value.get(key) not in (None, ""):
            raise bad_input(_key(path, key), "is a secret that Alertmanager 0.28 to 0.30 read only from "
                            "alertmanager.yml, and this collection writes no secret there %s" % _SECRET_NOTE,
                            "use %s instead" % instead)


def _move_secret(result, path, secret_key, file_key, name, secrets):
    """Replace result[secret_key] (checked) by result[file_key], the path of its secret file."""
    def check(spath, value):
        if secret_key in URL_SECRETS:
            _check_url(spath, value, secret=True)
        elif secret_key in ("routing_key", "service_key"):
            _check_key(spath, value)
        else:
            check_secret(spath, value, "Alertmanager")
    move_inline_secret(result, path, secret_key, file_key, name, secrets, "Alertmanager", check=check)


def _time_intervals(value, path):
    if not isinstance(value, list):
        raise bad_input(path, "must be a list, %s" % _got(value),
                        "write it like [{name: offhours, time_intervals: [...]}]")
    names = {}
    for index, interval in enumerate(value):
        ipath = "%s[%d]" % (path, index)
        name = interval.get("name") if isinstance(interval, dict) else None
        if not _is_str(name) or not name or not isinstance(interval.get("time_intervals"), list):
            raise bad_input(ipath, "must be a mapping with a name and a time_intervals list, %s" % _got(interval),
                            "write it like {name: offhours, time_intervals: [{times: [{start_time: '18:00', "
                            "end_time: '24:00'}]}]}")
        if name in names:
            raise bad_input(_key(ipath, "name"), "%r is already the name of %s" % (name, names[name]),
                            "give every time interval a unique name")
        names[name] = ipath
    return copy.deepcopy(value), names


def _integration(kind, entry, path, receiver, index, global_slack, secrets):
    if not isinstance(entry, dict):
        raise bad_input(path, "must be a mapping, %s" % _got_type(entry), "write each %s entry as a mapping" % kind)
    _refuse_inline_only(entry, path, kind)
    result = {}
    for key, value in entry.items():
        result[key] = copy.deepcopy(value)
    prefix = "%s_%s%s_" % (kind[:-len("_configs")], file_part(receiver), "_%d" % index if index else "")
    for secret_key, file_key, part in SECRET_KEYS.get(kind, ()):
        _move_secret(result, path, secret_key, file_key, prefix + part, secrets)
    if "http_config" in result:
        result["http_config"] = move_http_secrets(result["http_config"], _key(path, "http_config"), prefix, secrets,
                                                  "Alertmanager")
    if kind == "slack_configs" and "api_url_file" not in result and not global_slack:
        raise bad_input(path, "has no Slack webhook URL, and the global section sets none",
                        "set api_url here or slack_api_url under global")
    if kind == "pagerduty_configs" and "routing_key_file" not in result and "service_key_file" not in result:
        raise bad_input(path, "has neither routing_key nor service_key",
                        "set routing_key (Events API v2 integration key) or service_key (Events API v1)")
    if kind == "webhook_configs":
        given = [key for key in ("url", "url_secret", "url_file") if key in entry]
        if len(given) != 1:
            raise bad_input(path, "must set exactly one of url, url_secret and url_file, sets %s"
                            % (", ".join(given) or "none"),
                            "use url for a plain URL, url_secret for one that carries a token")
        if "url" in entry:
            _check_url(_key(path, "url"), entry["url"], secret=False)
    return result


def _receivers(value, path, global_slack, secrets):
    if not isinstance(value, list) or not value:
        raise bad_input(path, "must be a non-empty list of receivers, %s" % _got_type(value),
                        "write it like [{name: default, slack_configs: [{channel: '#alerts'}]}]")
    names = {}
    result = []
    for index, receiver in enumerate(value):
        rpath = "%s[%d]" % (path, index)
        if not isinstance(receiver, dict):
            raise bad_input(rpath, "must be a mapping, %s" % _got_type(receiver),
                            "write it like {name: default, slack_configs: [...]}")
        name = receiver.get("name")
        if not _is_str(name) or not name:
            raise bad_input(_key(rpath, "name"), "must be a non-empty string, %s" % _got(name),
                            "give every receiver a unique name, e.g. default")
        if name in names:
            raise bad_input(_key(rpath, "name"), "%r is already the name of %s" % (name, names[name]),
                            "give every receiver a unique name")
        names[name] = rpath
        built = {"name": name}
        for key, entries in receiver.items():
            if key == "name":
                continue
            kpath = _key(rpath, key)
            if not _is_str(key) or not key.endswith("_configs"):
                raise bad_input(kpath, "is not a receiver key",
                                "a receiver has a name and integration lists such as slack_configs, pagerduty_configs, "
                                "webhook_configs or email_configs")
            if not isinstance(entries, list):
                raise bad_input(kpath, "must be a list, %s" % _got_type(entries),
                                "write it like [{...}], one entry per target")
            built[key] = [_integration(key, entry, "%s[%d]" % (kpath, number), name, number, global_slack, secrets)
                          for number, entry in enumerate(entries)]
        result.append(built)
    return result, names


def _group_by(path, value):
    labels = _string_list(path, value, "label names", "[alertname, cluster] or ['...']")
    if "..." in labels and len(labels) > 1:
        raise bad_input(path, "mixes '...' with label names",
                        "use ['...'] alone to group by all labels, or list labels")
    seen = set()
    for label in labels:
        if label in seen:
            raise bad_input(path, "names %r twice" % label, "list each label once")
        seen.add(label)
    return labels


def _route(route, path, context, root):
    receivers, intervals, used = context
    if not isinstance(route, dict):
        raise bad_input(path, "must be a mapping, %s" % _got(route),
                        "write a route like {receiver: default, routes: [...]}")
    for key in route:
        if key not in ROUTE_KEYS:
            raise bad_input(_key(path, key), "is not a route key", "use one of %s" % ", ".join(ROUTE_KEYS))
    if root:
        if "receiver" not in route:
            raise bad_input(path, "the root route has no receiver",
                            "set receiver to the receiver of alerts that no child route takes, e.g. 'default'")
        for key in ("matchers", "match", "match_re", "continue", "mute_time_intervals", "active_time_intervals"):
            if key in route:
                raise bad_input(_key(path, key), "is not allowed on the root route, which takes every alert",
                                "move it to a child route under %s" % _key(path, "routes"))
    result = {}
    if "receiver" in route:
        name = route["receiver"]
        if not _is_str(name) or name not in receivers:
            raise bad_input(_key(path, "receiver"), "%r is not a receiver" % (name,),
                            "use one of the names defined under receivers (%s), or add a receiver named %r"
                            % (", ".join(sorted(receivers)), name))
        used.add(name)
        result["receiver"] = name
    if "group_by" in route:
        result["group_by"] = _group_by(_key(path, "group_by"), route["group_by"])
    if "continue" in route:
        if not isinstance(route["continue"], bool):
            raise bad_input(_key(path, "continue"), "must be a boolean, %s" % _got(route["continue"]),
                            "write continue: true or continue: false, unquoted")
        result["continue"] = route["continue"]
    matchers = _matchers(route, path, "matchers", "match", "match_re")
    if matchers:
        result["matchers"] = matchers
    for key in ROUTE_DURATIONS:
        if key in route:
            _check_duration(_key(path, key), route[key], nonzero=key in NONZERO_DURATIONS)
            result[key] = route[key]
    for key in ("mute_time_intervals", "active_time_intervals"):
        if key in route:
            names = _string_list(_key(path, key), route[key], "time interval names", "[offhours]")
            for name in names:
                if name not in intervals:
                    raise bad_input(_key(path, key), "%r is not a time interval" % (name,),
                                    "define it under time_intervals%s"
                                    % (", or use one of: " + ", ".join(sorted(intervals)) if intervals else ""))
            result[key] = names
    if "routes" in route:
        children = route["routes"]
        rpath = _key(path, "routes")
        if not isinstance(children, list):
            raise bad_input(rpath, "must be a list of routes, %s" % _got(children),
                            "write it like [{matchers: [...], receiver: x}]")
        result["routes"] = [_route(child, "%s[%d]" % (rpath, index), context, False)
                            for index, child in enumerate(children)]
    return result


def _inhibit_rules(value, path):
    if not isinstance(value, list):
        raise bad_input(path, "must be a list, %s" % _got(value), "write it like [{source_matchers: [...], ...}]")
    result = []
    for index, rule in enumerate(value):
        rpath = "%s[%d]" % (path, index)
        if not isinstance(rule, dict):
            raise bad_input(rpath, "must be a mapping, %s" % _got(rule), "write it like {source_matchers: [...], ...}")
        for key in rule:
            if key not in INHIBIT_KEYS:
                raise bad_input(_key(rpath, key), "is not an inhibition rule key",
                                "use one of %s" % ", ".join(INHIBIT_KEYS))
        built = {}
        for side in ("source", "target"):
            matchers = _matchers(rule, rpath, side + "_matchers", side + "_match", side + "_match_re")
            if matchers:
                built[side + "_matchers"] = matchers
        if "equal" in rule:
            built["equal"] = _string_list(_key(rpath, "equal"), rule["equal"], "label names", "[alertname, cluster]")
        result.append(built)
    return result


# ---------------------------------------------------------------------------------------------------------------

def alertmanager_config(spec, secrets_dir="/etc/alertmanager/secrets", variable="alertmanager_config"):
    """Return {config, secret_files, secrets, warnings} for an Alertmanager spec, or raise naming the variable path."""
    if not isinstance(spec, dict):
        raise bad_input(variable, "must be a mapping in Alertmanager's configuration schema, %s" % _got_type(spec),
                        "set it like {route: {receiver: default}, receivers: [{name: default}]}")
    for key in spec:
        if key not in TOP_LEVEL_KEYS:
            hint = " (mute_time_intervals is deprecated: use time_intervals)" if key == "mute_time_intervals" else ""
            raise bad_input(_key(variable, key), "is not a top-level key of the Alertmanager configuration%s" % hint,
                            "use %s" % ", ".join(TOP_LEVEL_KEYS))
    for key in ("route", "receivers"):
        if key not in spec:
            raise bad_input(variable, "has no %s" % key,
                            "set %s; Alertmanager needs a route tree and its receivers" % key)
    if not _is_str(secrets_dir) or not posixpath.isabs(secrets_dir):
        raise bad_input("secrets_dir", "%r is not an absolute path" % (secrets_dir,),
                        "give the directory as Alertmanager sees it, e.g. /etc/alertmanager/secrets")
    secrets = SecretFiles(secrets_dir)
    config = {}
    global_slack = False
    if "global" in spec:
        config["global"] = _global(spec["global"], _key(variable, "global"), secrets)
        global_slack = "slack_api_url_file" in config["global"]
    if "templates" in spec:
        config["templates"] = _string_list(_key(variable, "templates"), spec["templates"], "file paths or globs",
                                           "['/etc/alertmanager/templates/*.tmpl']")
    intervals = {}
    time_intervals = None
    if "time_intervals" in spec:
        time_intervals, intervals = _time_intervals(spec["time_intervals"], _key(variable, "time_intervals"))
    receivers, names = _receivers(spec["receivers"], _key(variable, "receivers"), global_slack, secrets)
    used = set()
    config["route"] = _route(spec["route"], _key(variable, "route"), (names, intervals, used), True)
    config["receivers"] = receivers
    if "inhibit_rules" in spec:
        config["inhibit_rules"] = _inhibit_rules(spec["inhibit_rules"], _key(variable, "inhibit_rules"))
    if "time_intervals" in spec:
        config["time_intervals"] = time_intervals
    unused = ["%s: receiver %r is not used by any route, so Alertmanager never notifies it" % (names[name], name)
              for name in names if name not in used]
    return {"config": config, "secret_files": secrets.sources, "secrets": secrets.values, "warnings": unused}


class FilterModule(object):
    """Filters for Alertmanager."""

    def filters(self):
        return {"alertmanager_config": alertmanager_config}

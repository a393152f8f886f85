# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS and basic auth of the components that serve through Prometheus' exporter-toolkit (--web.config.file) or, for
redis_exporter, through flags of its own: the settings' checks, bcrypt hashes with a stable salt, the web
configuration file and flags of a serving instance, and the files a client (Prometheus, Grafana) reads. Private.

File format: https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md
(tls_server_config.cert_file/key_file, basic_auth_users: {name: bcrypt hash}); redis_exporter's own flags
(--tls-server-cert-file, --tls-server-key-file, --basic-auth-username, --basic-auth-hash-password) from its main.go.
"""

from __future__ import annotations

import base64
import hashlib

from collections.abc import Mapping

import yaml

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.proxy_agent.observability.plugins.plugin_utils._catalogue import COMPONENTS
from ansible_collections.proxy_agent.observability.plugins.plugin_utils._errors import bad_input

VAR_TLS = "observability_web_tls"
VAR_USER = "observability_web_auth_username"
VAR_PASSWORD = "observability_web_auth_password"
VAR_USERS = "observability_web_auth_users"

# The files of a serving instance, in its configuration directory.
WEB_FILE = "web.yml"
CERT_FILE = "web.crt"
KEY_FILE = "web.key"
# The files of a client (Prometheus, Grafana), in its configuration directory: an endpoint names them (tls.ca_file,
# basic_auth.password_file) and each client maps them to its own mount.
CA_FILE = "web-ca.crt"
PASSWORD_FILE = "web-password"

# bcrypt reads at most 72 bytes of a password; a longer one would be cut silently.
_BCRYPT_MAX = 72
_BCRYPT_COST = 10
# bcrypt's own base64 alphabet (not RFC 4648's order).
_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_BCRYPT = str.maketrans(_STD_ALPHABET, _BCRYPT_ALPHABET)


def serves_web_config(component):
    """How component takes TLS and basic auth: "web_config" (exporter-toolkit), "flags" (redis_exporter) or None."""
    entry = COMPONENTS.get(component) or {}
    return (entry.get("web") or {}).get("kind")


def check_tls(tls):
    """observability_web_tls as a bool (an INI inventory's "true" too); raise on anything else."""
    try:
        return boolean(tls, strict=True)
    except TypeError:
        raise bad_input(VAR_TLS, "must be true or false, got %r" % (tls,), "set it to true or false")


def check_password(variable, password):
    """Raise unless password is a string bcrypt can hash whole; return it ("" for none)."""
    if password is None:
        return ""
    if not isinstance(password, str):
        raise bad_input(variable, "must be a string, got %s" % type(password).__name__,
                        "quote the password in the inventory (or vault it)")
    if len(password.encode("utf-8")) > _BCRYPT_MAX:
        raise bad_input(variable, "is %d bytes long, but bcrypt uses only the first %d bytes of a password"
                        % (len(password.encode("utf-8")), _BCRYPT_MAX),
                        "use a password of at most %d bytes (e.g. 32 random characters)" % _BCRYPT_MAX)
    if "\n" in password or "\r" in password:
        raise bad_input(variable, "contains a line break, which clients reading it from a file drop",
                        "use a password on one line")
    return password


def check_username(variable, username):
    """Raise unless username is usable in HTTP basic auth."""
    if not isinstance(username, str) or not username or ":" in username or username != username.strip():
        raise bad_input(variable, "%r is not a basic auth user name" % (username,),
                        "use a non-empty name without ':' or surrounding spaces, e.g. 'observability'")
    return username


def check_users(variable, users):
    """Raise unless users maps user names to passwords; return it as a plain dict."""
    if users is None:
        return {}
    if not isinstance(users, Mapping):
        raise bad_input(variable, "must map user names to passwords, got %s" % type(users).__name__,
                        "set it like {'alice': '{{ vault_alice_password }}'}")
    result = {}
    for name, password in users.items():
        check_username("%s key" % variable, name)
        password = check_password("%s[%r]" % (variable, name), password)
        if not password:
            raise bad_input("%s[%r]" % (variable, name), "is empty", "give the user a password, or remove it")
        result[str(name)] = password
    return result


def salt(host, user):
    """The bcrypt salt of user on host: 22 characters of bcrypt's alphabet from a SHA-256 of both, so that a converge
    writes the same hash again (idempotent) while two hosts or users never share a hash."""
    digest = hashlib.sha256(("proxy-observability-web\0%s\0%s" % (host, user)).encode("utf-8")).digest()[:16]
    encoded = base64.b64encode(digest).decode("ascii").rstrip("=").translate(_TO_BCRYPT)
    # 16 bytes are 22 characters; bcrypt uses only the top 2 bits of the last one, so a valid salt ends in one of
    # ".Oeu" (the characters whose low 4 bits are 0).
    return encoded[:21] + ".Oeu"[_BCRYPT_ALPHABET.index(encoded[21]) >> 4]


def _bcrypt():
    try:
        import bcrypt  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise bad_input(VAR_PASSWORD, "is set, but the Python library bcrypt, which hashes it on the controller, is "
                        "not installed in the Python that runs Ansible",
                        "install it there (pip install bcrypt), or leave %s empty" % VAR_PASSWORD)
    return bcrypt


def bcrypt_hash(password, host, user):
    """The bcrypt hash of password with the stable salt of user on host; checked before it is returned."""
    bcrypt = _bcrypt()
    hashed = bcrypt.hashpw(password.encode("utf-8"),
                           ("$2b$%02d$%s" % (_BCRYPT_COST, salt(host, user))).encode("ascii"))
    if not bcrypt.checkpw(password.encode("utf-8"), hashed):
        raise bad_input(VAR_PASSWORD, "could not be hashed to a bcrypt hash that verifies",
                        "reinstall the Python library bcrypt on the controller (pip install bcrypt==5.0.0)")
    return hashed.decode("ascii")


def settings(tls, username, password, users):
    """The checked settings: {tls, username, password, users: {name: password}} (users includes username when a
    password is set)."""
    tls = check_tls(tls)
    password = check_password(VAR_PASSWORD, password)
    extra = check_users(VAR_USERS, users)
    all_users = {}
    if password:
        all_users[check_username(VAR_USER, username)] = password
    if extra and not password:
        raise bad_input(VAR_USERS, "is set, but %s is empty, so the stack's own clients would have no password"
                        % VAR_PASSWORD, "set %s as well" % VAR_PASSWORD)
    for name, value in extra.items():
        if name in all_users:
            raise bad_input(VAR_USERS, "names %r, the stack's own user (%s)" % (name, VAR_USER),
                            "give the person another name")
        all_users[name] = value
    return {"tls": tls, "username": str(username) if password else None, "password": str(password),
            "users": {str(name): str(value) for name, value in all_users.items()}}


def web_files(component, host, tls, username, password, users, cert="", key=""):
    """{'files', 'secret_files', 'flags'} of component's instance on host: its web configuration (exporter-toolkit)
    or its TLS and auth flags (redis_exporter), the certificate and the key; empty when neither TLS nor a password is
    set, or component serves no web configuration."""
    wanted = settings(tls, username, password, users)
    cert, key = str(cert or ""), str(key or "")  # plain strings (Ansible's tagged ones do not dump)
    kind = serves_web_config(component)
    result = {"files": {}, "secret_files": {}, "flags": []}
    if kind is None or not (wanted["tls"] or wanted["users"]):
        return result
    if wanted["tls"] and not (cert and key):
        raise bad_input("observability_tls_cert", "TLS is on (%s) but host %s has no certificate and key for %s"
                        % (VAR_TLS, host, component),
                        "let the observability role make them (leave observability_tls_cert empty), or set "
                        "observability_tls_cert and observability_tls_key for the host")
    mount = COMPONENTS[component]["config"]
    hashes = {str(name): bcrypt_hash(str(value), str(host), str(name)) for name, value in sorted(wanted["users"].items())}
    if wanted["tls"]:
        result["files"][CERT_FILE] = cert
        result["secret_files"][KEY_FILE] = key
    if kind == "web_config":
        content = {}
        if wanted["tls"]:
            content["tls_server_config"] = {"cert_file": "%s/%s" % (mount, CERT_FILE),
                                            "key_file": "%s/%s" % (mount, KEY_FILE),
                                            "min_version": "TLS12"}
        if hashes:
            content["basic_auth_users"] = hashes
        result["files"][WEB_FILE] = yaml.safe_dump(content, default_flow_style=False, sort_keys=False)
        result["flags"] = ["--web.config.file=%s/%s" % (mount, WEB_FILE)]
        return result
    # redis_exporter: one user; its hash (not the password) on the command line (--basic-auth-hash-password).
    if len(hashes) > 1:
        raise bad_input(VAR_USERS, "is set, but redis_exporter takes one user only (%s)" % VAR_USER,
                        "leave %s empty on the hosts that run redis_exporter" % VAR_USERS)
    if wanted["tls"]:
        result["flags"] += ["--tls-server-cert-file=%s/%s" % (mount, CERT_FILE),
                            "--tls-server-key-file=%s/%s" % (mount, KEY_FILE)]
    if hashes:
        result["flags"] += ["--basic-auth-username=%s" % wanted["username"],
                            "--basic-auth-hash-password=%s" % hashes[str(wanted["username"])]]
    return result


def check_certificate(cert, key, ca_cert):
    """Raise unless the user's certificate settings are complete PEM: all three or none."""
    given = {"observability_tls_cert": cert or "", "observability_tls_key": key or "",
             "observability_tls_ca_cert": ca_cert or ""}
    markers = {"observability_tls_cert": "CERTIFICATE", "observability_tls_key": "PRIVATE KEY",
               "observability_tls_ca_cert": "CERTIFICATE"}
    if not any(given.values()):
        return
    for variable, value in given.items():
        if not isinstance(value, str) or "-----BEGIN " not in value or markers[variable] not in value:
            raise bad_input(variable, "is %s, but the certificate settings go together and hold PEM text"
                            % ("empty" if not value else "not PEM (no '-----BEGIN ...%s-----' line)" % markers[variable]),
                            "set observability_tls_cert, observability_tls_key and observability_tls_ca_cert to PEM "
                            "(e.g. with a lookup of vaulted files), or leave all three empty to use the internal CA")


def client_files(tls, username, password, ca_cert="", users=None, cert="", key="", preflight=False):
    """{'files', 'secret_files'} a client of the stack's components keeps in its configuration directory: the CA
    certificate that signed their certificates and the password of the stack's own user, under the names the
    endpoints give (CA_FILE, PASSWORD_FILE). preflight: check every setting (the user's certificate, key and CA
    certificate, the bcrypt library) before the CA exists, and return no files."""
    wanted = settings(tls, username, password, users)
    if preflight:
        check_certificate(cert, key, ca_cert)
        if wanted["users"]:
            _bcrypt()
        return {"files": {}, "secret_files": {}}
    result = {"files": {}, "secret_files": {}}
    if wanted["tls"]:
        if not ca_cert:
            raise bad_input("observability_tls_ca_cert", "TLS is on (%s) but the CA certificate is not known"
                            % VAR_TLS, "set observability_tls_ca_cert to the PEM of the CA that signed "
                            "observability_tls_cert, or leave both empty to use the internal CA")
        result["files"][CA_FILE] = str(ca_cert)
    if wanted["password"]:
        result["secret_files"][PASSWORD_FILE] = wanted["password"]
    return result


def prometheus_client(eps, config_dir=None):
    """scheme, tls_config and basic_auth of a Prometheus client of these endpoints (a scrape job, an alerting
    config): the CA certificate and the password from files in Prometheus' configuration directory, never inline.
    https as soon as one endpoint serves TLS (the setting is stack-wide)."""
    config_dir = (config_dir or COMPONENTS["prometheus"]["config"]).rstrip("/")
    result = {}
    tls = next((ep["tls"] for ep in eps if ep.get("tls")), None)
    auth = next((ep["basic_auth"] for ep in eps if ep.get("basic_auth")), None)
    if tls:
        result["scheme"] = "https"
        result["tls_config"] = {"ca_file": "%s/%s" % (config_dir, tls["ca_file"])}
    if auth:
        result["basic_auth"] = {"username": auth["username"],
                                "password_file": "%s/%s" % (config_dir, auth["password_file"])}
    return result

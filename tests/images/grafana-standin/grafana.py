# Test stand-in for Grafana 13.2.0 (grafana/grafana:13.2.0), tests only; see
# tests/images/README.md, "grafana-standin".  It renders nothing and queries no data source: it
# reads grafana.ini (with GF_* environment overrides), checks the mounted provisioning as Grafana
# does when it starts, keeps the admin user and saved dashboards in $GF_PATHS_DATA/grafana.db (sqlite) and answers a
# small part of Grafana's HTTP API.
#
# One script, three names (as upstream's binaries): /usr/share/grafana/bin/grafana
# (`grafana server ...`, `grafana cli ...`), grafana-server and grafana-cli (symlinks).
#
# Behaviour imitated (grafana/grafana):
#   packaging/docker/run.sh                                  the entrypoint, GF_*__FILE secrets
#   pkg/setting/setting.go                                   ini loading, GF_<SECTION>_<KEY> overrides,
#                                                            cfg:default.* arguments, $__env{} / $__file{}
#   pkg/services/provisioning/datasources/config_reader.go   datasource files, isDefault uniqueness
#   pkg/services/provisioning/datasources/datasources.go     ErrInvalidConfigToManyDefault
#   pkg/services/provisioning/dashboards/config_reader.go    dashboard provider files
#   pkg/services/provisioning/dashboards/file_reader.go      *.json dashboards, broken ones skipped
#   pkg/util/encoding.go EncodePassword                      PBKDF2-SHA256, 10000 rounds, 50 bytes
#   pkg/cmd/grafana-cli/commands/reset_password_command.go   `grafana cli admin reset-admin-password`
#   pkg/api/dashboard.go PostDashboard, GetDashboard          POST /api/dashboards/db (title required, 412 for
#                                                            a taken uid without overwrite), saved in the
#                                                            `dashboard` table of grafana.db; GET by uid
# What it shares with the Loki and Promtail stand-ins (Go's logfmt quoting, strconv.ParseBool, the text
# exposition of /metrics, net/http's answers, the listener and SIGTERM/SIGINT) is in lib/standin_go.py,
# installed beside PyYAML in the image.
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import sqlite3
import sys
import threading
import time
import urllib.parse

import yaml

from standin_go import GoHandler, listen, logfmt, metric, parse_bool, stop_on_signals

VERSION = "13.2.0"
COMMIT = "standin"
START_TIME = time.time()
LOGGER = "standin"

# The part of conf/defaults.ini the stand-in knows: an environment override GF_<SECTION>_<KEY>
# applies to a key of defaults.ini or of grafana.ini (as Grafana: env overrides only replace keys the
# merged ini file has).
DEFAULTS = {
    "": {"app_mode": "production", "instance_name": ""},
    "paths": {"data": "data", "temp_data_lifetime": "24h", "logs": "data/log", "plugins": "data/plugins",
              "provisioning": "conf/provisioning"},
    "server": {"protocol": "http", "http_addr": "", "http_port": "3000", "domain": "localhost",
               "root_url": "%(protocol)s://%(domain)s:%(http_port)s/", "serve_from_sub_path": "false",
               "enforce_domain": "false", "enable_gzip": "false", "router_logging": "false"},
    "database": {"type": "sqlite3", "host": "127.0.0.1:3306", "name": "grafana", "user": "root", "password": "",
                 "url": "", "path": "grafana.db", "wal": "false"},
    "analytics": {"reporting_enabled": "true", "check_for_updates": "true", "check_for_plugin_updates": "true",
                  "feedback_links_enabled": "true"},
    "security": {"disable_initial_admin_creation": "false", "admin_user": "admin", "admin_password": "admin",
                 "admin_email": "admin@localhost", "secret_key": "SW2YcwTIb9zpOOhoPsMm",
                 "disable_gravatar": "false", "cookie_secure": "false", "cookie_samesite": "lax",
                 "allow_embedding": "false", "disable_brute_force_login_protection": "false"},
    "users": {"allow_sign_up": "false", "allow_org_create": "false", "auto_assign_org": "true",
              "auto_assign_org_role": "Viewer", "default_theme": "dark", "viewers_can_edit": "false"},
    "auth": {"disable_login_form": "false", "disable_signout_menu": "false", "login_maximum_lifetime_duration": "30d"},
    "auth.anonymous": {"enabled": "false", "org_name": "Main Org.", "org_role": "Viewer", "hide_version": "false"},
    "auth.basic": {"enabled": "true"},
    "auth.proxy": {"enabled": "false"},
    "log": {"mode": "console file", "level": "info", "filters": ""},
    "log.console": {"level": "", "format": "console"},
    "metrics": {"enabled": "true", "interval_seconds": "10", "disable_total_stats": "false",
                "basic_auth_username": "", "basic_auth_password": ""},
    "dashboards": {"versions_to_keep": "20", "min_refresh_interval": "5s", "default_home_dashboard_path": ""},
    "alerting": {"enabled": ""},
    "unified_alerting": {"enabled": "true"},
    "smtp": {"enabled": "false", "host": "localhost:25", "user": "", "password": "",
             "from_address": "admin@grafana.localhost"},
    "plugins": {"allow_loading_unsigned_plugins": "", "plugin_admin_enabled": "true"},
    "feature_toggles": {"enable": ""},
    "news": {"news_feed_enabled": "true"},
    "public_dashboards": {"enabled": "true"},
}


# ---------------------------------------------------------------- logging (Grafana's logfmt console format)

def log(level, msg, logger=None, **kv):
    t = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    parts = ["logger=" + (logger or LOGGER), "t=" + t, "level=" + level, "msg=" + logfmt(msg)]
    parts += ["%s=%s" % (k, logfmt(v)) for k, v in kv.items()]
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


class Fatal(Exception):
    pass


def fatal(err):
    """Grafana's server command ends with `Error: ✗ <err>` on stderr and exit 1."""
    sys.stdout.flush()
    sys.stderr.write("Error: \u2717 %s\n" % err)
    sys.exit(1)


# ---------------------------------------------------------------- ini (go-ini as Grafana loads it)

def parse_ini(path):
    """{section: {key: value}}; the keys before the first section are in "".  Raises Fatal with
    go-ini's texts: `unclosed section: ...`, `key-value delimiter not found: ...`."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise Fatal('failed to parse "%s": open %s: %s' % (path, path, (e.strerror or str(e)).lower()))
    except UnicodeDecodeError as e:
        raise Fatal('failed to parse "%s": %s' % (path, e))
    data = {"": {}}
    section = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        raw = lines[i]
        i += 1
        s = raw.strip()
        if not s or s[0] in "#;":
            continue
        if s[0] == "[":
            end = s.find("]")
            if end < 0:
                raise Fatal('failed to parse "%s": unclosed section: %s' % (path, s))
            section = s[1:end].strip()
            if not section:
                raise Fatal('failed to parse "%s": empty section name' % path)
            data.setdefault(section, {})
            continue
        m = re.search(r"[=:]", s)
        if not m:
            raise Fatal('failed to parse "%s": key-value delimiter not found: %s' % (path, s))
        key = s[:m.start()].strip().strip('`"')
        value = s[m.end():].strip()
        if value.startswith('"""'):
            body = value[3:]
            while '"""' not in body and i < len(lines):
                body += "\n" + lines[i]
                i += 1
            value = body.split('"""', 1)[0]
        elif len(value) >= 2 and value[0] in "\"`" and value[-1] == value[0]:
            value = value[1:-1]
        else:
            c = re.search(r"[#;]", value)
            if c:
                value = value[:c.start()].rstrip()
        data[section][key] = value
    return data


def env_key(section, key):
    s = section.replace(".", "_").replace("-", "_").upper()
    k = key.replace(".", "_").replace("-", "_").upper()
    return "GF_%s_%s" % (s, k) if s else "GF_%s" % k


def expand_value(value):
    """Grafana's $__env{NAME}, $__file{PATH} and ${NAME} / $NAME (environment) expansions."""
    def file_repl(m):
        p = m.group(1)
        try:
            with open(p, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise Fatal("could not read file %s: %s" % (p, (e.strerror or str(e)).lower()))
    value = re.sub(r"\$__file\{([^}]*)\}", file_repl, value)
    value = re.sub(r"\$__env\{([^}]*)\}", lambda m: os.environ.get(m.group(1), ""), value)
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: os.environ.get(m.group(1), ""), value)


class Settings:
    def __init__(self, config_path, homepath, cmd_args):
        self.config_path = config_path
        self.homepath = homepath
        data = {s: dict(kv) for s, kv in DEFAULTS.items()}
        defaults_ini = os.path.join(homepath, "conf", "defaults.ini")
        if os.path.exists(defaults_ini):
            for s, kv in parse_ini(defaults_ini).items():
                data.setdefault(s, {}).update(kv)
        # cfg:default.section.key=value: defaults, before the config file (setting.go applyCommandLineDefaultProperties)
        overrides = {}
        for a in cmd_args:
            m = re.match(r"^cfg:(default\.)?([^=]+)=(.*)$", a)
            if not m:
                continue
            section, dummy, key = m.group(2).rpartition(".")
            if m.group(1):
                data.setdefault(section, {})[key] = m.group(3)
            else:
                overrides[(section, key)] = m.group(3)
        self.custom_loaded = False
        if config_path:
            # As setting.go loadSpecifiedConfigFile: a --config that does not exist or does not parse fails.
            custom = parse_ini(config_path)
            for s, kv in custom.items():
                data.setdefault(s, {}).update(kv)
            self.custom_loaded = True
        self.applied_env = []
        for s, kv in data.items():
            for k in kv:
                ek = env_key(s, k)
                if os.environ.get(ek):
                    kv[k] = os.environ[ek]
                    self.applied_env.append(ek)
                fk = ek + "__FILE"
                if os.environ.get(fk):
                    # run.sh turns GF_*__FILE into GF_* before Grafana starts; this covers a started
                    # `grafana server` without run.sh.
                    try:
                        with open(os.environ[fk], encoding="utf-8") as f:
                            kv[k] = f.read().rstrip("\n")
                    except OSError as e:
                        raise Fatal("%s: could not read %s: %s" % (fk, os.environ[fk], (e.strerror or str(e)).lower()))
                    self.applied_env.append(fk)
        for (s, k), v in overrides.items():
            data.setdefault(s, {})[k] = v
        for s, kv in data.items():
            for k, v in kv.items():
                kv[k] = expand_value(v)
        self.data = data

    def get(self, section, key, default=""):
        return self.data.get(section, {}).get(key, default)

    def bool(self, section, key):
        return self.get(section, key).strip().lower() in ("1", "t", "true", "yes", "on")

    def path(self, section, key):
        p = self.get(section, key)
        return p if os.path.isabs(p) else os.path.join(self.homepath, p)


# ---------------------------------------------------------------- provisioning

def interpolate(v):
    """values.StringValue: $VAR / ${VAR} from the environment ($$ is a literal $)."""
    if not isinstance(v, str):
        return v
    return re.sub(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)",
                  lambda m: "$" if m.group(0) == "$$" else os.environ.get(m.group(1) or m.group(2), ""), v)


def interpolate_deep(v):
    if isinstance(v, dict):
        return {k: interpolate_deep(x) for k, x in v.items()}
    if isinstance(v, list):
        return [interpolate_deep(x) for x in v]
    return interpolate(v)


def to_bool(v, what):
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    s = interpolate(str(v))
    if s == "":
        return False
    try:
        return parse_bool(s)
    except ValueError:
        raise Fatal('strconv.ParseBool: parsing "%s": invalid syntax (%s)' % (s, what))


def to_int(v, what, default=0):
    if v is None:
        return default
    if isinstance(v, bool):
        raise Fatal("cannot unmarshal !!bool into int (%s)" % what)
    try:
        return int(interpolate(str(v)))
    except ValueError:
        raise Fatal('strconv.Atoi: parsing "%s": invalid syntax (%s)' % (v, what))


def to_str(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return interpolate(str(v))


def yaml_files(directory, what, logger):
    """The *.yaml and *.yml files of a provisioning directory, sorted; none (logged) when it cannot be read."""
    try:
        names = sorted(os.listdir(directory))
    except OSError as e:
        log("error", "can't read %s provisioning files from directory" % what, logger=logger, path=directory, error=e)
        return []
    return [os.path.join(directory, n) for n in names if n.endswith(".yaml") or n.endswith(".yml")]


def load_yaml(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        raise Fatal("open %s: %s" % (path, (e.strerror or str(e)).lower()))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = "line %d: " % (mark.line + 1) if mark else ""
        raise Fatal("yaml: %s%s (%s)" % (where, getattr(e, "problem", None) or e, path))
    if doc is not None and not isinstance(doc, dict):
        raise Fatal("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!%s into datasources.configVersion (%s)"
                    % ("seq" if isinstance(doc, list) else "str", path))
    return doc or {}


# v0 (no apiVersion) used snake_case keys.
V0_KEYS = {"org_id": "orgId", "basic_auth": "basicAuth", "basic_auth_user": "basicAuthUser",
           "basic_auth_password": "basicAuthPassword", "with_credentials": "withCredentials",
           "is_default": "isDefault", "json_data": "jsonData", "secure_json_data": "secureJsonData"}


def read_datasources(directory):
    result = []
    for path in yaml_files(directory, "datasource", "provisioning.datasources"):
        doc = load_yaml(path)
        version = to_int(doc.get("apiVersion"), "apiVersion")
        if version == 0:
            log("warn", "[Deprecated] the datasource provisioning config is outdated. please upgrade",
                logger="provisioning.datasources", filename=path)
            doc = {("deleteDatasources" if k == "delete_datasources" else k): v for k, v in doc.items()}
        entries = doc.get("datasources") or []
        deletes = doc.get("deleteDatasources") or []
        if not isinstance(entries, list) or not isinstance(deletes, list):
            raise Fatal("yaml: unmarshal errors:\n  cannot unmarshal !!map into "
                        "[]*datasources.upsertDataSourceFromConfigV1 (%s)" % path)
        for e in entries:
            if not isinstance(e, dict):
                raise Fatal("yaml: unmarshal errors:\n  cannot unmarshal !!%s into "
                            "datasources.upsertDataSourceFromConfigV1 (%s)"
                            % (type(e).__name__, path))
            if version == 0:
                e = {V0_KEYS.get(k, k): v for k, v in e.items()}
            ds = {
                "file": path,
                "orgId": to_int(e.get("orgId"), "orgId") or 1,
                "name": to_str(e.get("name")),
                "type": to_str(e.get("type")),
                "access": to_str(e.get("access")),
                "url": to_str(e.get("url")),
                "uid": to_str(e.get("uid")),
                "user": to_str(e.get("user")),
                "database": to_str(e.get("database")),
                "basicAuth": to_bool(e.get("basicAuth"), "basicAuth"),
                "basicAuthUser": to_str(e.get("basicAuthUser")),
                "withCredentials": to_bool(e.get("withCredentials"), "withCredentials"),
                "isDefault": to_bool(e.get("isDefault"), "isDefault"),
                "jsonData": interpolate_deep(e.get("jsonData") or {}),
                "secureJsonData": interpolate_deep(e.get("secureJsonData") or {}),
                "editable": to_bool(e.get("editable"), "editable"),
                "version": to_int(e.get("version"), "version"),
            }
            if not isinstance(ds["jsonData"], dict) or not isinstance(ds["secureJsonData"], dict):
                raise Fatal("yaml: unmarshal errors:\n  cannot unmarshal into map[string]interface {} "
                            "(jsonData/secureJsonData of %r in %s)"
                            % (ds["name"], path))
            result.append(ds)
        for d in deletes:
            if not isinstance(d, dict):
                raise Fatal("yaml: unmarshal errors:\n  cannot unmarshal !!%s into "
                            "datasources.deleteDatasourceConfigV1 (%s)"
                            % (type(d).__name__, path))
            # Nothing to delete: the stand-in's data sources exist only while it runs.
    # validateDefaultUniqueness / validateAccessAndOrgID
    defaults = {}
    for ds in result:
        if ds["orgId"] != 1:
            raise Fatal('failed to provision "%s" data source: organization not found' % ds["name"])
        if ds["access"] == "":
            ds["access"] = "proxy"
        if ds["access"] not in ("proxy", "direct"):
            log("warn", "invalid access value, will use 'proxy' instead", logger="provisioning.datasources",
                value=ds["access"])
            ds["access"] = "proxy"
        if ds["isDefault"]:
            defaults[ds["orgId"]] = defaults.get(ds["orgId"], 0) + 1
            if defaults[ds["orgId"]] > 1:
                raise Fatal("datasource.yaml config is invalid. Only one datasource per organization can be marked "
                            "as default")
    # Stand-in rules (the store refuses these on insert: datasources.ErrDataSourceNameExists /
    # ErrDataSourceUidExists; Grafana 13 upserts entries concurrently, so one of two same names can win).
    names, uids = {}, {}
    for ds in result:
        if not ds["name"]:
            raise Fatal('failed to provision "" data source: data source name cannot be empty (%s)' % ds["file"])
        key = (ds["orgId"], ds["name"])
        if key in names:
            raise Fatal('data source with the same name already exists: "%s" in %s and %s'
                        % (ds["name"], names[key], ds["file"]))
        names[key] = ds["file"]
        if ds["uid"]:
            if ds["uid"] in uids:
                raise Fatal('data source with the same uid already exists: "%s" in %s and %s'
                            % (ds["uid"], uids[ds["uid"]], ds["file"]))
            uids[ds["uid"]] = ds["file"]
    for i, ds in enumerate(result, 1):
        ds["id"] = i
        if not ds["uid"]:
            ds["uid"] = hashlib.sha1(ds["name"].encode()).hexdigest()[:14]
        log("info", "inserting datasource from configuration", logger="provisioning.datasources",
            name=ds["name"], uid=ds["uid"])
    return result


def read_dashboard_providers(directory):
    providers = []
    for path in yaml_files(directory, "dashboard", "provisioning.dashboard"):
        try:
            doc = load_yaml(path)
            version = to_int(doc.get("apiVersion"), "apiVersion")
            entries = doc.get("providers") if version > 0 else doc.get("providers", doc.get("dashboards"))
        except Fatal as e:
            raise Fatal("could not parse provisioning config file: %s error: %s" % (os.path.basename(path), e))
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise Fatal("could not parse provisioning config file: %s error: yaml: unmarshal errors:\n"
                        "  cannot unmarshal !!map into []*dashboards.configV1" % os.path.basename(path))
        for e in entries:
            if not isinstance(e, dict):
                raise Fatal("could not parse provisioning config file: %s error: yaml: unmarshal errors:\n"
                            "  cannot unmarshal !!%s into dashboards.configV1"
                            % (os.path.basename(path), type(e).__name__))
            options = e.get("options") or {}
            if not isinstance(options, dict):
                raise Fatal("could not parse provisioning config file: %s error: options is not a map"
                            % os.path.basename(path))
            p = {
                "file": path,
                "name": to_str(e.get("name")),
                "type": to_str(e.get("type")) or "file",
                "orgId": to_int(e.get("orgId"), "orgId") or 1,
                "folder": to_str(e.get("folder")),
                "folderUid": to_str(e.get("folderUid")),
                "editable": to_bool(e.get("editable"), "editable"),
                "disableDeletion": to_bool(e.get("disableDeletion"), "disableDeletion"),
                "allowUiUpdates": to_bool(e.get("allowUiUpdates"), "allowUiUpdates"),
                "updateIntervalSeconds": to_int(e.get("updateIntervalSeconds"), "updateIntervalSeconds") or 10,
                "foldersFromFilesStructure": to_bool(e.get("foldersFromFilesStructure"), "foldersFromFilesStructure"),
                "options": interpolate_deep(options),
            }
            if p["orgId"] != 1:
                raise Fatal('failed to provision dashboards with "%s" reader: organization not found' % p["name"])
            if p["type"] != "file":
                raise Fatal('failed to provision dashboards with "%s" reader: unknown provider type "%s" '
                            "(only file in the stand-in)" % (p["name"], p["type"]))
            path_opt = p["options"].get("path")
            if not isinstance(path_opt, str):
                path_opt = p["options"].get("folder")
                if not isinstance(path_opt, str):
                    raise Fatal("failed to load dashboards, path param is not a string")
                log("warn", "[Deprecated] The folder property is deprecated. Please use path instead.",
                    logger="provisioning.dashboard")
            p["path"] = path_opt
            if p["foldersFromFilesStructure"] and (p["folder"] or p["folderUid"]):
                raise Fatal("'folder' and 'folderUID' should be empty using 'foldersFromFilesStructure' option")
            providers.append(p)
    names = set()
    for p in providers:
        if p["name"] in names:
            log("error", "dashboard providers with the same name", logger="provisioning.dashboard", name=p["name"])
        names.add(p["name"])
    return providers


def load_dashboards(providers):
    dashboards, by_uid = [], {}
    for p in providers:
        root = p["path"]
        logger = "provisioning.dashboard"
        if not os.path.isdir(root):
            # Provisioner.Provision: a missing folder does not stop the provisioning service.
            log("warn", "Failed to provision config", logger=logger, name=p["name"],
                error="stat %s: no such file or directory" % root)
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            dirnames.sort()
            for fn in sorted(filenames):
                if not fn.endswith(".json"):
                    continue
                full = os.path.join(dirpath, fn)
                try:
                    with open(full, encoding="utf-8") as f:
                        dash = json.load(f)
                    if not isinstance(dash, dict):
                        raise ValueError("json: cannot unmarshal %s into Go value of type map[string]interface {}"
                                         % type(dash).__name__)
                except (OSError, ValueError) as e:
                    log("error", "failed to load dashboard from ", logger=logger, type="file", name=p["name"],
                        file=full, error=e)
                    continue
                if not dash.get("title"):
                    log("error", "failed to load dashboard from ", logger=logger, type="file", name=p["name"],
                        file=full, error="Dashboard title cannot be empty")
                    continue
                uid = dash.get("uid") or hashlib.sha1(full.encode()).hexdigest()[:14]
                if uid in by_uid:
                    log("error", "the same UID is used more than once", logger=logger, type="file",
                        name=p["name"], uid=uid, times=2, providers=[by_uid[uid]["provider"], p["name"]])
                    continue
                if p["foldersFromFilesStructure"]:
                    rel = os.path.relpath(dirpath, root)
                    folder = "" if rel == "." else os.path.basename(rel)
                else:
                    folder = p["folder"]
                d = {"provider": p["name"], "file": full, "external": os.path.relpath(full, root), "uid": uid,
                     "title": str(dash["title"]), "folder": folder, "folderUid": p["folderUid"] if folder else "",
                     "json": dash, "tags": dash.get("tags") if isinstance(dash.get("tags"), list) else [],
                     "allowUiUpdates": p["allowUiUpdates"]}
                by_uid[uid] = d
                dashboards.append(d)
    folders = {}
    for d in dashboards:
        if d["folder"]:
            if d["folder"] not in folders:
                folders[d["folder"]] = {"title": d["folder"], "uid": d["folderUid"] or
                                        hashlib.sha1(("folder/" + d["folder"]).encode()).hexdigest()[:14]}
            d["folderUid"] = folders[d["folder"]]["uid"]
    for i, f in enumerate(folders.values(), 1):
        f["id"] = i
    for i, d in enumerate(dashboards, len(folders) + 1):
        d["id"] = i
        d["folderId"] = folders[d["folder"]]["id"] if d["folder"] else 0
    return dashboards, list(folders.values())


# ---------------------------------------------------------------- users (grafana.db)

def encode_password(password, salt):
    """util.EncodePassword: hex(PBKDF2(sha256, password, salt, 10000, 50)); pure Python (no OpenSSL here)."""
    pw, s = password.encode(), salt.encode()
    out = b""
    block = 1
    while len(out) < 50:
        u = hmac.new(pw, s + block.to_bytes(4, "big"), hashlib.sha256).digest()
        acc = int.from_bytes(u, "big")
        mac = hmac.new(pw, digestmod=hashlib.sha256)
        for dummy in range(9999):
            m = mac.copy()
            m.update(u)
            u = m.digest()
            acc ^= int.from_bytes(u, "big")
        out += acc.to_bytes(32, "big")
        block += 1
    return out[:50].hex()


def random_string(n):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for dummy in range(n))


def db_connect(path):
    conn = sqlite3.connect(path, timeout=10)
    conn.execute("CREATE TABLE IF NOT EXISTS user (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                 "version INTEGER NOT NULL, login TEXT NOT NULL UNIQUE, email TEXT NOT NULL, name TEXT NULL, "
                 "password TEXT NULL, salt TEXT NULL, rands TEXT NULL, company TEXT NULL, org_id INTEGER NOT NULL, "
                 "is_admin INTEGER NOT NULL, created DATETIME NOT NULL, updated DATETIME NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS standin_info (key TEXT PRIMARY KEY, value TEXT)")
    # Dashboards saved through the API (/api/dashboards/db), in the table upstream keeps them in.
    conn.execute("CREATE TABLE IF NOT EXISTS dashboard (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                 "version INTEGER NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL, "
                 "org_id INTEGER NOT NULL, created DATETIME NOT NULL, updated DATETIME NOT NULL, uid TEXT NOT NULL "
                 "UNIQUE)")
    return conn


def saved_dashboard(db_path, uid):
    conn = db_connect(db_path)
    row = conn.execute("SELECT id, version, title, data, created, updated FROM dashboard WHERE uid = ?",
                       (uid,)).fetchone()
    conn.close()
    return row


def save_dashboard(db_path, dash, overwrite):
    """Upstream's POST /api/dashboards/db: (status, body)."""
    title = dash.get("title")
    if not isinstance(title, str) or not title.strip():
        return 400, {"message": "Dashboard title cannot be empty", "status": "empty-name"}
    uid = dash.get("uid") or random_string(14)
    if not isinstance(uid, str) or not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", uid):
        return 400, {"message": "uid contains illegal characters", "status": "bad-uid"}
    if any(d["uid"] == uid for d in State.dashboards):
        return 400, {"message": "Cannot save provisioned dashboard", "status": "provisioned"}
    conn = db_connect(db_path)
    with conn:
        row = conn.execute("SELECT id, version FROM dashboard WHERE uid = ?", (uid,)).fetchone()
        if row and not overwrite:
            conn.close()
            return 412, {"message": "A dashboard with the same uid already exists", "status": "name-exists"}
        version = (row[1] + 1) if row else 1
        data = json.dumps(dict(dash, uid=uid, version=version, id=row[0] if row else None))
        if row:
            conn.execute("UPDATE dashboard SET version = ?, slug = ?, title = ?, data = ?, updated = ? WHERE id = ?",
                         (version, slugify(title), title, data, now_sql(), row[0]))
            ident = row[0]
        else:
            ident = conn.execute("INSERT INTO dashboard (version, slug, title, data, org_id, created, updated, uid) "
                                 "VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                                 (version, slugify(title), title, data, now_sql(), now_sql(), uid)).lastrowid
    conn.close()
    return 200, {"id": ident, "uid": uid, "url": "/d/%s/%s" % (uid, slugify(title)), "status": "success",
                 "version": version, "slug": slugify(title), "folderUid": ""}


def set_password(db_path, user_id, password):
    salt = random_string(10)
    conn = db_connect(db_path)
    with conn:
        cur = conn.execute("UPDATE user SET password = ?, salt = ?, updated = ?, version = version + 1 WHERE id = ?",
                           (encode_password(password, salt), salt, now_sql(), user_id))
    conn.close()
    return cur.rowcount


def now_sql():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def init_db(settings):
    data_dir = settings.path("paths", "data")
    try:
        os.makedirs(data_dir, exist_ok=True)
        probe = os.path.join(data_dir, ".standin-write-test")
        with open(probe, "w") as f:
            f.write("")
        os.unlink(probe)
    except OSError as e:
        raise Fatal("failed to connect to database: mkdir/open %s: %s (the data directory must be writable by "
                    "UID %d)" % (data_dir, (e.strerror or str(e)).lower(), os.getuid()))
    db_path = settings.get("database", "path")
    if not os.path.isabs(db_path):
        db_path = os.path.join(data_dir, db_path)
    fresh = not os.path.exists(db_path)
    try:
        conn = db_connect(db_path)
    except sqlite3.Error as e:
        raise Fatal("failed to connect to database: %s: %s" % (db_path, e))
    log("info", "Connecting to DB", logger="sqlstore", dbtype="sqlite3")
    with conn:
        conn.execute("INSERT OR REPLACE INTO standin_info VALUES ('last_start', ?)", (now_sql(),))
        if conn.execute("SELECT COUNT(*) FROM user").fetchone()[0] == 0 \
                and not settings.bool("security", "disable_initial_admin_creation"):
            login = settings.get("security", "admin_user") or "admin"
            salt = random_string(10)
            conn.execute("INSERT INTO user (version, login, email, name, password, salt, rands, org_id, is_admin, "
                         "created, updated) VALUES (0, ?, ?, '', ?, ?, ?, 1, 1, ?, ?)",
                         (login, settings.get("security", "admin_email"),
                          encode_password(settings.get("security", "admin_password"), salt), salt,
                          random_string(10), now_sql(), now_sql()))
            log("info", "Created default admin", logger="sqlstore", user=login)
        elif not fresh:
            log("info", "Admin user exists in the database; [security] admin_password is not applied",
                logger="sqlstore", standin="true")
    conn.close()
    return db_path


def check_login(db_path, login, password):
    try:
        conn = sqlite3.connect(db_path, timeout=10)
        row = conn.execute("SELECT id, login, email, password, salt, is_admin FROM user WHERE login = ? OR email = ?",
                           (login, login)).fetchone()
        conn.close()
    except sqlite3.Error:
        return None
    if not row or row[3] is None:
        return None
    if not hmac.compare_digest(encode_password(password, row[4]), row[3]):
        return None
    return {"id": row[0], "login": row[1], "email": row[2], "isGrafanaAdmin": bool(row[5])}


# ---------------------------------------------------------------- HTTP API

class State:
    settings = None
    db_path = ""
    datasources = []
    dashboards = []
    folders = []
    auth_cache = {}
    lock = threading.Lock()


def slugify(s):
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", s.lower())).strip("-")


def ds_summary(ds):
    return {"id": ds["id"], "uid": ds["uid"], "orgId": ds["orgId"], "name": ds["name"], "type": ds["type"],
            "typeName": "", "typeLogoUrl": "", "access": ds["access"], "url": ds["url"], "user": ds["user"],
            "database": ds["database"], "basicAuth": ds["basicAuth"], "isDefault": ds["isDefault"],
            "jsonData": ds["jsonData"], "readOnly": not ds["editable"]}


def ds_full(ds):
    return {"id": ds["id"], "uid": ds["uid"], "orgId": ds["orgId"], "name": ds["name"], "type": ds["type"],
            "typeLogoUrl": "", "access": ds["access"], "url": ds["url"], "user": ds["user"],
            "database": ds["database"], "basicAuth": ds["basicAuth"], "basicAuthUser": ds["basicAuthUser"],
            "withCredentials": ds["withCredentials"], "isDefault": ds["isDefault"], "jsonData": ds["jsonData"],
            "secureJsonFields": {k: True for k in ds["secureJsonData"]}, "version": ds["version"] or 1,
            "readOnly": not ds["editable"], "apiVersion": ""}


def search_hit(d):
    slug = slugify(d["title"])
    hit = {"id": d["id"], "uid": d["uid"], "orgId": 1, "title": d["title"], "uri": "db/" + slug,
           "url": "/d/%s/%s" % (d["uid"], slug), "slug": "", "type": "dash-db", "tags": d["tags"],
           "isStarred": False, "sortMeta": 0, "isDeleted": False}
    if d["folder"]:
        hit.update({"folderId": d["folderId"], "folderUid": d["folderUid"], "folderTitle": d["folder"],
                    "folderUrl": "/dashboards/f/%s/%s" % (d["folderUid"], slugify(d["folder"]))})
    return hit


def metrics():
    out = []
    metric(out, "grafana_build_info", "gauge", "A metric with a constant '1' value labeled by version, revision, "
           "branch, and goversion from which Grafana was built",
           [({"branch": "HEAD", "edition": "oss", "goversion": "python%d.%d" % sys.version_info[:2],
              "revision": COMMIT, "standin": "true", "version": VERSION}, 1)])
    metric(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
           [({}, "%.2f" % START_TIME)])
    metric(out, "standin_provisioned_datasources", "gauge", "Data sources the test stand-in provisioned.",
           [({}, len(State.datasources))])
    metric(out, "standin_provisioned_dashboards", "gauge",
           "Dashboards the test stand-in provisioned (broken files skipped).", [({}, len(State.dashboards))])
    return "\n".join(out) + "\n"


class Handler(GoHandler):
    """Grafana's answers: JSON unless said otherwise, always Cache-Control: no-store and nosniff."""
    nosniff_always = True

    def reply(self, status, body, ctype="application/json", extra=None):
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        super().reply(status, body, ctype, dict({"Cache-Control": "no-store"}, **(extra or {})))

    def user(self):
        """The signed-in user (basic auth), {"anonymous": True} or None."""
        h = self.headers.get("Authorization", "")
        if h.lower().startswith("basic ") and State.settings.bool("auth.basic", "enabled"):
            try:
                login, dummy, password = base64.b64decode(h[6:].strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return check_login(State.db_path, login, password) or False
        if State.settings.bool("auth.anonymous", "enabled"):
            return {"anonymous": True, "role": State.settings.get("auth.anonymous", "org_role") or "Viewer"}
        return None

    def route(self):
        u = urllib.parse.urlsplit(self.path)
        path, query = u.path.rstrip("/") or "/", urllib.parse.parse_qs(u.query)
        payload = self.drain()
        if path == "/api/health":
            try:
                c = sqlite3.connect(State.db_path, timeout=5)
                c.execute("SELECT 1").fetchone()
                c.close()
                db = "ok"
            except sqlite3.Error:
                db = "failing"
            return self.reply(200 if db == "ok" else 503, json.dumps(
                {"commit": COMMIT, "database": db, "version": VERSION}, indent=2, sort_keys=True))
        if path == "/metrics":
            mu = State.settings.get("metrics", "basic_auth_username")
            mp = State.settings.get("metrics", "basic_auth_password")
            if mu and mp:
                want = "Basic " + base64.b64encode(("%s:%s" % (mu, mp)).encode()).decode()
                if self.headers.get("Authorization", "") != want:
                    return self.reply(401, "Unauthorized\n", "text/plain; charset=utf-8",
                                      {"WWW-Authenticate": 'Basic realm="Grafana"'})
            return self.reply(200, metrics(), "text/plain; version=0.0.4; charset=utf-8")
        if path == "/api/frontend/settings" or path == "/login" or path == "/":
            if path == "/":
                return self.reply(302, "", "text/html", {"Location": "/login"})
            return self.reply(200, "<!doctype html><title>Grafana (test stand-in)</title>\n" if path == "/login"
                              else {"buildInfo": {"version": VERSION, "commit": COMMIT, "edition": "Open Source"}},
                              "text/html; charset=utf-8" if path == "/login" else "application/json")
        if not path.startswith("/api/"):
            return self.reply(404, {"message": "Not found"})
        user = self.user()
        if user is False:
            return self.reply(401, {"message": "Invalid username or password", "messageId": "password-auth.failed",
                                    "statusCode": 401, "traceID": ""})
        if user is None:
            return self.reply(401, {"message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401,
                                    "traceID": ""})
        anonymous = user.get("anonymous", False)
        admin = not anonymous and user.get("isGrafanaAdmin")

        def forbidden():
            return self.reply(403, {"accessErrorId": "ACE0000000000", "message": "You'll need additional permissions "
                                    "to perform this action.", "title": "Access denied"})

        if self.command in ("GET", "HEAD"):
            if path == "/api/user":
                if anonymous:
                    return self.reply(404, {"message": "user not found"})
                return self.reply(200, {"id": user["id"], "login": user["login"], "email": user["email"], "name": "",
                                        "orgId": 1, "isGrafanaAdmin": bool(admin), "isDisabled": False,
                                        "isExternal": False, "authLabels": []})
            if path == "/api/datasources":
                if anonymous:
                    return forbidden()
                return self.reply(200, [ds_summary(d) for d in State.datasources])
            m = re.fullmatch(r"/api/datasources/(uid|name)/(.+)", path)
            if m or re.fullmatch(r"/api/datasources/\d+", path):
                if anonymous:
                    return forbidden()
                if m:
                    field, val = m.group(1), urllib.parse.unquote(m.group(2))
                else:
                    field, val = "id", int(path.rsplit("/", 1)[1])
                for d in State.datasources:
                    if d[field] == val:
                        return self.reply(200, ds_full(d))
                return self.reply(404, {"message": "Data source not found"})
            if path == "/api/search":
                kinds = query.get("type", [])
                q = (query.get("query") or [""])[0].lower()
                hits = []
                if not kinds or "dash-folder" in kinds:
                    for f in State.folders:
                        if q in f["title"].lower():
                            hits.append({"id": f["id"], "uid": f["uid"], "orgId": 1, "title": f["title"],
                                         "uri": "db/" + slugify(f["title"]),
                                         "url": "/dashboards/f/%s/%s" % (f["uid"], slugify(f["title"])),
                                         "slug": "", "type": "dash-folder", "tags": [], "isStarred": False,
                                         "sortMeta": 0, "isDeleted": False})
                if not kinds or "dash-db" in kinds:
                    hits += [search_hit(d) for d in State.dashboards if q in d["title"].lower()]
                return self.reply(200, hits)
            m = re.fullmatch(r"/api/dashboards/uid/(.+)", path)
            if m:
                uid = urllib.parse.unquote(m.group(1))
                for d in State.dashboards:
                    if d["uid"] == uid:
                        dash = dict(d["json"], id=d["id"], uid=d["uid"], version=d["json"].get("version", 1) or 1)
                        slug = slugify(d["title"])
                        meta = {"type": "db", "canSave": not anonymous, "canEdit": not anonymous,
                                "canAdmin": bool(admin), "canStar": not anonymous, "canDelete": not anonymous,
                                "slug": slug, "url": "/d/%s/%s" % (d["uid"], slug), "expires": "0001-01-01T00:00:00Z",
                                "created": "", "updated": "", "updatedBy": "Anonymous", "createdBy": "Anonymous",
                                "version": dash["version"], "hasAcl": False, "isFolder": False,
                                "folderId": d["folderId"], "folderUid": d["folderUid"],
                                "folderTitle": d["folder"] or "Dashboards",
                                "folderUrl": "/dashboards/f/%s/%s" % (d["folderUid"], slugify(d["folder"]))
                                if d["folder"] else "",
                                "provisioned": not d["allowUiUpdates"], "provisionedExternalId": d["external"],
                                "annotationsPermissions": None, "publicDashboardEnabled": False}
                        return self.reply(200, {"dashboard": dash, "meta": meta})
                row = saved_dashboard(State.db_path, uid)
                if row:
                    ident, version, title, data, created, updated = row
                    slug = slugify(title)
                    meta = {"type": "db", "canSave": not anonymous, "canEdit": not anonymous,
                            "canAdmin": bool(admin), "canStar": not anonymous, "canDelete": not anonymous,
                            "slug": slug, "url": "/d/%s/%s" % (uid, slug), "expires": "0001-01-01T00:00:00Z",
                            "created": created, "updated": updated, "updatedBy": "admin", "createdBy": "admin",
                            "version": version, "hasAcl": False, "isFolder": False, "folderId": 0, "folderUid": "",
                            "folderTitle": "Dashboards", "folderUrl": "", "provisioned": False,
                            "provisionedExternalId": "", "annotationsPermissions": None,
                            "publicDashboardEnabled": False}
                    return self.reply(200, {"dashboard": dict(json.loads(data), id=ident), "meta": meta})
                return self.reply(404, {"message": "Dashboard not found"})
        if self.command == "POST" and path == "/api/dashboards/db":
            if anonymous:
                return forbidden()
            try:
                body = json.loads(payload or b"{}")
                dash = body.get("dashboard")
            except (ValueError, AttributeError):
                return self.reply(400, {"message": "bad request data"})
            if not isinstance(dash, dict):
                return self.reply(400, {"message": "bad request data"})
            status, answer = save_dashboard(State.db_path, dash, bool(body.get("overwrite")))
            return self.reply(status, answer)
        if self.command == "PUT":
            m = re.fullmatch(r"/api/admin/users/(\d+)/password", path)
            if m:
                if not admin:
                    return forbidden()
                try:
                    pw = json.loads(payload or b"{}").get("password")
                except (ValueError, AttributeError):
                    return self.reply(400, {"message": "bad request data"})
                if not isinstance(pw, str) or len(pw) < 4:
                    return self.reply(400, {"message": "New password is too short"})
                if set_password(State.db_path, int(m.group(1)), pw) == 0:
                    return self.reply(404, {"message": "user not found"})
                return self.reply(200, {"message": "User password updated"})
        return self.reply(404, {"message": "Not found"})

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = route


# ---------------------------------------------------------------- commands

COMMON_FLAGS_WITH_VALUE = ("homepath", "config", "packaging", "pidfile", "configOverrides", "user-id",
                           "profile-addr", "profile-port")


def parse_common(args, flags_with_value=COMMON_FLAGS_WITH_VALUE):
    """Go urfave/cli style: --name=value / --name value / -name value; returns (flags, positionals)."""
    flags, rest = {}, []
    it = iter(args)
    for a in it:
        m = re.match(r"^--?([A-Za-z][\w.-]*)(?:=(.*))?$", a)
        if m and not a.startswith("cfg:"):
            name, value = m.group(1), m.group(2)
            if value is None and name in flags_with_value:
                value = next(it, "")
            flags[name] = True if value is None else value
        else:
            rest.append(a)
    return flags, rest


def settings_from(flags, rest):
    homepath = flags.get("homepath") or os.environ.get("GF_PATHS_HOME") or "/usr/share/grafana"
    config = flags.get("config") or ""
    cmd_args = [a for a in rest if a.startswith("cfg:")]
    if isinstance(config, bool):
        config = ""
    # GF_PATHS_* are ordinary env overrides of [paths] (GF_PATHS_DATA -> [paths] data).
    return Settings(config, homepath, cmd_args)


def server(args):
    flags, rest = parse_common(args)
    if flags.get("v") or flags.get("version"):
        print("Version %s (commit: %s, branch: HEAD)" % (VERSION, COMMIT))
        return 0
    try:
        st = settings_from(flags, rest)
        log("info", "Starting Grafana", logger="server", version=VERSION, commit=COMMIT, branch="HEAD",
            compiled=datetime.datetime.fromtimestamp(START_TIME, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            standin="true")
        log("info", "Config loaded from", logger="settings", file=st.config_path or "(none)")
        for e in st.applied_env:
            log("info", "Config overridden from Environment variable", logger="settings",
                var="%s=*********" % e if re.search(r"PASSWORD|SECRET|KEY|TOKEN", e) else
                "%s=%s" % (e, os.environ.get(e, "")))
        for k in ("home", "data", "logs", "plugins", "provisioning"):
            log("info", "Path " + k.capitalize(), logger="settings",
                path=st.homepath if k == "home" else st.path("paths", k))
        prov = st.path("paths", "provisioning")
        if not os.path.isdir(prov):
            raise Fatal("test stand-in: the provisioning directory %s does not exist; mount the provisioning "
                        "configuration there (grafana-standin starts only with it)" % prov)
        State.settings = st
        State.db_path = init_db(st)
        try:
            State.datasources = read_datasources(os.path.join(prov, "datasources"))
        except Fatal as e:
            err = "Datasource provisioning error: %s" % e
            log("error", "Failed to provision data sources", logger="provisioning", error=err)
            raise Fatal("*provisioning.ProvisioningServiceImpl run error: %s" % err)
        try:
            providers = read_dashboard_providers(os.path.join(prov, "dashboards"))
        except Fatal as e:
            err = "Failed to read dashboards config: %s" % e
            log("error", "Failed to provision dashboards", logger="provisioning", error=err)
            raise Fatal("*provisioning.ProvisioningServiceImpl run error: %s" % err)
        State.dashboards, State.folders = load_dashboards(providers)
        log("info", "finished to provision dashboards", logger="provisioning.dashboard",
            providers=len(providers), dashboards=len(State.dashboards))
        addr = st.get("server", "http_addr") or "0.0.0.0"
        try:
            port = int(st.get("server", "http_port") or 3000)
        except ValueError:
            raise Fatal('strconv.Atoi: parsing "%s": invalid syntax ([server] http_port)'
                        % st.get("server", "http_port"))
        if st.get("server", "protocol") not in ("http", ""):
            log("warn", "test stand-in serves plain HTTP only", logger="http.server",
                protocol=st.get("server", "protocol"))
        try:
            srv = listen(addr, port, Handler)
        except OSError as e:
            raise Fatal("failed to open listener on address %s:%d: listen tcp %s:%d: bind: %s"
                        % (addr, port, addr, port, (e.strerror or str(e)).lower()))
    except Fatal as e:
        fatal(e)

    stop_on_signals(srv, lambda signum: log("info", "Shutdown started", logger="server",
                                            reason="System signal: %s" % signal.Signals(signum).name))
    log("info", "HTTP Server Listen", logger="http.server", address="%s:%d" % srv.server_address[:2],
        protocol="http", subUrl="", socket="")
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    return 0


def cli(args):
    flags, rest = parse_common(args)
    words = [a for a in rest if not a.startswith("cfg:")]
    if flags.get("v") or flags.get("version"):
        print("Grafana CLI version %s" % VERSION)
        return 0
    if words[:2] != ["admin", "reset-admin-password"]:
        sys.stderr.write("Error: \u2717 test stand-in: only `grafana cli admin reset-admin-password` is implemented\n")
        return 1
    from_stdin = flags.get("password-from-stdin", False)
    if not isinstance(from_stdin, bool):  # --password-from-stdin=false, as Go's flag package takes it
        try:
            from_stdin = parse_bool(from_stdin)
        except ValueError:
            sys.stderr.write('Incorrect Usage: invalid boolean value "%s" for -password-from-stdin: parse error\n'
                             % from_stdin)
            return 1
    if from_stdin:
        # reset_password_command.go: prints the prompt, then reads one line with bufio.Scanner (ScanLines drops the
        # newline and a \r before it); nothing at all on stdin is an error of its own.
        sys.stdout.write("New Password: ")
        sys.stdout.flush()
        line = sys.stdin.buffer.readline()
        if not line:
            sys.stderr.write("Error: \u2717 can't read password from stdin\n")
            return 1
        line = line[:-1] if line.endswith(b"\n") else line
        password = (line[:-1] if line.endswith(b"\r") else line).decode("utf-8", "surrogateescape")
    else:
        # c.Args().First(): the first argument after the subcommand; any further ones are ignored.
        pos = rest[rest.index("reset-admin-password") + 1:]
        password = pos[0] if pos else ""
    if len(password.encode("utf-8", "surrogateescape")) < 4:  # Password.IsWeak counts bytes
        sys.stderr.write("Error: \u2717 new password is too short\n")
        return 1
    try:
        env_config = os.environ.get("GF_PATHS_CONFIG")
        if not flags.get("config") and env_config and os.path.exists(env_config):
            flags["config"] = os.environ["GF_PATHS_CONFIG"]
        st = settings_from(flags, rest)
        data_dir = st.path("paths", "data")
        db_path = st.get("database", "path")
        if not os.path.isabs(db_path):
            db_path = os.path.join(data_dir, db_path)
        if not os.path.exists(db_path):
            raise Fatal("test stand-in: %s does not exist (start the server once first)" % db_path)
        user_id = int(flags.get("user-id") or 1)
        if set_password(db_path, user_id, password) == 0:
            raise Fatal("could not read user from database. Error: user not found")
    except (Fatal, sqlite3.Error, ValueError) as e:
        sys.stderr.write("Error: \u2717 %s\n" % e)
        return 1
    print("\nAdmin password changed successfully \u2714\n")
    return 0


def main(argv):
    prog = os.path.basename(argv[0])
    args = argv[1:]
    if prog == "grafana-server":
        return server(args)
    if prog == "grafana-cli":
        return cli(args)
    # `grafana [global flags] server|cli ...`
    rest = list(args)
    while rest and rest[0].startswith("-") and rest[0] not in ("-v", "--version", "-h", "--help"):
        rest.pop(0)
    if rest and rest[0] in ("-v", "--version"):
        print("grafana version %s" % VERSION)
        return 0
    if rest and rest[0] == "server":
        return server(rest[1:])
    if rest and rest[0] == "cli":
        return cli(rest[1:])
    sys.stderr.write("Usage: grafana server|cli [flags] (test stand-in for Grafana %s)\n" % VERSION)
    return 1 if rest else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: config_dir
short_description: Stage, check and swap in a component's whole configuration directory in one step
version_added: 0.2.0
author:
  - Proxy Agent Platform DevOps Team (@proxy-agent)
description:
  - Makes the directory O(path) hold exactly O(files) and O(secret_files), nothing else.
  - When the directory already holds them and they were checked with the same image and checkers, it does nothing
    and runs nothing, so an unchanged configuration costs one task.
  - Otherwise it writes the new files into a staging directory, runs every checker of O(checks) against it in a
    throwaway container of O(image) (see M(proxy_agent.observability.config_check)) and fails with the checker's
    message, leaving the live directory untouched, when one of them rejects it.
  - A checked configuration is swapped in place, file by file (each file is replaced atomically). The directory
    itself is never replaced, because a container bind-mounts it and would keep seeing the old one. The previous
    files are kept in a backup directory first; O(state=restored) puts them back.
  - A small state file records a fingerprint of the files, the image and the checkers, so that a new image
    re-checks an unchanged configuration once.
  - In check mode the staging directory (scratch space) is written and checked, and the live directory is not
    touched, so check mode proves the configuration is valid.
options:
  path:
    description: The live configuration directory, the one the container mounts.
    type: path
    required: true
  files:
    description: Files of the directory, relative path to content. Written C(0644) root:root.
    type: dict
    default: {}
  secret_files:
    description:
      - Files holding secrets, relative path to content. Written C(0640) root:O(secret_group). Their content is never
        returned or shown in a diff.
    type: dict
    default: {}
  secret_group:
    description: Group id that may read O(secret_files), the container's group.
    type: int
    default: 0
  checks:
    description: Checkers run against the staged directory, each in a throwaway container of O(image).
    type: list
    elements: dict
    default: []
    suboptions:
      entrypoint:
        description: The checker binary in the image, for example C(/bin/promtool).
        type: str
        required: true
      args:
        description: Its arguments; paths refer to O(mount).
        type: list
        elements: str
        default: []
  image:
    description: The image that will run the configuration; its checkers are used. Required with O(checks).
    type: str
  staging:
    description: The staging directory. Defaults to C(.staging/NAME) beside O(path).
    type: path
  backup:
    description: Where the previous files are kept for a rollback. Defaults to C(.previous/NAME) beside O(path).
    type: path
  state:
    description:
      - V(present) deploys O(files) and O(secret_files).
      - V(restored) puts the files kept by the last deploy back (O(files) is not used) and forgets the fingerprint,
        so the next run checks again.
      - V(staged) only writes the files into the staging directory (scratch space, in check mode too) and changes
        nothing else, for a checker that runs on the host (M(proxy_agent.observability.grafana_provisioning_check))
        before the V(present) run.
    type: str
    choices: [present, restored, staged]
    default: present
extends_documentation_fragment:
  - proxy_agent.observability.checker
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The staging directory is written and checked in check mode too; the live directory is not changed.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: Secret files are listed as changed, with their content hidden.
"""

EXAMPLES = r"""
- name: Deploy the Prometheus configuration, checked with promtool from the image that will run it
  proxy_agent.observability.config_dir:
    path: /etc/proxy-observability/prometheus
    files:
      prometheus.yml: "{{ prometheus_yml }}"
      rules/proxy-agent.yml: "{{ rules_yml }}"
    image: prom/prometheus:v3.14.0
    mount: /etc/prometheus
    user: "65534:65534"
    checks:
      - entrypoint: /bin/promtool
        args: [check, config, /etc/prometheus/prometheus.yml]
  register: prometheus_config

- name: Put the previous configuration back after a failed start
  proxy_agent.observability.config_dir:
    path: /etc/proxy-observability/prometheus
    state: restored
"""

RETURN = r"""
staging:
  description: The staging directory.
  returned: when O(state=staged)
  type: str
fingerprint:
  description: SHA-256 over the files, the image and the checkers.
  returned: when O(state=present)
  type: str
checked:
  description: Whether the checkers ran (they do not when nothing changed since the last check).
  returned: always
  type: bool
updated:
  description: Files written or replaced, relative to O(path).
  returned: always
  type: list
  elements: str
removed:
  description: Files removed because the configuration no longer has them.
  returned: always
  type: list
  elements: str
checks:
  description: What each checker printed (command, rc, stdout, stderr).
  returned: when the checkers ran
  type: list
  elements: dict
"""

import hashlib
import json
import os
import shutil
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.proxy_agent.observability.plugins.module_utils.checker import CHECKER_OPTIONS
from ansible_collections.proxy_agent.observability.plugins.module_utils.checker import run_check

DIR_MODE = 0o755
FILE_MODE = 0o644
SECRET_MODE = 0o640


def _relative(module, name, option):
    """Reject absolute paths and paths that leave the directory."""
    norm = os.path.normpath(name)
    if os.path.isabs(name) or norm.startswith("..") or norm in (".", "") or norm != name.rstrip("/"):
        module.fail_json(msg="%s: '%s' is not a plain relative path inside the directory. Use a name like "
                         "'rules/extra.yml', without '..', '.' or a leading '/'." % (option, name))
    return norm


def desired_files(module, files, secret_files, secret_group):
    """Return {relative path: (content bytes, mode, gid, secret)}."""
    wanted = {}
    for option, mapping, mode, gid, secret in (("files", files, FILE_MODE, 0, False),
                                               ("secret_files", secret_files, SECRET_MODE, secret_group, True)):
        for name, content in sorted(mapping.items()):
            rel = _relative(module, name, option)
            if rel in wanted:
                module.fail_json(msg="%s: '%s' is given twice (in files and secret_files). Keep it in one of them."
                                 % (option, name))
            if content is None:
                content = ""
            if not isinstance(content, str):
                module.fail_json(msg="%s: the content of '%s' must be a string, got %s. Render it with to_nice_yaml "
                                 "or to_json first." % (option, name, type(content).__name__))
            wanted[rel] = (to_bytes(content, errors="surrogate_or_strict"), mode, gid, secret)
    return wanted


def fingerprint(wanted, params):
    digest = hashlib.sha256()
    for rel in sorted(wanted):
        content, mode, gid, _secret = wanted[rel]
        digest.update(json.dumps([rel, mode, gid, hashlib.sha256(content).hexdigest()]).encode())
    digest.update(json.dumps([params["image"], params["mount"], params["user"], params["checks"]],
                             sort_keys=True).encode())
    return digest.hexdigest()


def live_files(path):
    """Return {relative path: absolute path} of the regular files (and symlinks) below path."""
    found = {}
    if not os.path.isdir(path):
        return found
    for root, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            found[os.path.relpath(full, path)] = full
    return found


def _differs(full, content, mode, gid, manage_owner):
    try:
        info = os.lstat(full)
    except OSError:
        return True
    if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != mode:
        return True
    if manage_owner and (info.st_uid != 0 or info.st_gid != gid):
        return True
    if info.st_size != len(content):
        return True
    with open(full, "rb") as handle:
        return handle.read() != content


def _write(full, content, mode, gid, manage_owner):
    """Write one file atomically: a temporary file in the same directory, renamed over the old one."""
    directory = os.path.dirname(full)
    os.makedirs(directory, mode=DIR_MODE, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        if manage_owner:
            os.chown(tmp, 0, gid)
        os.chmod(tmp, mode)
        os.replace(tmp, full)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _prune_empty_dirs(path, keep):
    for root, dirs, _names in os.walk(path, topdown=False):
        for name in dirs:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, path)
            if not os.listdir(full) and not any(k == rel or k.startswith(rel + os.sep) for k in keep):
                os.rmdir(full)


def _write_tree(path, wanted, manage_owner):
    """Write wanted into a fresh directory (staging or backup)."""
    if os.path.lexists(path):
        shutil.rmtree(path)
    os.makedirs(path, mode=DIR_MODE)
    for rel, (content, mode, gid, _secret) in wanted.items():
        _write(os.path.join(path, rel), content, mode, gid, manage_owner)


def _read_tree(path):
    """Return {relative path: (content, mode, gid, secret)} of a directory written by this module."""
    tree = {}
    for rel, full in live_files(path).items():
        info = os.lstat(full)
        with open(full, "rb") as handle:
            mode = stat.S_IMODE(info.st_mode)
            tree[rel] = (handle.read(), mode, info.st_gid, mode == SECRET_MODE)
    return tree


def _diff(rel, old, new, secret):
    if secret:
        old = "(secret, %s)\n" % ("present" if old is not None else "absent")
        new = "(secret, changed)\n" if new is not None else "(absent)\n"
    return dict(before_header=rel, after_header=rel,
                before=to_text(old if old is not None else b"", errors="surrogate_or_replace"),
                after=to_text(new if new is not None else b"", errors="surrogate_or_replace"))


def apply_tree(module, path, wanted, manage_owner):
    """Make path hold exactly wanted, in place. Returns (updated, removed, diffs)."""
    live = live_files(path)
    updated, diffs = [], []
    for rel, (content, mode, gid, secret) in sorted(wanted.items()):
        full = os.path.join(path, rel)
        if rel in live and not _differs(full, content, mode, gid, manage_owner):
            continue
        updated.append(rel)
        if module._diff:
            old = None
            if rel in live and os.path.isfile(full):
                with open(full, "rb") as handle:
                    old = handle.read()
            diffs.append(_diff(rel, old, content, secret))
        if not module.check_mode:
            _write(full, content, mode, gid, manage_owner)
    removed = sorted(rel for rel in live if rel not in wanted)
    for rel in removed:
        if module._diff:
            diffs.append(dict(before_header=rel, after_header="(removed)", before="(file)\n", after=""))
        if not module.check_mode:
            os.unlink(os.path.join(path, rel))
    if not module.check_mode and removed:
        _prune_empty_dirs(path, wanted)
    return updated, removed, diffs


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CHECKER_OPTIONS,
            path=dict(type="path", required=True),
            files=dict(type="dict", default={}),
            secret_files=dict(type="dict", default={}, no_log=True),
            secret_group=dict(type="int", default=0, no_log=False),
            checks=dict(type="list", elements="dict", default=[], options=dict(
                entrypoint=dict(type="str", required=True),
                args=dict(type="list", elements="str", default=[]),
            )),
            staging=dict(type="path"),
            backup=dict(type="path"),
            state=dict(type="str", choices=["present", "restored", "staged"], default="present"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"].rstrip("/")
    parent, name = os.path.split(path)
    staging = params["staging"] or os.path.join(parent, ".staging", name)
    backup = params["backup"] or os.path.join(parent, ".previous", name)
    state_file = os.path.join(parent, ".state", name + ".json")
    manage_owner = os.geteuid() == 0
    if params["checks"] and not params["image"]:
        module.fail_json(msg="image: is required when checks are given: the checkers run in the image that will "
                         "run the configuration.")

    if params["state"] == "restored":
        if not os.path.isdir(backup):
            module.exit_json(changed=False, checked=False, updated=[], removed=[],
                             msg="no previous configuration was kept in %s; nothing to restore" % backup)
        updated, removed, diffs = apply_tree(module, path, _read_tree(backup), manage_owner)
        if not module.check_mode and os.path.exists(state_file):
            os.unlink(state_file)
        result = dict(changed=bool(updated or removed), checked=False, updated=updated, removed=removed)
        if module._diff:
            result["diff"] = diffs
        module.exit_json(**result)

    wanted = desired_files(module, params["files"], params["secret_files"], params["secret_group"])
    if params["state"] == "staged":
        _write_tree(staging, wanted, manage_owner)
        module.exit_json(changed=False, checked=False, updated=[], removed=[], staging=staging)
    print_ = fingerprint(wanted, params)
    previous = None
    try:
        with open(state_file) as handle:
            previous = json.load(handle).get("fingerprint")
    except (OSError, ValueError):
        pass

    # Compare first (nothing is written): an unchanged, already checked configuration ends here.
    saved_check_mode = module.check_mode
    module.check_mode = True
    updated, removed, diffs = apply_tree(module, path, wanted, manage_owner)
    module.check_mode = saved_check_mode
    changed = bool(updated or removed)
    result = dict(changed=changed, checked=False, fingerprint=print_, updated=updated, removed=removed)
    if module._diff:
        result["diff"] = diffs
    if not changed and previous == print_:
        module.exit_json(**result)

    # Stage and check. Staging is scratch space, written in check mode too so that check mode validates.
    if params["checks"]:
        _write_tree(staging, wanted, manage_owner)
        result["checks"] = []
        for check in params["checks"]:
            outcome = run_check(module, params["image"], staging, params["mount"], check["entrypoint"],
                                check["args"], user=params["user"], timeout=params["timeout"],
                                docker_cli=params["docker_cli"])
            result["checks"].append(outcome)
        result["checked"] = True
    if module.check_mode:
        module.exit_json(**result)

    # Keep the live files for a rollback, then swap in place.
    # On a first deploy there is nothing to keep: a rollback then leaves the new files in place.
    if changed:
        kept = _read_tree(path)
        if kept:
            _write_tree(backup, kept, manage_owner)
        elif os.path.lexists(backup):
            shutil.rmtree(backup)
        os.makedirs(path, mode=DIR_MODE, exist_ok=True)
        apply_tree(module, path, wanted, manage_owner)
    os.makedirs(os.path.dirname(state_file), mode=0o700, exist_ok=True)
    with open(state_file + ".tmp", "w") as handle:
        json.dump(dict(fingerprint=print_, image=params["image"]), handle)
    os.replace(state_file + ".tmp", state_file)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

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
    message, leaving the live directory untouched, when one of them rejects it. The staging directory is removed
    right after the checks, whether they passed or not, so no copy of the files stays there.
  - A checked configuration is swapped in place, file by file (each file is replaced atomically). The directory
    itself is never replaced, because a container bind-mounts it and would keep seeing the old one. The previous
    files are kept in a backup directory first; O(state=restored) puts them back, O(state=committed) removes them
    once the component proved ready.
  - A small state file records a fingerprint of the files, the image and the checkers, so that a new image
    re-checks an unchanged configuration once. The digest of a secret file in it is keyed (HMAC-SHA256) with a
    random key kept beside it (C(.state/.fingerprint.key), mode C(0600) in the C(0700) state directory), so the
    fingerprint, which is also returned, does not let anyone test guesses of a secret.
  - The staging, backup and state directories beside O(path) (C(.staging), C(.previous), C(.state)) are C(0700).
  - In check mode the staging directory (scratch space) is written and checked, and the live directory is not
    touched, so check mode proves the configuration is valid. No secret is written anywhere in check mode - the
    staged copy of each secret file holds a placeholder instead of the secret (see O(secret_files)).
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
      - Files holding secrets, relative path to content. Their content is never returned or shown in a diff.
      - With O(user), they are readable by the container's own user only, never by a group - owned by the UID of
        O(user) with group C(0), mode C(0400). O(user) must then start with a numeric UID (C(65534:65534)).
      - Without O(user), they are written C(0640) root:O(secret_group) (the earlier behaviour, kept for now).
      - In check mode the staged copy of a secret file holds a placeholder instead of the secret. The checkers
        then see the placeholder; a C(*_file) path that the configuration references still exists, but a checker
        that parses a secret file's content (a TLS key, for example) rejects the placeholder.
    type: dict
    default: {}
  secret_group:
    description:
      - Deprecated, used only when O(user) is not given - group id that may read O(secret_files) (mode C(0640)).
        With O(user), the secret files belong to the container's UID alone and this option is ignored.
    type: int
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
    description:
      - The staging directory of O(state=present) and O(state=staged). Defaults to C(.staging/NAME) beside O(path).
      - O(state=present) removes it (a copy left by O(state=staged) included) every time it runs.
      - O(state=checked) does not use it - it stages into a fresh private directory created beside it.
    type: path
  backup:
    description: Where the previous files are kept for a rollback. Defaults to C(.previous/NAME) beside O(path).
    type: path
  checked_fingerprint:
    description:
      - For O(state=present) - the RV(fingerprint) that an earlier O(state=checked) run returned for this
        configuration.
      - When the fingerprint of this run equals it, the checkers are not run again and RV(checked) stays C(false).
        The fingerprint covers every file's content, mode and owner, the image, the mount, the user and the
        checkers, so an equal fingerprint means the same checkers already accepted exactly this directory in this
        image; running them again would only start the same containers once more.
      - Any other value (or none) changes nothing - the checkers run as usual.
    type: str
  state:
    description:
      - V(present) deploys O(files) and O(secret_files).
      - V(checked) renders O(files) and O(secret_files) into a fresh private temporary staging directory, runs the
        checkers on it, removes it in every case and changes nothing else (only the fingerprint key is created
        when it does not exist yet, outside check mode). It returns RV(fingerprint) and RV(checks), for a play that
        checks every component's configuration on every host before the first container changes; pass the
        fingerprint to the V(present) run as O(checked_fingerprint). Like V(present), it runs no checker when the
        state file shows that this configuration was already checked with this image.
      - V(restored) puts the files kept by the last deploy back (O(files) is not used) and forgets the fingerprint,
        so the next run checks again.
      - V(committed) removes the backup directory (O(backup)) kept for a rollback, so that no copy of the previous
        files (and secrets) stays on disk. Call it once the component proved ready; O(state=restored) has nothing
        to put back after it.
      - V(staged) only writes the files into the staging directory (scratch space, in check mode too, with
        placeholders for secrets there) and changes nothing else, for a checker that runs on the host
        (M(proxy_agent.observability.grafana_provisioning_check)) before the V(present) run, which removes the copy.
    type: str
    choices: [present, checked, restored, committed, staged]
    default: present
extends_documentation_fragment:
  - proxy_agent.observability.checker
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - The staging directory is written and checked in check mode too, with a placeholder in place of each secret;
        the live directory, the backup and the state file are not changed.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: Secret files are listed as changed, with their content hidden.
"""

EXAMPLES = r"""
- name: Check the Prometheus configuration with promtool from the image that will run it, changing nothing
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
    state: checked
  register: prometheus_checked

- name: Deploy it; the checkers do not run again for the same fingerprint
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
    checked_fingerprint: "{{ prometheus_checked.fingerprint }}"
  register: prometheus_config

- name: Put the previous configuration back after a failed start
  proxy_agent.observability.config_dir:
    path: /etc/proxy-observability/prometheus
    state: restored

- name: Forget the previous configuration once Prometheus is ready
  proxy_agent.observability.config_dir:
    path: /etc/proxy-observability/prometheus
    state: committed
"""

RETURN = r"""
staging:
  description: The staging directory.
  returned: when O(state=staged)
  type: str
fingerprint:
  description:
    - SHA-256 over the files (their content, mode and owner; the digest of a secret file keyed with the host's
      fingerprint key), the image, the mount, the user and the checkers.
    - The same content gives the same fingerprint across runs on the same host.
  returned: when O(state=present) or O(state=checked)
  type: str
checked:
  description:
    - Whether the checkers ran. They do not when nothing changed since the last check, or when
      O(checked_fingerprint) shows that a O(state=checked) run already checked this configuration.
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
  description: What each checker printed (command, rc, stdout, stderr); empty when none ran.
  returned: when the checkers ran, and always with O(state=checked)
  type: list
  elements: dict
"""

import collections
import hashlib
import hmac
import json
import os
import secrets
import shutil
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.proxy_agent.observability.plugins.module_utils.checker import CHECKER_OPTIONS
from ansible_collections.proxy_agent.observability.plugins.module_utils.checker import run_check

DIR_MODE = 0o755
PRIVATE_DIR_MODE = 0o700
FILE_MODE = 0o644
# A secret file is readable by the container's own user only (owner = its UID, group 0).
SECRET_MODE = 0o400
# The earlier secret mode, root:secret_group, still used when the module is not told the container's user.
GROUP_SECRET_MODE = 0o640
KEY_FILE = ".fingerprint.key"
# What the staged copy of a secret file holds in check mode, when no secret may be written anywhere.
PLACEHOLDER = b"placeholder: check mode writes no secret\n"

# One file of a directory: content (bytes), mode, owner uid and gid, and whether it is a secret.
Entry = collections.namedtuple("Entry", "content mode uid gid secret")


def _relative(module, name, option):
    """Reject absolute paths and paths that leave the directory."""
    norm = os.path.normpath(name)
    if os.path.isabs(name) or norm.startswith("..") or norm in (".", "") or norm != name.rstrip("/"):
        module.fail_json(msg="%s: '%s' is not a plain relative path inside the directory. Use a name like "
                         "'rules/extra.yml', without '..', '.' or a leading '/'." % (option, name))
    return norm


def secret_ownership(module, user, secret_group, has_secrets):
    """Return (uid, gid, mode) of the secret files: the container's UID alone when user is given."""
    if not user:
        return 0, secret_group or 0, GROUP_SECRET_MODE
    uid = user.split(":", 1)[0]
    if uid.isdigit():
        return int(uid), 0, SECRET_MODE
    if has_secrets:
        module.fail_json(msg="user: '%s' does not start with a numeric UID, so the owner of secret_files is unknown "
                         "(secret files are readable by the container's UID alone). Fix: give the container's user as "
                         "numbers, 'UID:GID', for example '65534:65534'." % user)
    return 0, 0, SECRET_MODE


def desired_files(module, files, secret_files, secret_owner):
    """Return {relative path: Entry}; secret_owner is (uid, gid, mode) of the secret files."""
    wanted = {}
    uid, gid, mode = secret_owner
    for option, mapping, owner, secret in (("files", files, (FILE_MODE, 0, 0), False),
                                           ("secret_files", secret_files, (mode, uid, gid), True)):
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
            wanted[rel] = Entry(to_bytes(content, errors="surrogate_or_strict"), owner[0], owner[1], owner[2], secret)
    return wanted


def _read_key(key_file):
    try:
        with open(key_file) as handle:
            key = bytes.fromhex(handle.read().strip())
    except (OSError, ValueError):
        return None
    return key if len(key) == 32 else None


def fingerprint_key(state_dir, create):
    """The host's random key for the digests of secret files, kept in the state directory (0700) as a 0600 file.

    Without create (check mode) a missing key is not written: a throwaway one is returned, and the fingerprint then
    matches nothing recorded."""
    key_file = os.path.join(state_dir, KEY_FILE)
    key = _read_key(key_file)
    if key is not None or not create:
        return key if key is not None else secrets.token_bytes(32)
    _private_dir(state_dir)
    handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=state_dir)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        if os.path.lexists(key_file):
            os.replace(tmp, key_file)  # unreadable or not a key: replace it
        else:
            try:
                os.link(tmp, key_file)  # never replaces a key another run created meanwhile
            except FileExistsError:
                pass
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return _read_key(key_file)


def fingerprint(wanted, params, key):
    """SHA-256 over the files and the checkers; a secret file contributes only its HMAC-SHA256 under key."""
    digest = hashlib.sha256()
    for rel in sorted(wanted):
        entry = wanted[rel]
        if entry.secret:
            content = "hmac-sha256:" + hmac.new(key, entry.content, hashlib.sha256).hexdigest()
        else:
            content = hashlib.sha256(entry.content).hexdigest()
        digest.update(json.dumps([rel, entry.mode, entry.uid, entry.gid, content]).encode())
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


def _differs(full, entry, manage_owner):
    try:
        info = os.lstat(full)
    except OSError:
        return True
    if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != entry.mode:
        return True
    if manage_owner and (info.st_uid != entry.uid or info.st_gid != entry.gid):
        return True
    if info.st_size != len(entry.content):
        return True
    with open(full, "rb") as handle:
        return handle.read() != entry.content


def _write(full, entry, manage_owner):
    """Write one file atomically: a temporary file (0600) in the same directory, renamed over the old one."""
    directory = os.path.dirname(full)
    os.makedirs(directory, mode=DIR_MODE, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(entry.content)
        if manage_owner:
            os.chown(tmp, entry.uid, entry.gid)
        os.chmod(tmp, entry.mode)
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


def _private_dir(path):
    """Create path (and its parents) if needed, and make it 0700."""
    os.makedirs(path, mode=PRIVATE_DIR_MODE, exist_ok=True)
    os.chmod(path, PRIVATE_DIR_MODE)


def _remove(path):
    """Remove a scratch directory (or a file or symlink in its place) if it is there."""
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def _write_tree(path, wanted, manage_owner, placeholders=False):
    """Write wanted into a fresh directory (staging or backup); with placeholders, no secret is written."""
    _remove(path)
    os.makedirs(path, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    for rel, entry in wanted.items():
        if placeholders and entry.secret:
            entry = entry._replace(content=PLACEHOLDER)
        _write(os.path.join(path, rel), entry, manage_owner)


def _read_tree(path):
    """Return {relative path: Entry} of a directory written by this module.

    A secret file is one that others may not read: 0400 (the container's UID) or, written by earlier versions,
    0640 (a group)."""
    tree = {}
    for rel, full in live_files(path).items():
        info = os.lstat(full)
        with open(full, "rb") as handle:
            mode = stat.S_IMODE(info.st_mode)
            tree[rel] = Entry(handle.read(), mode, info.st_uid, info.st_gid, not mode & stat.S_IROTH)
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
    for rel, entry in sorted(wanted.items()):
        full = os.path.join(path, rel)
        if rel in live and not _differs(full, entry, manage_owner):
            continue
        updated.append(rel)
        if module._diff:
            old = None
            if rel in live and os.path.isfile(full):
                with open(full, "rb") as handle:
                    old = handle.read()
            diffs.append(_diff(rel, old, entry.content, entry.secret))
        if not module.check_mode:
            _write(full, entry, manage_owner)
    removed = sorted(rel for rel in live if rel not in wanted)
    for rel in removed:
        if module._diff:
            diffs.append(dict(before_header=rel, after_header="(removed)", before="(file)\n", after=""))
        if not module.check_mode:
            os.unlink(os.path.join(path, rel))
    if not module.check_mode and removed:
        _prune_empty_dirs(path, wanted)
    return updated, removed, diffs


def run_checks(module, params, directory):
    """Run every checker against directory; the first rejection fails the module."""
    return [run_check(module, params["image"], directory, params["mount"], check["entrypoint"], check["args"],
                      user=params["user"], timeout=params["timeout"], docker_cli=params["docker_cli"])
            for check in params["checks"]]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CHECKER_OPTIONS,
            path=dict(type="path", required=True),
            files=dict(type="dict", default={}),
            secret_files=dict(type="dict", default={}, no_log=True),
            secret_group=dict(type="int", no_log=False),
            checks=dict(type="list", elements="dict", default=[], options=dict(
                entrypoint=dict(type="str", required=True),
                args=dict(type="list", elements="str", default=[]),
            )),
            staging=dict(type="path"),
            backup=dict(type="path"),
            checked_fingerprint=dict(type="str", no_log=False),
            state=dict(type="str", choices=["present", "checked", "restored", "committed", "staged"],
                       default="present"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"].rstrip("/")
    parent, name = os.path.split(path)
    staging = params["staging"] or os.path.join(parent, ".staging", name)
    backup = params["backup"] or os.path.join(parent, ".previous", name)
    state_dir = os.path.join(parent, ".state")
    state_file = os.path.join(state_dir, name + ".json")
    manage_owner = os.geteuid() == 0
    if params["checks"] and not params["image"]:
        module.fail_json(msg="image: is required when checks are given: the checkers run in the image that will "
                         "run the configuration.")

    def make_parent(directory, option):
        # The default .staging and .previous beside path are private; a directory the caller names is left alone.
        if params[option]:
            os.makedirs(os.path.dirname(directory), mode=DIR_MODE, exist_ok=True)
        else:
            _private_dir(os.path.dirname(directory))

    if params["state"] == "committed":
        kept = os.path.lexists(backup)
        if kept and not module.check_mode:
            _remove(backup)
        module.exit_json(changed=kept, checked=False, updated=[], removed=[])

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

    owner = secret_ownership(module, params["user"], params["secret_group"], bool(params["secret_files"]))
    wanted = desired_files(module, params["files"], params["secret_files"], owner)
    if params["state"] == "staged":
        make_parent(staging, "staging")
        _write_tree(staging, wanted, manage_owner, placeholders=module.check_mode)
        module.exit_json(changed=False, checked=False, updated=[], removed=[], staging=staging)

    key = fingerprint_key(state_dir, create=not module.check_mode) if params["secret_files"] else b""
    print_ = fingerprint(wanted, params, key)
    previous = None
    try:
        with open(state_file) as handle:
            previous = json.load(handle).get("fingerprint")
    except (OSError, ValueError):
        pass

    if params["state"] == "checked":
        result = dict(changed=False, checked=False, fingerprint=print_, updated=[], removed=[], checks=[])
        if params["checks"] and previous != print_:
            make_parent(staging, "staging")
            holder = tempfile.mkdtemp(prefix=".check-%s-" % name, dir=os.path.dirname(staging))
            try:
                directory = os.path.join(holder, name)
                _write_tree(directory, wanted, manage_owner, placeholders=module.check_mode)
                result["checks"] = run_checks(module, params, directory)
                result["checked"] = True
            finally:
                shutil.rmtree(holder, ignore_errors=True)
        module.exit_json(**result)

    # A copy left in staging (by state=staged, or by a run that was killed) goes first.
    _remove(staging)

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

    # Stage and check, unless a state=checked run already checked this very fingerprint. Staging is scratch space,
    # written in check mode too (placeholders for secrets) so that check mode validates, and removed in every case.
    if params["checks"] and print_ != params["checked_fingerprint"]:
        make_parent(staging, "staging")
        try:
            _write_tree(staging, wanted, manage_owner, placeholders=module.check_mode)
            result["checks"] = run_checks(module, params, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        result["checked"] = True
    if module.check_mode:
        module.exit_json(**result)

    # Keep the live files for a rollback, then swap in place.
    # On a first deploy there is nothing to keep: a rollback then leaves the new files in place.
    if changed:
        kept = _read_tree(path)
        if kept:
            make_parent(backup, "backup")
            _write_tree(backup, kept, manage_owner)
        else:
            _remove(backup)
        os.makedirs(path, mode=DIR_MODE, exist_ok=True)
        apply_tree(module, path, wanted, manage_owner)
    _private_dir(state_dir)
    with open(state_file + ".tmp", "w") as handle:
        json.dump(dict(fingerprint=print_, image=params["image"]), handle)
    os.replace(state_file + ".tmp", state_file)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

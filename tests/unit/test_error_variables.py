# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every variable that an error message names is a variable users can set.

The documented variables are the options of every entry point of every role's meta/argument_specs.yml, and the keys
of the observability role's defaults (the stack-wide settings every role shares). A variable's name is one that
starts with a public role's name and `_` (`prometheus_`, `docker_host_`, `observability_`, ...); names that start
with `_` are facts and internals, never variables. A subscript or key path after the name (`prometheus_alert_for['x']`,
`loki_config_overrides.limits_config`) is allowed: the name before it is checked.

Where names are collected (read from the source, nothing is run):

- Python plugins, variable position: the first argument of every `bad_input(...)` call, and the argument of every
  helper that passes one of its parameters on to that position (`check_port(variable, ...)`, `check_duration`, ...,
  found by following the parameters until nothing new turns up). The expression is resolved statically: string
  constants in it, module constants (`VAR_URL`, a `SETTINGS` table; also imported from another module of the
  collection), local assignments of the function, parameter defaults (`variable="..."`), and what a called function
  of the collection returns. Every role-prefixed name in the strings reached counts.
- Python plugins, error texts: the strings (with the module constants they use) in the arguments of `bad_input`,
  `AnsibleFilterError`, `AnsibleError`, `AnsibleActionFail` and `fail_json`.
- Roles: `fail_msg` and `msg` of every task under roles/*/tasks, with the Jinja expressions taken out (an expression
  uses a variable, it does not name one to the user).

In error texts, a role-prefixed name is not taken as a variable when the text presents it as something else: it is
followed by `(`, `{` or `[5m]` (a function call, a PromQL selector), preceded by `.` `/` or `-` (a qualified filter name, a
path, a flag), or the word right after it (or after the list `a, b or c` it is part of) or right before it is one of
NOT_VARIABLE_NOUNS (`the prometheus_scrape_configs filter`, `the jaeger_storage, jaeger_query or healthcheckv2
extension`, `the metric prometheus_config_last_reload_successful`).
"""
from __future__ import annotations

import ast
import glob
import os
import re
from role_files import load_yaml


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE = "ansible_collections.proxy_agent.observability."
ROLES = sorted(r for r in os.listdir(os.path.join(ROOT, "roles")) if not r.startswith("_"))
_PREFIXES = "|".join(sorted(ROLES, key=len, reverse=True))
NAME = re.compile(r"(?<![\w./-])(?:%s)_\w*[A-Za-z0-9]" % _PREFIXES)
NOT_VARIABLE_NOUNS = ("filter", "extension", "metric", "label", "module", "plugin", "exporter")
_NOUN = r"(?:%s)(?:s|'s)?\b" % "|".join(NOT_VARIABLE_NOUNS)
_AFTER_LIST = re.compile(r"(?:\s*(?:,|\bor\b|\band\b)\s*[\w.-]+)*\s+" + _NOUN)
_BEFORE = re.compile(r"\b" + _NOUN + r"\s+$")
_RANGE = re.compile(r"\[\d+[a-z]+\]")  # a PromQL range selector: metric[5m]
ERROR_CALLS = ("bad_input", "AnsibleFilterError", "AnsibleError", "AnsibleActionFail", "fail_json")


def _yaml(path):
    return load_yaml(path)


def documented_variables():
    names = set()
    for path in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")):
        for entry in (_yaml(path) or {}).get("argument_specs", {}).values():
            names.update((entry or {}).get("options") or {})
    names.update(_yaml(os.path.join(ROOT, "roles", "observability", "defaults", "main.yml")) or {})
    return names


def names_in_text(text):
    """Role-prefixed names that a message text presents as variables (see the module's docstring)."""
    found = []
    for match in NAME.finditer(text):
        after = text[match.end():]
        if after[:1] in ("(", "{") or _RANGE.match(after) or _AFTER_LIST.match(after) \
                or _BEFORE.search(text[:match.start()]):
            continue
        found.append(match.group(0))
    return found


def names_in_variable(text):
    """Role-prefixed names in a string that is (part of) the variable an error names."""
    return NAME.findall(text)


# --- Python plugins ----------------------------------------------------------------------------------------------

def _call_name(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


class _Module:
    """One plugin file: its constants, functions, imports and the function enclosing each node."""

    def __init__(self, path):
        self.path = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as handle:
            self.tree = ast.parse(handle.read(), path)
        self.name = PACKAGE + self.path[:-3].replace(os.sep, ".")
        self.constants, self.functions, self.imports = {}, {}, {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.constants.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
        self.enclosing = {}
        for function in ast.walk(self.tree):
            if isinstance(function, (ast.FunctionDef, ast.Lambda)):
                for node in ast.walk(function):
                    if node is not function:
                        self.enclosing[node] = function  # innermost wins: walked outer first

    def calls(self):
        return [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)]


class _Plugins:
    """Static resolution of the strings an expression can produce, across the collection's plugin modules."""

    def __init__(self):
        self.modules = {}
        self._memo, self._function_locals = {}, {}
        for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "**", "*.py"), recursive=True)):
            module = _Module(path)
            self.modules[module.name] = module

    def _lookup(self, module, name):
        """(module, [value nodes]) of a module constant, or (module, function node), following imports."""
        if name in module.constants:
            return module, module.constants[name]
        if name in module.functions:
            return module, module.functions[name]
        if name in module.imports:
            source, original = module.imports[name]
            if source in self.modules:
                return self._lookup(self.modules[source], original)
        return None, None

    def strings(self, module, node):
        """Every string constant with a role-prefixed name that node can evaluate from (an over-approximation; a cycle
        adds nothing)."""
        key = (module.name, id(node))
        if key not in self._memo:
            self._memo[key] = set()  # in progress: a cycle back here adds nothing
            self._memo[key] = self._strings(module, node)
        return self._memo[key]

    def _elements(self, module, node):
        """[(module, node)] of the values an expression can be: a name's definitions, and for a subscript of a literal
        dict, tuple or list the element its constant index selects (every value when the index is not constant)."""
        if isinstance(node, ast.Name):
            function = module.enclosing.get(node)
            while function is not None:
                table = self._locals(function)
                if node.id in table:
                    return [(module, value) for value in table[node.id][0] + table[node.id][1]]
                function = module.enclosing.get(function)
            owner, values = self._lookup(module, node.id)
            return [(owner, value) for value in values] if isinstance(values, list) else []
        if isinstance(node, ast.Subscript):
            index = node.slice.value if isinstance(node.slice, ast.Constant) else None
            found = []
            for owner, container in self._elements(module, node.value):
                if isinstance(container, ast.Dict):
                    found += [(owner, value) for key, value in zip(container.keys, container.values)
                              if index is None or (isinstance(key, ast.Constant) and key.value == index)]
                elif isinstance(container, (ast.Tuple, ast.List)):
                    if isinstance(index, int) and -len(container.elts) <= index < len(container.elts):
                        found.append((owner, container.elts[index]))
                    elif index is None:
                        found += [(owner, value) for value in container.elts]
                else:
                    found.append((owner, container))
            return found
        return [(module, node)]

    def _strings(self, module, node):
        if isinstance(node, ast.Subscript):
            found = set()
            for owner, value in self._elements(module, node):
                found |= self.strings(owner, value)
            return found
        if isinstance(node, ast.Constant):  # only strings that hold a role-prefixed name matter
            return {node.value} if isinstance(node.value, str) and NAME.search(node.value) else set()
        if isinstance(node, ast.Name):
            return self._name_strings(module, node)
        if isinstance(node, ast.Lambda):
            return set()
        found = set()
        if isinstance(node, ast.Call):
            for arg in list(node.args) + [keyword.value for keyword in node.keywords]:
                found |= self.strings(module, arg)
            if isinstance(node.func, ast.Attribute):  # "...".format(...), SETTINGS.get(...)
                found |= self.strings(module, node.func.value)
            elif isinstance(node.func, ast.Name):
                owner, function = self._lookup(module, node.func.id)
                if isinstance(function, ast.FunctionDef):
                    for ret in ast.walk(function):
                        if isinstance(ret, ast.Return) and ret.value is not None:
                            found |= self.strings(owner, ret.value)
            return found
        for child in ast.iter_child_nodes(node):
            found |= self.strings(module, child)
        return found

    def _name_strings(self, module, node):
        function = module.enclosing.get(node)
        while function is not None:
            local = self._local_strings(module, function, node.id)
            if local is not None:
                return local
            function = module.enclosing.get(function)
        owner, values = self._lookup(module, node.id)
        found = set()
        if isinstance(values, list):
            for value in values:
                found |= self.strings(owner, value)
        return found

    def _locals(self, function):
        """{name: ([default nodes], [assigned value nodes])} of a function's parameters and local names."""
        if function not in self._function_locals:
            args = function.args
            positional = [a.arg for a in args.posonlyargs + args.args]
            table = {name: ([], []) for name in positional + [a.arg for a in args.kwonlyargs]}
            for name, default in zip(positional[::-1], args.defaults[::-1]):
                table[name][0].append(default)
            for arg, default in zip(args.kwonlyargs, args.kw_defaults):
                if default is not None:
                    table[arg.arg][0].append(default)
            if isinstance(function, ast.FunctionDef):
                for node in ast.walk(function):
                    targets, value = [], None
                    if isinstance(node, ast.Assign):
                        targets, value = node.targets, node.value
                    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                        targets, value = [node.target], node.value
                    for target in targets:
                        for name in ast.walk(target):
                            if isinstance(name, ast.Name):
                                table.setdefault(name.id, ([], []))[1].append(value)
            self._function_locals[function] = table
        return self._function_locals[function]

    def _local_strings(self, module, function, name):
        """Strings a local name or parameter of function can hold, or None when it is neither."""
        table = self._locals(function)
        if name not in table:
            return None
        found = set()
        for value in table[name][0] + table[name][1]:
            found |= self.strings(module, value)
        return found

    def text_strings(self, module, node):
        """The strings of a message expression: its string constants and the module's string constants it uses
        (`"...%s" % VAR_JOBS`, `DURATION_FIX`); not what a function returns or a container holds."""
        found = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str) and NAME.search(child.value):
                found.add(child.value)
            elif isinstance(child, ast.Name):
                owner, values = self._lookup(module, child.id)
                for value in values if isinstance(values, list) else []:
                    if isinstance(value, (ast.Constant, ast.BinOp, ast.JoinedStr, ast.Name)):
                        found |= self.text_strings(owner, value)
        return found

    def sinks(self):
        """{function name: set of argument positions} whose argument ends up as bad_input's variable."""
        sinks = {"bad_input": {0}}
        changed = True
        while changed:
            changed = False
            for module in self.modules.values():
                for call in module.calls():
                    positions = sinks.get(_call_name(call), set())
                    function = module.enclosing.get(call)
                    if not positions or not isinstance(function, ast.FunctionDef):
                        continue
                    params = [a.arg for a in function.args.posonlyargs + function.args.args]
                    for position in positions:
                        if position >= len(call.args):
                            continue
                        for used in self._names_flowing(function, call.args[position]):
                            if used in params and params.index(used) not in sinks.setdefault(function.name, set()):
                                sinks[function.name].add(params.index(used))
                                changed = True
        return sinks

    @staticmethod
    def _names_flowing(function, expression):
        """Names an expression depends on, through the function's local assignments."""
        names, todo = set(), [expression]
        while todo:
            for node in ast.walk(todo.pop()):
                if isinstance(node, ast.Name) and node.id not in names:
                    names.add(node.id)
                    for assign in ast.walk(function):
                        if isinstance(assign, ast.Assign) and any(
                                isinstance(t, ast.Name) and t.id == node.id for t in assign.targets):
                            todo.append(assign.value)
        return names


def plugin_names():
    """[(where, name, kind)] of the variable names in the plugins' errors."""
    plugins = _Plugins()
    sinks = plugins.sinks()
    found = []
    for module in plugins.modules.values():
        for call in module.calls():
            name = _call_name(call)
            where = "%s:%d" % (module.path, call.lineno)
            for position in sinks.get(name, ()):
                if position < len(call.args):
                    for text in plugins.strings(module, call.args[position]):
                        found += [(where, variable, "variable of %s()" % name) for variable in names_in_variable(text)]
            if name in ERROR_CALLS:
                texts = call.args[1:] if name == "bad_input" else list(call.args)
                texts += [keyword.value for keyword in call.keywords if keyword.arg in (None, "msg", "problem", "fix")]
                for node in texts:
                    for text in plugins.text_strings(module, node):
                        found += [(where, variable, "text of %s()" % name) for variable in names_in_text(text)]
    return found


# --- Roles --------------------------------------------------------------------------------------------------------

def _messages(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("fail_msg", "msg") and isinstance(value, str):
                yield value
            else:
                yield from _messages(value)
    elif isinstance(node, list):
        for item in node:
            yield from _messages(item)


def role_names():
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))):
        for message in _messages(_yaml(path)):
            text = re.sub(r"{{.*?}}|{%.*?%}", " ", message, flags=re.S)
            found += [(os.path.relpath(path, ROOT), name, "task message") for name in names_in_text(text)]
    return found


# --- Tests --------------------------------------------------------------------------------------------------------

def test_the_rule_reads_names_as_a_user_would():
    assert names_in_text("loki_version: 'x' is not a version. Fix: set loki_version to 3.7.6") == [
        "loki_version", "loki_version"]
    assert names_in_text("prometheus_alert_for['HighErrorRate']: bad") == ["prometheus_alert_for"]
    assert names_in_text("loki_config_overrides.compactor.x: bad; remove it from loki_limits") == [
        "loki_config_overrides", "loki_limits"]
    assert names_in_text("pass the result of the prometheus_scrape_configs filter") == []
    assert names_in_text("the jaeger_storage, jaeger_query or healthcheckv2 extension") == []
    assert names_in_text("the metric prometheus_config_last_reload_successful is 0") == []
    assert names_in_text("rate(prometheus_http_requests_total[5m]) and up{job='x'}") == []
    assert names_in_text("prometheus_config_last_reload_successful{job='prometheus'} is 0") == []
    assert names_in_text("see proxy_agent.observability.loki_config and __loki_config, _observability_fleet") == []


def test_the_collection_finds_names_in_every_place():
    """The collection of names reaches bad_input's first argument through constants, tables and helpers."""
    plugins = plugin_names()
    variables = {name for _where, name, kind in plugins if kind.startswith("variable")}
    # A constant (VAR_URL), a table (SETTINGS) through check_duration, a helper's default parameter.
    assert {"promtail_loki_url", "loki_retention_period", "prometheus_scrape_configs_extra"} <= variables
    assert any(kind.startswith("text") for _where, _name, kind in plugins)
    assert {name for _where, name, _kind in role_names()} >= {"grafana_admin_password", "docker_host_install_method"}


def test_every_variable_named_in_an_error_is_documented():
    documented = documented_variables()
    unknown = sorted({(where, name, kind) for where, name, kind in plugin_names() + role_names()
                      if name not in documented})
    assert not unknown, "error messages name variables that no role documents:\n" + "\n".join(
        "  %s: %s (%s)" % item for item in unknown)

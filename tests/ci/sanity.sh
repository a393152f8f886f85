#!/usr/bin/env bash
# Run `ansible-test sanity` on this collection offline; exit non-zero on any finding.
# Needs `ansible-test` on PATH (the virtualenv from requirements-dev.txt) and python3.11 with ensurepip.
# Extra arguments go to ansible-test, e.g. `tests/ci/sanity.sh --test pylint -v`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COPY="$ROOT/.cache/sanity/ansible_collections/proxy_agent/observability"
ANSIBLE_TEST=$(command -v ansible-test) || { echo "ERROR: ansible-test is not on PATH" >&2; exit 1; }
VENV_PYTHON="$(dirname "$ANSIBLE_TEST")/python"

# ansible-test bootstraps pip in each sanity virtualenv with get-pip.py from a host that is unreachable offline,
# unless ~/.ansible/test/cache/get_pip_<version>.py exists. Provide a stand-in that uses ensurepip and the PyPI mirror.
pip_version=$("$VENV_PYTHON" -c 'import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="3.11"))["pip"])')
get_pip="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -e "$get_pip" ]; then
  mkdir -p "$(dirname "$get_pip")"
  cat >"$get_pip.tmp" <<'EOF'
"""Offline stand-in for get-pip.py, written by tests/ci/sanity.sh: ensurepip, then pip install ARGS."""
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.run([sys.executable, '-m', 'ensurepip', '--default-pip'], check=True, stdout=subprocess.DEVNULL)
sys.exit(subprocess.run([sys.executable, '-m', 'pip', 'install', *args], check=False).returncode)
EOF
  mv "$get_pip.tmp" "$get_pip"
fi

# ansible-test needs the collection under ansible_collections/<namespace>/<name>/ and resolves symlinks in the
# working directory, so test a fresh copy of the files git would commit (tracked plus untracked, not ignored).
rm -rf "$COPY"
mkdir -p "$COPY"
cd "$ROOT"
git ls-files -z -co --exclude-standard | while IFS= read -r -d '' path; do
  if [ -e "$path" ]; then printf '%s\0' "$path"; fi  # skip deleted tracked files
done | tar -c --null -T - -f - | tar -x -C "$COPY" -f -

# ANSIBLE_TEST_CONTENT_ROOT stops ansible-test from walking up to this checkout's .git (where .cache/ is ignored,
# so it would find no files, skip every test and exit 0).
cd "$COPY"
export ANSIBLE_TEST_CONTENT_ROOT="$COPY"
log="$ROOT/.cache/sanity/ansible-test.log"
"$ANSIBLE_TEST" sanity --local --python 3.11 --color no "$@" 2>&1 | tee "$log"
if grep -q 'All targets skipped' "$log"; then echo "FAILED: ansible-test found nothing to test" >&2; exit 1; fi
if grep -q 'Required program .* not found' "$log"; then
  echo "FAILED: a sanity test was skipped for a missing program (install requirements-dev.txt)" >&2; exit 1
fi

#!/usr/bin/env bash
# Build the collection artifact into .cache/dist/ and check it with galaxy-importer, as Galaxy does on upload.
# galaxy-importer can log errors and still exit 0, so its output is checked here: any ERROR or WARNING line
# (ansible-lint findings are WARNING lines), a skipped ansible-doc/ansible-lint, or no success line fails.
set -euo pipefail

IMPORTER=galaxy-importer==0.4.44
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$ROOT/.cache/galaxy-importer-venv"
SRC="$ROOT/.cache/galaxy-build/ansible_collections/proxy_agent/observability"
DIST="$ROOT/.cache/dist"

# galaxy-importer 0.4.44 wants attrs<24, which clashes with the dev virtualenv: it gets its own, with the
# ansible (for community.docker), ansible-core and ansible-lint pins of requirements-dev.txt.
mapfile -t packages < <(echo "$IMPORTER"; grep -E '^(ansible|ansible-core|ansible-lint)==' "$ROOT/requirements-dev.txt")
[ "${#packages[@]}" -eq 4 ] || { echo "ERROR: requirements-dev.txt must pin ansible, ansible-core, ansible-lint with ==" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.packages" 2>/dev/null)" != "${packages[*]}" ]; then
  echo "==> creating $VENV with ${packages[*]}" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${packages[@]}"
  echo "${packages[*]}" >"$VENV/.packages"
fi
export PATH="$VENV/bin:$PATH"  # galaxy-importer looks up ansible-doc and ansible-lint on PATH
export GALAXY_IMPORTER_CONFIG="$ROOT/tests/ci/galaxy-importer.cfg"
while read -r var; do unset "$var"; done < <(compgen -e | grep '^GALAXY_IMPORTER_' | grep -vx GALAXY_IMPORTER_CONFIG)

# Build from a copy of the files git would commit (tracked plus untracked, not ignored), not from the work tree
# with its caches.
rm -rf "$SRC"
mkdir -p "$SRC" "$DIST"
cd "$ROOT"
git ls-files -z -co --exclude-standard | while IFS= read -r -d '' path; do
  if [ -e "$path" ]; then printf '%s\0' "$path"; fi  # skip deleted tracked files
done | tar -c --null -T - -f - | tar -x -C "$SRC" -f -
version=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$SRC/galaxy.yml")
artifact="$DIST/proxy_agent-observability-$version.tar.gz"
rm -f "$artifact"
ansible-galaxy collection build "$SRC" --output-path "$DIST"

cd "$DIST"  # galaxy-importer writes importer_result.json to the working directory
log="$DIST/galaxy-importer.log"
python -m galaxy_importer.main "$artifact" >"$log" 2>&1 || { cat "$log"; echo "FAILED: galaxy-importer exited non-zero" >&2; exit 1; }
cat "$log"

failed=0
if grep -E 'ERROR|CRITICAL' "$log" >&2; then echo "FAILED: galaxy-importer logged the ERROR lines above" >&2; failed=1; fi
if grep -E '^WARNING' "$log" >&2; then
  echo "FAILED: galaxy-importer logged the WARNING lines above (ansible-lint findings are among them)" >&2; failed=1
fi
if grep -E '(ansible-doc|ansible-lint) not found, skipping' "$log" >&2; then
  echo "FAILED: ansible-doc or ansible-lint was not on PATH, so galaxy-importer skipped it" >&2; failed=1
fi
if ! grep -qx 'Importer processing completed successfully' "$log"; then
  echo "FAILED: no 'Importer processing completed successfully' line" >&2; failed=1
fi
if ! grep -q '^Linting collection via ansible-lint' "$log"; then
  echo "FAILED: galaxy-importer did not run ansible-lint" >&2; failed=1
fi
[ "$failed" -eq 0 ] || exit 1
echo "galaxy-importer: $artifact imported with no findings"

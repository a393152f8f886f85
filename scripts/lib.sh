# shellcheck shell=bash
# Shared setup for scripts/deploy and scripts/test: everything a fresh machine needs, installed on demand.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="$ROOT/.cache"
VENV="$ROOT/.venv"
IMAGES_DIR="$CACHE/images"
BACKEND_DIR="$ROOT/roles/backend/files/proxy_backend"
BACKEND_VENV="$CACHE/backend-venv"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$CACHE/collections"
export ANSIBLE_FORCE_COLOR=0
export PY_COLORS=0
mkdir -p "$CACHE"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "'$*' needs root; run as root or install sudo"; fi
}

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them; install them by hand"
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A virtualenv with the pinned tooling, reinstalled only when requirements-dev.txt changes.
ensure_venv() {
  local stamp="$VENV/.requirements.sha256" want
  want=$(sha256sum "$ROOT/requirements-dev.txt" | cut -d' ' -f1)
  if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "creating the virtualenv in .venv"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip >/dev/null
    "$VENV/bin/pip" install -q -r "$ROOT/requirements-dev.txt"
    echo "$want" >"$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  export VIRTUAL_ENV="$VENV"
}

# The sample backend's own virtualenv (roles/backend/files/proxy_backend), apart from the tooling in .venv: python3.11
# with its exactly pinned requirements, re-created only when they change. The package itself is reinstalled (without
# dependencies, built offline with the pinned setuptools, from a copy so the source tree gets no build/ or *.egg-info)
# only when its pyproject.toml or sources change; the tests import the sources anyway.
ensure_backend_venv() {
  local stamp="$BACKEND_VENV/.requirements.sha256" pkg_stamp="$BACKEND_VENV/.package.sha256" want want_pkg build
  want=$(cat "$BACKEND_DIR/requirements.txt" "$BACKEND_DIR/requirements-test.txt" | sha256sum | cut -d' ' -f1)
  want_pkg=$(cd "$BACKEND_DIR" && find pyproject.toml README.md src -type f ! -path '*/__pycache__/*' ! -path '*.egg-info/*' \
    | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
  if [ ! -x "$BACKEND_VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    command -v python3.11 >/dev/null || die "python3.11 is needed for the sample backend's virtualenv"
    log "creating the sample backend's virtualenv in .cache/backend-venv"
    rm -rf "$BACKEND_VENV"
    python3.11 -m venv "$BACKEND_VENV"
    "$BACKEND_VENV/bin/pip" install -q --upgrade pip >/dev/null
    "$BACKEND_VENV/bin/pip" install -q -r "$BACKEND_DIR/requirements-test.txt"
    echo "$want" >"$stamp"
  fi
  if [ "$(cat "$pkg_stamp" 2>/dev/null)" != "$want_pkg" ]; then
    build=$(mktemp -d)
    cp -r "$BACKEND_DIR/pyproject.toml" "$BACKEND_DIR/README.md" "$BACKEND_DIR/src" "$build/"
    "$BACKEND_VENV/bin/pip" install -q --no-build-isolation --no-deps --force-reinstall "$build" >/dev/null
    rm -rf "$build"
    echo "$want_pkg" >"$pkg_stamp"
  fi
}

# The collection must sit under ansible_collections/<namespace>/<name> for Ansible to load it by name.
ensure_collection_link() {
  local parent="$CACHE/collections/ansible_collections/proxy_agent"
  mkdir -p "$parent"
  ln -sfn "$ROOT" "$parent/observability"
}

# A Docker engine that answers: start the installed one, or install Debian's docker.io and start that.
ensure_docker() {
  if docker info >/dev/null 2>&1; then return 0; fi
  command -v dockerd >/dev/null || apt_install docker.io
  command -v docker >/dev/null || apt_install docker.io
  if [ -d /run/systemd/system ]; then
    log "starting docker.service"
    as_root systemctl start docker
  else
    log "no init system runs Docker here: starting dockerd in the background (log: .cache/dockerd.log)"
    as_root sh -c "nohup dockerd >'$CACHE/dockerd.log' 2>&1 &"
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  die "the Docker engine did not answer within 60 s (see .cache/dockerd.log)"
}

# Locally built images (tests/images/build.sh) saved as archives, plus the Ansible variables that select them.
ensure_local_images() {
  apt_install debootstrap
  log "building local images (cached by tag)"
  bash "$ROOT/tests/images/build.sh" --save "$IMAGES_DIR" \
    prometheus alertmanager node-exporter postgres-exporter redis-exporter cadvisor-standin loki-standin promtail-standin grafana-standin \
    jaeger-standin python postgres redis jaeger-v1-standin >/dev/null
  # The test host image is built (not saved): test hosts run on this engine.
  bash "$ROOT/tests/images/build.sh" testhost >/dev/null
  python3 "$ROOT/scripts/local_images_vars.py" "$IMAGES_DIR/images.json" "$IMAGES_DIR/stack" \
    >"$IMAGES_DIR/local-images.yml"
}

# A test host's engine volume outlives the host, and the roles load an image archive only for a tag the engine lacks:
# a local image rebuilt under the same tag (a stand-in whose definition changed) would never replace the old one.
# Drop every local image whose ID differs from the archive's (images.json), so that the next run loads the archive.
refresh_test_host_images() {
  local name=$1 image want have
  while read -r image want; do
    have=$(docker exec "$name" docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) || continue
    if [ "$have" != "$want" ]; then
      log "test host $name: $image is an older build ($have); it is dropped and loaded again from its archive"
      docker exec "$name" docker rmi -f "$image" >/dev/null
    fi
  done < <("$VENV/bin/python" -c 'import json, sys
for entry in json.load(open(sys.argv[1])).values():
    print(entry["image"], entry["id"])' "$IMAGES_DIR/images.json")
}

# The systemd test host with its own Docker engine that the local inventory deploys to. Ports given after the name
# are published on this machine's 127.0.0.1 (same numbers), so what the test host binds to them opens from here.
ensure_test_host() {
  local name=$1 image=localhost/proxy-obs/testhost:bookworm caps port
  shift
  local publish=() want=""
  for port in "$@"; do publish+=(-p "127.0.0.1:$port:$port"); want+="$port/tcp -> 127.0.0.1:$port"$'\n'; done
  if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ]; then
    # Reuse it only while its /images still shows this checkout's archives (a host started from another clone, or
    # before the directory was recreated, sees a stale or deleted directory) and it publishes the ports asked for.
    # Its engine volume is kept either way.
    if [ "$(docker exec "$name" ls /images 2>/dev/null)" = "$(ls "$IMAGES_DIR/stack")" ] \
       && docker exec "$name" test -f /fixtures/images.json \
       && [ "$(docker port "$name" 2>/dev/null | sort)" = "$(printf '%s' "$want" | sort)" ]; then return 0; fi
    log "test host $name sees other image archives or publishes other ports: starting it again"
  fi
  docker rm -f "$name" >/dev/null 2>&1 || true
  # The same container options as the Molecule platform (.config/molecule/config.yml), read from there.
  caps=$("$VENV/bin/python" -c 'import sys, yaml; print(" ".join(yaml.safe_load(open(sys.argv[1]))["platforms"][0]["capabilities"]))' "$ROOT/.config/molecule/config.yml")
  local args=() cap
  for cap in $caps; do args+=(--cap-add "$cap"); done
  log "starting test host $name"
  docker run -d --name "$name" --hostname "$name" --cgroupns host \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    -v "$name-docker:/var/lib/docker" -v "$IMAGES_DIR/stack:/images:ro" -v "$IMAGES_DIR:/fixtures:ro" \
    "${publish[@]}" "${args[@]}" "$image" >/dev/null
  for _ in $(seq 1 60); do
    docker exec "$name" systemctl is-system-running 2>/dev/null | grep -Eq 'running|degraded' && return 0
    sleep 1
  done
  die "test host $name did not finish booting (docker logs $name)"
}

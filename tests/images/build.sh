#!/usr/bin/env bash
# Build the local test images of proxy_agent.observability without any registry.
#
#   build.sh [--save DIR] [--list] [--prune] [--jobs N] [--log-dir DIR] [NAME ...]
#
# NAMEs: testhost prometheus alertmanager node-exporter postgres-exporter
#        redis-exporter cadvisor-standin loki-standin promtail-standin grafana-standin
#        jaeger-standin postgres redis python   (default: all of them)
#        prometheus-trixie alertmanager-trixie   (only when named: the older
#        majors from Debian trixie, for compatibility tests)
#        jaeger-v1-standin   (only when named: Jaeger 1.x all-in-one stand-in)
#
# Every image is tagged under localhost/proxy-obs/ (so Docker never asks Docker
# Hub) and labelled io.proxy-agent.observability.build=<sha256 of the files that
# define it, chained with its parent's>; an image whose label matches is reused
# as it is, so a second run takes seconds.  Editing a Dockerfile (or a file
# beside it) rebuilds that image and the images built from it.
#
#   base:bookworm, base:sid, base:trixie   debootstrap --variant=minbase + docker import
#   builder:sid               Debian sid exporter/server packages (one builder)
#   builder:bookworm          Debian bookworm postgresql, redis
#   builder:trixie            Debian trixie prometheus, alertmanager (older majors)
#   testhost:bookworm         systemd test host (Molecule platform)
#   prometheus:V alertmanager:V node-exporter:V postgres-exporter:V
#   redis-exporter:V          minimal FROM-scratch images shaped like upstream;
#                             V is the Debian package's upstream version
#   prometheus:V alertmanager:V   from prometheus-trixie, alertmanager-trixie:
#                             the same images cut from Debian trixie (Prometheus
#                             2.x, an older Alertmanager); V as above
#   postgres:MAJOR redis:MAJOR  test fixture servers
#   python:MAJOR.MINOR        base image like python:3.11-slim (Debian bookworm python3, venv)
#   cadvisor-standin:V loki-standin:V promtail-standin:V grafana-standin:V jaeger-standin:V
#                             test stand-ins for upstream images that cannot be
#                             obtained here (V: the upstream version each imitates),
#                             labelled io.proxy-agent.observability.test-double=true;
#                             --save lists it in images.json under the component's
#                             name with "standin": true
#   jaeger-v1-standin:1.76.0  the same, for jaegertracing/all-in-one:1.76.0 (only when
#                             named); images.json key jaeger-v1, not jaeger
#
# stdout: one tag per line, or with --list "name<TAB>tag" lines.  Progress and
# build logs (on failure) go to stderr.
# --save DIR: DIR/<name>.tar (docker save), DIR/<name>.id (image ID; an archive
# whose .id matches is not written again) and DIR/images.json.
# --prune: afterwards remove untagged images carrying our labels (superseded
# builds, build stages; the next rebuild of a component then redoes its stage).
# --jobs N: parallel builds (default 4; debootstraps never run two at a time).
# --log-dir DIR: keep the per-image build logs there.
#
# Environment: PROXY_OBS_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# PROXY_OBS_DEBIAN_SECURITY_MIRROR, PROXY_OBS_BUILD_JOBS (default 4).
set -euo pipefail

if [ "${BASH_VERSINFO[0]}" -lt 5 ] || { [ "${BASH_VERSINFO[0]}" -eq 5 ] && [ "${BASH_VERSINFO[1]}" -lt 1 ]; }; then
    echo "build.sh: bash >= 5.1 needed (wait -n -p)" >&2
    exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=localhost/proxy-obs
LABEL=io.proxy-agent.observability
MIRROR=${PROXY_OBS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
MIRROR=${MIRROR%/}
SECURITY_MIRROR=${PROXY_OBS_DEBIAN_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}
JOBS=${PROXY_OBS_BUILD_JOBS:-4}
# Docker 20.10 here: the legacy builder (no BuildKit, no buildx).
export DOCKER_BUILDKIT=0

# Deliverable images, in output order.
IMAGES=(testhost prometheus alertmanager node-exporter postgres-exporter redis-exporter cadvisor-standin loki-standin promtail-standin grafana-standin jaeger-standin postgres redis python)
# Built only when named (not by default): the same components from an older
# Debian suite, tagged with their own versions; the Jaeger 1.x stand-in.
EXTRA_IMAGES=(prometheus-trixie alertmanager-trixie jaeger-v1-standin)
# Everything, parents before children; earlier entries start first (the
# bookworm chain is the longer one, so its debootstrap goes first).
ORDER=(base-bookworm base-sid base-trixie builder-bookworm builder-sid builder-trixie "${IMAGES[@]}" "${EXTRA_IMAGES[@]}")

declare -A PARENT=(
    [base-sid]="" [base-bookworm]="" [base-trixie]=""
    [builder-sid]=base-sid [builder-bookworm]=base-bookworm [builder-trixie]=base-trixie [testhost]=base-bookworm
    [prometheus]=builder-sid [alertmanager]=builder-sid [node-exporter]=builder-sid
    [postgres-exporter]=builder-sid [redis-exporter]=builder-sid [cadvisor-standin]=builder-sid
    [loki-standin]=builder-sid [promtail-standin]=builder-sid [grafana-standin]=builder-sid
    [jaeger-standin]=builder-sid
    [postgres]=builder-bookworm [redis]=builder-bookworm [python]=base-bookworm
    [prometheus-trixie]=builder-trixie [alertmanager-trixie]=builder-trixie
    [jaeger-v1-standin]=builder-sid
)
declare -A REPO=(
    [base-sid]=base [base-bookworm]=base [base-trixie]=base
    [builder-sid]=builder [builder-bookworm]=builder [builder-trixie]=builder
    [prometheus-trixie]=prometheus [alertmanager-trixie]=alertmanager
)
declare -A FIXED_TAG=(
    [base-sid]=sid [base-bookworm]=bookworm [base-trixie]=trixie
    [builder-sid]=sid [builder-bookworm]=bookworm [builder-trixie]=trixie
    [testhost]=bookworm [cadvisor-standin]=0.60.5 [loki-standin]=3.7.6 [promtail-standin]=3.6.11 [grafana-standin]=13.2.0
    [jaeger-standin]=2.20.0 [jaeger-v1-standin]=1.76.0
    # Debian bookworm's python3 major.minor (python/Dockerfile fails the build if it is not that).
    [python]=3.11
)
# Debian package whose version becomes the tag (installed in the parent builder).
declare -A VERSION_PKG=(
    [prometheus]=prometheus [alertmanager]=prometheus-alertmanager
    [node-exporter]=prometheus-node-exporter [postgres-exporter]=prometheus-postgres-exporter
    [redis-exporter]=prometheus-redis-exporter [postgres]=postgresql [redis]=redis-server
    [prometheus-trixie]=prometheus [alertmanager-trixie]=prometheus-alertmanager
)
# Tag with the major version only.
declare -A MAJOR_ONLY=([postgres]=1 [redis]=1)
# Test stand-ins (tests only; the roles always default to the upstream images): the component each replaces
# (its images.json key) and the upstream project it imitates (for the source label).
# jaeger-v1-standin has a key of its own (jaeger-v1), so that it never replaces the v2 stand-in's jaeger entry.
declare -A STANDIN_FOR=([cadvisor-standin]=cadvisor [loki-standin]=loki [promtail-standin]=promtail [grafana-standin]=grafana [jaeger-standin]=jaeger [jaeger-v1-standin]=jaeger-v1)
declare -A STANDIN_OF=([cadvisor-standin]=cAdvisor [loki-standin]="Grafana Loki" [promtail-standin]="Grafana Promtail" [grafana-standin]=Grafana [jaeger-standin]=Jaeger [jaeger-v1-standin]="Jaeger 1.x all-in-one")

log() { printf '[images] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

SAVE_DIR="" LIST=0 LOG_DIR="" PRUNE=0 SELECTED=()
while [ $# -gt 0 ]; do
    case $1 in
        --save) [ $# -ge 2 ] || die "--save needs a directory"; SAVE_DIR=$2; shift ;;
        --save=*) SAVE_DIR=${1#--save=} ;;
        --list) LIST=1 ;;
        --prune) PRUNE=1 ;;
        --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; JOBS=$2; shift ;;
        --jobs=*) JOBS=${1#--jobs=} ;;
        --log-dir) [ $# -ge 2 ] || die "--log-dir needs a directory"; LOG_DIR=$2; shift ;;
        --log-dir=*) LOG_DIR=${1#--log-dir=} ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *)
            case " ${IMAGES[*]} ${EXTRA_IMAGES[*]} " in
                *" $1 "*) case " ${SELECTED[*]} " in *" $1 "*) ;; *) SELECTED+=("$1") ;; esac ;;
                *) die "unknown image '$1' (one of: ${IMAGES[*]} ${EXTRA_IMAGES[*]})" ;;
            esac ;;
    esac
    shift
done
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${IMAGES[@]}")
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs: not a positive number: $JOBS"

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no Docker engine answers (docker version failed)"

# One build at a time per machine: concurrent runs would race on the same tags.
exec 9>"${PROXY_OBS_LOCK:-/tmp/proxy-obs-images.lock}"
if ! flock -n 9; then
    log "waiting for another build.sh run to finish ..."
    t=$SECONDS
    flock 9
    log "waited $((SECONDS - t))s"
fi
T0=$SECONDS

STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/proxy-obs-build.XXXXXX")
if [ -n "$LOG_DIR" ]; then
    mkdir -p "$LOG_DIR"
    LOG_DIR=$(cd "$LOG_DIR" && pwd)
    KEEP_LOGS=1
else
    LOG_DIR=$STATE_DIR/logs
    mkdir -p "$LOG_DIR"
    KEEP_LOGS=0
fi
cleanup() {
    if [ "$KEEP_LOGS" = 0 ]; then rm -rf "$STATE_DIR"; else rm -rf "${STATE_DIR:?}/tags"; rmdir "$STATE_DIR" 2>/dev/null || true; fi
}
trap cleanup EXIT
mkdir -p "$STATE_DIR/tags"

suite_of() {   # the Debian suite an image comes from
    local n=$1
    while [ -n "${PARENT[$n]}" ]; do n=${PARENT[$n]}; done
    echo "${n#base-}"
}

repo_of() { echo "$PREFIX/${REPO[$1]:-$1}"; }

# Files (relative to tests/images) that define an image, besides its parent.
def_paths() {
    case $1 in
        base-*) echo base ;;
        builder-*) echo "$1 lib/stage-rootfs.sh" ;;
        # Their scripts import the helpers the stand-ins share (installed beside PyYAML).
        loki-standin|promtail-standin|grafana-standin|jaeger-standin) echo "$1 lib/standin_go.py" ;;
        # The Jaeger v2 stand-in's script, run in its 1.x mode.
        jaeger-v1-standin) echo "$1 jaeger-standin/jaeger.py lib/standin_go.py" ;;
        # The same default configuration as the sid image (the Dockerfile copies it from there).
        prometheus-trixie) echo "$1 prometheus/prometheus.yml" ;;
        alertmanager-trixie) echo "$1 alertmanager/alertmanager.yml" ;;
        *) echo "$1" ;;
    esac
}

declare -A HASH
compute_hash() {
    local n=$1 p=${PARENT[$1]} paths
    [ -z "${HASH[$n]:-}" ] || return 0
    [ -z "$p" ] || compute_hash "$p"
    read -r -a paths <<<"$(def_paths "$n")"
    HASH[$n]=$(
        {
            echo "image=$n parent=${p:+${HASH[$p]}}"
            case $n in base-*) echo "suite=${n#base-} mirror=$MIRROR security=$SECURITY_MIRROR" ;; esac
            cd "$HERE"
            # Not Python's bytecode caches (written when a script is imported on the host).
            find "${paths[@]}" -name __pycache__ -prune -o -type f -printf '%m %p\n' | LC_ALL=C sort
            find "${paths[@]}" -name __pycache__ -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
        } | sha256sum | cut -d' ' -f1
    )
}

# The tag of an existing image built from the current definition, or nothing.
lookup() {
    local n=$1 repo want have
    repo=$(repo_of "$n")
    want=${HASH[$n]}
    if [ -n "${FIXED_TAG[$n]:-}" ]; then
        have=$(docker image inspect --format "{{ index .Config.Labels \"$LABEL.build\" }}" \
            "$repo:${FIXED_TAG[$n]}" 2>/dev/null || true)
        if [ "$have" = "$want" ]; then echo "$repo:${FIXED_TAG[$n]}"; fi
    else
        docker images --filter "reference=$repo" --filter "label=$LABEL.build=$want" \
            --format '{{.Repository}}:{{.Tag}}' | awk '!/<none>/ { print; exit }'
    fi
    return 0
}

declare -A TAG NEED
resolve() {
    local n=$1 t
    [ -z "${TAG[$n]:-}${NEED[$n]:-}" ] || return 0
    compute_hash "$n"
    t=$(lookup "$n")
    if [ -n "$t" ]; then
        TAG[$n]=$t
        return 0
    fi
    NEED[$n]=1
    [ -z "${PARENT[$n]}" ] || resolve "${PARENT[$n]}"
}

# Upstream version of a Debian version: no epoch, revision, +ds/+dfsg/~ suffix.
upstream_version() {
    local v=$1
    v=${v#*:}
    v=${v%-*}
    v=${v%%[+~]*}
    echo "$v"
}

pkg_version() {   # pkg_version BUILDER_TAG PACKAGE
    docker run --rm --network none --entrypoint dpkg-query "$1" -W -f '${Version}' "$2"
}

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# The image a tag pointed to before a rebuild: remove it if nothing uses it any
# more (docker refuses while a container, a child image or another tag does).
drop_superseded() {
    local old=$1 tag=$2
    if [ -n "$old" ] && [ "$old" != "$(image_id "$tag")" ]; then
        docker rmi "$old" 2>/dev/null && echo "removed superseded image $old" || true
    fi
}

build_base() {
    local n=$1 suite=${1#base-} tag root old
    tag=$(repo_of "$n"):${FIXED_TAG[$n]}
    root=$(mktemp -d "${TMPDIR:-/tmp}/proxy-obs-rootfs-$suite.XXXXXX")
    # shellcheck disable=SC2064 # expand now: $root is local
    trap "
        awk -v r='$root/' 'index(\$2, r) == 1 { print \$2 }' /proc/mounts | sort -r | xargs -r umount -l || true
        rm -rf --one-file-system '$root'
    " EXIT
    echo "debootstrap --variant=minbase $suite $root $MIRROR"
    debootstrap --variant=minbase "$suite" "$root" "$MIRROR"
    sh "$HERE/base/configure-rootfs.sh" "$root" "$suite" "$MIRROR" "$SECURITY_MIRROR"
    old=$(image_id "$tag")
    tar --numeric-owner --exclude='./dev/*' -C "$root" -c . |
        docker import \
            --change "LABEL $LABEL.build=${HASH[$n]} $LABEL.name=$n $LABEL.source=\"debian-$suite debootstrap minbase\"" \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' \
            --message "debootstrap --variant=minbase $suite $MIRROR" \
            - "$tag"
    drop_superseded "$old" "$tag"
    echo "$tag" > "$STATE_DIR/tags/$n"
}

build_image() {
    local n=$1 suite repo tag source version pkg pkgver old args=()
    suite=$(suite_of "$n")
    repo=$(repo_of "$n")
    if [ -n "${STANDIN_FOR[$n]:-}" ]; then
        tag=$repo:${FIXED_TAG[$n]}
        source="test stand-in for ${STANDIN_OF[$n]}"
        args+=(--label "$LABEL.standin=true" --label "org.opencontainers.image.version=${FIXED_TAG[$n]}")
    elif [ -n "${FIXED_TAG[$n]:-}" ]; then
        tag=$repo:${FIXED_TAG[$n]}
        source="debian-$suite"
    else
        pkg=${VERSION_PKG[$n]}
        pkgver=$(pkg_version "$PREFIX/builder:$suite" "$pkg")
        version=$(upstream_version "$pkgver")
        if [ -n "${MAJOR_ONLY[$n]:-}" ]; then version=${version%%.*}; fi
        [[ $version =~ ^[0-9][0-9A-Za-z.]*$ ]] || { echo "bad version '$version' from $pkg $pkgver" >&2; return 1; }
        if [ "$n" = postgres ]; then
            # "postgresql" is the metapackage; name the server package itself.
            pkg=postgresql-$version
            pkgver=$(pkg_version "$PREFIX/builder:$suite" "$pkg")
            args+=(--build-arg "PG_MAJOR=$version")
        fi
        tag=$repo:$version
        source="debian-$suite $pkg $pkgver"
        args+=(--label "org.opencontainers.image.version=$version")
    fi
    echo "tag $tag, source: $source"
    old=$(image_id "$tag")
    docker build \
        --force-rm \
        --file "$HERE/$n/Dockerfile" \
        --tag "$tag" \
        --label "$LABEL.build=${HASH[$n]}" \
        --label "$LABEL.name=$n" \
        --label "$LABEL.source=$source" \
        "${args[@]}" \
        "$HERE"
    drop_superseded "$old" "$tag"
    echo "$tag" > "$STATE_DIR/tags/$n"
}

build_one() {
    case $1 in
        base-*) build_base "$1" ;;
        *) build_image "$1" ;;
    esac
}

need_root_tools() {
    [ "$(id -u)" = 0 ] || die "building a debootstrap base image needs root"
    if ! command -v debootstrap >/dev/null; then
        command -v apt-get >/dev/null || die "debootstrap is not installed"
        log "installing debootstrap (apt-get) ..."
        { apt-get install -y -q debootstrap || { apt-get update -q && apt-get install -y -q debootstrap; }; } >&2
    fi
}

# ---- resolve what exists and what must be built ----
for n in "${SELECTED[@]}"; do resolve "$n"; done

declare -A STATE START PIDNAME
TODO=()
for n in "${ORDER[@]}"; do
    if [ -n "${NEED[$n]:-}" ]; then TODO+=("$n"); STATE[$n]=pending; fi
done
if [ ${#TODO[@]} -eq 0 ]; then
    log "all ${#SELECTED[@]} images up to date"
else
    log "to build: ${TODO[*]} (up to $JOBS at a time; logs in $LOG_DIR)"
    case " ${TODO[*]} " in *" base-"*) need_root_tools ;; esac
fi

# ---- build, parents first, independent images in parallel ----
running=0 failed=0 bootstrapping=0
while :; do
    for n in "${TODO[@]}"; do
        [ "${STATE[$n]}" = pending ] || continue
        p=${PARENT[$n]}
        if [ -n "$p" ] && [ -n "${NEED[$p]:-}" ]; then
            case ${STATE[$p]} in
                done) ;;
                failed|skipped) STATE[$n]=skipped; log "skipped $n: $p failed"; continue ;;
                *) continue ;;
            esac
        fi
        [ "$running" -lt "$JOBS" ] || break
        # One debootstrap at a time: two at once take longer than one after the other.
        case $n in base-*) [ "$bootstrapping" = 0 ] || continue; bootstrapping=1 ;; esac
        STATE[$n]=running START[$n]=$SECONDS
        log "building $n ..."
        ( build_one "$n" ) >"$LOG_DIR/$n.log" 2>&1 </dev/null &
        PIDNAME[$!]=$n
        running=$((running + 1))
    done
    [ "$running" -gt 0 ] || break
    rc=0
    wait -n -p pid || rc=$?
    n=${PIDNAME[$pid]}
    running=$((running - 1))
    case $n in base-*) bootstrapping=0 ;; esac
    if [ "$rc" = 0 ] && [ -s "$STATE_DIR/tags/$n" ]; then
        STATE[$n]="done"
        TAG[$n]=$(cat "$STATE_DIR/tags/$n")
        log "built $n -> ${TAG[$n]} ($((SECONDS - START[$n]))s)"
    else
        STATE[$n]=failed failed=1
        KEEP_LOGS=1
        log "FAILED $n (exit $rc, $((SECONDS - START[$n]))s); last lines of $LOG_DIR/$n.log:"
        tail -n 40 "$LOG_DIR/$n.log" | sed 's/^/    /' >&2
    fi
done
[ "$failed" = 0 ] || die "build failed; logs kept in $LOG_DIR"

if [ "$PRUNE" = 1 ]; then
    # Untagged leftovers of earlier builds (superseded images, old build stages).
    log "pruning untagged proxy-obs images: $(docker image prune --force --filter "label=$LABEL.name" | tail -n 1)"
fi

# ---- --save ----
if [ -n "$SAVE_DIR" ]; then
    mkdir -p "$SAVE_DIR"
    for n in "${SELECTED[@]}"; do
        id=$(docker image inspect --format '{{.Id}}' "${TAG[$n]}")
        if [ -s "$SAVE_DIR/$n.tar" ] && [ "$(cat "$SAVE_DIR/$n.id" 2>/dev/null)" = "$id" ]; then
            log "saved $n: $SAVE_DIR/$n.tar is up to date"
            continue
        fi
        t=$SECONDS
        rm -f "$SAVE_DIR/$n.id"
        docker save --output "$SAVE_DIR/$n.tar.tmp" "${TAG[$n]}"
        chmod 0644 "$SAVE_DIR/$n.tar.tmp"
        mv -f "$SAVE_DIR/$n.tar.tmp" "$SAVE_DIR/$n.tar"
        echo "$id" > "$SAVE_DIR/$n.id"
        log "saved $n -> $SAVE_DIR/$n.tar ($(du -h "$SAVE_DIR/$n.tar" | cut -f1), $((SECONDS - t))s)"
    done
    # images.json: this run's images, plus earlier entries whose archive is still there. A stand-in is listed
    # under the component it replaces, marked "standin": true.
    for n in "${SELECTED[@]}"; do
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "${TAG[$n]}" "$(cat "$SAVE_DIR/$n.id")" \
            "$(docker image inspect --format "{{ index .Config.Labels \"$LABEL.source\" }}" "${TAG[$n]}")" \
            "${STANDIN_FOR[$n]:-$n}" "${STANDIN_FOR[$n]:+standin}"
    done | python3 -c '
import json, os, sys
d = sys.argv[1]
path = os.path.join(d, "images.json")
try:
    with open(path) as f:
        data = json.load(f)
except (OSError, ValueError):
    data = {}
for line in sys.stdin:
    name, image, image_id, source, key, standin = line.rstrip("\n").split("\t")
    data[key] = {"image": image, "archive": name + ".tar", "id": image_id, "source": source}
    if standin:
        data[key]["standin"] = True
data = {k: v for k, v in sorted(data.items())
        if os.path.exists(os.path.join(d, v.get("archive", "")))}
with open(path + ".tmp", "w") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
os.replace(path + ".tmp", path)
' "$SAVE_DIR"
    log "wrote $SAVE_DIR/images.json"
fi

log "done in $((SECONDS - T0))s"
for n in "${SELECTED[@]}"; do
    if [ "$LIST" = 1 ]; then
        printf '%s\t%s\n' "$n" "${TAG[$n]}"
    else
        echo "${TAG[$n]}"
    fi
done

#!/usr/bin/env bash
# End-to-end check of the Jaeger 1.x stand-in on the local Docker engine (not run by the test suite; see
# tests/images/README.md, "jaeger-v1-standin"):
#   tests/images/jaeger-v1-standin/e2e-selftest.sh             # the built image, as it is
#   tests/images/jaeger-v1-standin/e2e-selftest.sh --checkout  # the built image running this checkout's
#                                                              # jaeger-standin/jaeger.py (and lib/standin_go.py)
# With the environment the collection sets for Jaeger 1.x (plugins/filter/jaeger_config.py, _v1() at its defaults)
# it checks that:
#   0. the image is shaped like jaegertracing/all-in-one:1.76.0 (entrypoint, user, ports) and labelled a test double;
#   1. it refuses to start (exit 1, with the reason) on an unknown SPAN_STORAGE_TYPE, a BADGER_SPAN_STORE_TTL that is
#      not a Go duration, BADGER_EPHEMERAL=false without the badger directories, a badger volume UID 10001 cannot
#      write (a fresh named volume is root-owned) and an unknown LOG_LEVEL;
#   2. started on a volume owned by 10001 (--read-only --cap-drop ALL, tmpfs /tmp, as the role runs it), the admin
#      server answers / with 200, an OTLP/HTTP protobuf trace (gzip) and an OTLP/JSON trace are accepted and found
#      through the query API on 16686, :14269/metrics counts them (e2e-client.py send-v1), Zipkin's 9411, the
#      collector's 14268 and 14250, OTLP gRPC 4317 and query gRPC 16685 accept TCP connections, 13133 (Jaeger v2's
#      healthcheckv2) does not, and no variable the collection sets is left unread;
#   3. the spans are under the badger values directory, owned by 10001, and survive a restart;
#   4. a second instance on the same volume is refused (badger's directory lock); docker stop exits 0.
# Everything it started is removed at the end.  Needs docker.  JAEGER_V1_IMAGE overrides the image.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
image=${JAEGER_V1_IMAGE:-localhost/proxy-obs/jaeger-v1-standin:1.76.0}
run=e2e$$
net=jaeger-v1-$run name=jaeger-v1-$run vol=jaeger-v1-$run-badger vol2=jaeger-v1-$run-root
args=() prog=()
if [ "${1:-}" = --checkout ]; then
    # This checkout's script (under the entrypoint's name, which selects the 1.x mode) and shared helpers over the
    # image's copies.
    args=(-v "$here/jaeger-standin/jaeger.py:/go/bin/all-in-one-linux:ro"
          -v "$here/lib/standin_go.py:/usr/lib/python3/dist-packages/standin_go.py:ro" --entrypoint /usr/bin/python3)
    prog=(-IB /go/bin/all-in-one-linux)
fi

cleanup() {
    docker rm -f "$name" "$name-2" >/dev/null 2>&1 || true
    docker network rm "$net" >/dev/null 2>&1 || true
    docker volume rm "$vol" "$vol2" >/dev/null 2>&1 || true
}
trap cleanup EXIT

indent() { while IFS= read -r line; do printf '   %s\n' "$line"; done; }
fail() { echo "FAIL: $*" >&2; docker logs --tail 30 "$name" >&2 2>/dev/null || true; exit 1; }

# The collection's environment for Jaeger 1.x (jaeger_config's _v1() with span_ttl 168h, log_level info).
declare -A ENV=(
    [SPAN_STORAGE_TYPE]=badger [BADGER_EPHEMERAL]=false
    [BADGER_DIRECTORY_KEY]=/badger/keys [BADGER_DIRECTORY_VALUE]=/badger/values [BADGER_SPAN_STORE_TTL]=168h
    [COLLECTOR_ZIPKIN_HOST_PORT]=:9411 [COLLECTOR_OTLP_ENABLED]=true [LOG_LEVEL]=info
    [ADMIN_HTTP_HOST_PORT]=:14269 [QUERY_HTTP_SERVER_HOST_PORT]=:16686
    [COLLECTOR_OTLP_GRPC_HOST_PORT]=:4317 [COLLECTOR_OTLP_HTTP_HOST_PORT]=:4318
)
# env_opts [NAME=VALUE | -NAME ...]: docker run -e options for that environment, changed or without NAME.
env_opts() {
    local -A env=()
    local k change
    for k in "${!ENV[@]}"; do env[$k]=${ENV[$k]}; done
    for change in "$@"; do
        case $change in
            -*) unset "env[${change#-}]" ;;
            *) env[${change%%=*}]=${change#*=} ;;
        esac
    done
    for k in "${!env[@]}"; do printf '%s\0' -e "$k=${env[$k]}"; done
}
# jaeger [docker run options ...] -- [env changes ...]: a container of the image (foreground, removed).
jaeger() {
    local opts=() envs=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    mapfile -d '' envs < <(env_opts "$@")
    docker run "${opts[@]}" "${envs[@]}" "${args[@]}" "$image" "${prog[@]}"
}

# 0. the image
shape=$(docker image inspect --format '{{json .Config.Entrypoint}} {{.Config.User}} {{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}{{index .Config.Labels "io.proxy-agent.observability.test-double"}}' "$image")
[ "$shape" = '["/go/bin/all-in-one-linux"] 10001 14250/tcp 14268/tcp 16686/tcp 4317/tcp 4318/tcp 9411/tcp true' ] \
    || fail "image shape: $shape"
echo "0. ok: $image: entrypoint /go/bin/all-in-one-linux, USER 10001, EXPOSE 4317 4318 14268 14250 9411 16686, test double"

# 1. refusals
check_opts=(--rm --network none --read-only --cap-drop ALL --tmpfs /tmp)
refused() {   # refused WHAT EXPECTED [env changes ...]
    local what=$1 want=$2 out
    shift 2
    if out=$(jaeger "${check_opts[@]}" -- "$@" 2>&1); then fail "started with $what"; fi
    grep -qF -- "$want" <<<"$out" || fail "$what: expected '$want' in: $out"
    echo "   ok: $what -> exit 1: $(grep -m1 -F -- "$want" <<<"$out" | cut -c1-230)"
}
echo "1. refusals:"
refused "SPAN_STORAGE_TYPE=nosuch" "Cannot initialize storage factory: unknown storage type nosuch. Valid types are [" \
    SPAN_STORAGE_TYPE=nosuch
refused "BADGER_SPAN_STORE_TTL=7d" 'BADGER_SPAN_STORE_TTL=\"7d\" is not a Go duration' BADGER_SPAN_STORE_TTL=7d
refused "BADGER_EPHEMERAL=false without directories" \
    "BADGER_EPHEMERAL=false needs BADGER_DIRECTORY_KEY and BADGER_DIRECTORY_VALUE" -BADGER_DIRECTORY_KEY -BADGER_DIRECTORY_VALUE
refused "LOG_LEVEL=verbose" 'cannot create logger: unrecognized level: "verbose"' LOG_LEVEL=verbose
docker volume create "$vol2" >/dev/null
check_opts+=(-v "$vol2:/badger")
refused "a root-owned /badger volume" 'Error Creating Dir: \"/badger/keys\" error: mkdir /badger/keys: permission denied'
out=$(jaeger "${check_opts[@]}" -- 2>&1) || true
grep -q "must be writable by UID 10001" <<<"$out" || fail "root-owned volume, no hint: $out"
echo "   ok: ... and says the directories must be writable by UID 10001"

# 2. run it with the collection's environment on a volume owned by 10001, as the role prepares it
docker network create "$net" >/dev/null
docker volume create "$vol" >/dev/null
docker run --rm --user 0 --network none -v "$vol:/badger" --entrypoint /bin/chown "$image" 10001:10001 /badger
start() {
    local envs=()
    mapfile -d '' envs < <(env_opts)
    docker run -d --name "$name" --network "$net" --read-only --cap-drop ALL --tmpfs /tmp -v "$vol:/badger" \
        "${envs[@]}" "${args[@]}" "$image" "${prog[@]}" >/dev/null
}
client() {
    docker run --rm --network "$net" -v "$here/jaeger-standin/e2e-client.py:/e2e-client.py:ro" \
        --entrypoint /usr/bin/python3 "$image" /e2e-client.py "$@"
}
start
[ "$(docker exec "$name" id -u)" = 10001 ] || fail "not running as 10001"
out=$(client send-v1 "$name" "$run") || fail "client: $out"
indent <<<"$out"
read -r _ proto_tid json_tid < <(grep '^TRACES ' <<<"$out")
out=$(client ports "$name" 9411 14268 14250 4317 16685 '!13133' '!13132' '!5778') || fail "ports: $out"
indent <<<"$out"
logs=$(docker logs "$name" 2>&1)
if grep -q "does not read" <<<"$logs"; then fail "the stand-in ignores some of the collection's variables: $logs"; fi
grep -q '"msg":"Health Check state change","status":"ready"' <<<"$logs" || fail "no ready state logged"
echo "2. ok: admin / 200, OTLP protobuf + JSON accepted and queried back, ports as upstream (UID 10001);"
echo "   every variable the collection sets is read"

# 3. on the volume, and after a restart
lines=$(docker exec "$name" cat /badger/values/standin-spans.jsonl | wc -l)
owner=$(docker exec "$name" stat -c %u /badger/values/standin-spans.jsonl)
{ [ "$lines" = 3 ] && [ "$owner" = 10001 ]; } || fail "values directory: $lines lines, owner $owner"
docker exec "$name" ls -ln /badger/keys /badger/values | indent
docker restart "$name" >/dev/null
out=$(client check "$name" "$run" "$proto_tid" "$json_tid") || fail "after restart: $out"
echo "3. ok: 3 spans in /badger/values/standin-spans.jsonl (owner 10001); after docker restart still found:"
indent <<<"$out"

# 4. the lock, the stop
envs=()
mapfile -d '' envs < <(env_opts)
if out=$(docker run --name "$name-2" --network "$net" --read-only --cap-drop ALL --tmpfs /tmp -v "$vol:/badger" \
        "${envs[@]}" "${args[@]}" "$image" "${prog[@]}" 2>&1); then
    fail "a second instance started on the same volume"
fi
grep -q "Cannot acquire directory lock" <<<"$out" || fail "second instance: $out"
echo "4. ok: a second instance on the same volume -> exit 1 (directory lock)"
t=$SECONDS
docker stop "$name" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "docker stop: exit $code"
logs=$(docker logs "$name" 2>&1)
grep -q '"msg":"Shutdown complete"' <<<"$logs" || fail "no 'Shutdown complete' in the log"
echo "   ok: docker stop -> exit 0 in $((SECONDS - t))s, 'Shutdown complete' logged"
echo "all checks passed"

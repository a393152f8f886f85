#!/usr/bin/env bash
# End-to-end check of the Jaeger stand-in on the local Docker engine (not run by the test suite; see
# README.md, "jaeger-standin"):
#   tests/images/jaeger-standin/e2e-selftest.sh             # the built image, as it is
#   tests/images/jaeger-standin/e2e-selftest.sh --checkout  # the built image running this checkout's jaeger.py
#                                                           # (and its lib/standin_go.py)
# With selftest.yaml (the configuration shape the collection renders) it checks that:
#   1. `validate --config=` exits 0 on it (run as the deploy step would: --network none --read-only
#      --cap-drop ALL, the directory mounted read-only) and non-zero, with the reason, on broken variants;
#   2. the stand-in refuses to start without its mounted configuration, and with a badger volume that UID
#      10001 cannot write (a fresh named volume is root-owned: the upstream permission complaint);
#   3. started on a volume owned by 10001 (--read-only --cap-drop ALL), /status answers 200, an OTLP/HTTP
#      protobuf trace (gzip) and an OTLP/JSON trace are accepted and found through /api/services,
#      /api/traces?service= and /api/traces/{id}, and :14269/metrics counts them (e2e-client.py);
#   4. the spans are under the badger values directory, owned by 10001, and survive a restart;
#   5. a second instance on the same volume is refused (badger's directory lock); docker stop exits 0.
# Everything it started is removed at the end.  Needs docker.  JAEGER_IMAGE overrides the image.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
image=${JAEGER_IMAGE:-localhost/proxy-obs/jaeger-standin:2.20.0}
run=e2e$$
net=jaeger-$run name=jaeger-$run vol=jaeger-$run-badger vol2=jaeger-$run-root
tmp=$(mktemp -d)
args=()
if [ "${1:-}" = --checkout ]; then
    # This checkout's script and shared helpers over the image's copies (beside PyYAML, on python3 -IB's path).
    args=(-v "$here/jaeger-standin/jaeger.py:/opt/jaeger.py:ro"
          -v "$here/lib/standin_go.py:/usr/lib/python3/dist-packages/standin_go.py:ro" --entrypoint /usr/bin/python3)
fi

cleanup() {
    docker rm -f "$name" "$name-2" >/dev/null 2>&1 || true
    docker network rm "$net" >/dev/null 2>&1 || true
    docker volume rm "$vol" "$vol2" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

indent() { while IFS= read -r line; do printf '   %s\n' "$line"; done; }
fail() { echo "FAIL: $*" >&2; docker logs --tail 30 "$name" >&2 2>/dev/null || true; exit 1; }

# jaeger [docker run options ...] -- [jaeger arguments ...]: a container of the image (foreground, removed).
jaeger() {
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    docker run "${opts[@]}" "${args[@]}" "$image" ${args:+-IB /opt/jaeger.py} "$@"
}

mkdir -p "$tmp/cfg" "$tmp/bad"
cp "$here/jaeger-standin/selftest.yaml" "$tmp/cfg/config.yaml"
sed 's/trace_storage: main/trace_storage: other/' "$here/jaeger-standin/selftest.yaml" > "$tmp/bad/storage.yaml"
{ cat "$here/jaeger-standin/selftest.yaml"; echo "unknown_section: {}"; } > "$tmp/bad/toplevel.yaml"
sed 's/spans: 168h/spans: 7d/' "$here/jaeger-standin/selftest.yaml" > "$tmp/bad/ttl.yaml"
sed 's/^service:$/service: [/' "$here/jaeger-standin/selftest.yaml" > "$tmp/bad/yaml.yaml"
chmod -R a+rX "$tmp"

# 1. validate
check_opts=(--rm --network none --read-only --cap-drop ALL)
out=$(jaeger "${check_opts[@]}" -v "$tmp/cfg:/etc/jaeger:ro" -- validate --config=/etc/jaeger/config.yaml 2>&1) \
    || fail "validate rejected selftest.yaml: $out"
echo "1. ok: validate --config=/etc/jaeger/config.yaml exits 0"
for case in "storage:storage 'other' not declared in 'jaeger_storage' extension configuration" \
            "toplevel:'' has invalid keys: unknown_section" \
            "ttl:time: invalid duration \"7d\"" \
            "yaml:cannot be used as a Conf"; do
    file=${case%%:*} want=${case#*:}
    if out=$(jaeger "${check_opts[@]}" -v "$tmp/bad:/etc/jaeger:ro" -- validate --config="/etc/jaeger/$file.yaml" 2>&1); then
        fail "validate accepted bad/$file.yaml"
    fi
    grep -qF -- "$want" <<<"$out" || fail "validate bad/$file.yaml: expected '$want' in: $out"
    echo "   ok: validate rejects bad/$file.yaml: $(grep -m1 -F -- "$want" <<<"$out")"
done

# 2. refusals
if out=$(jaeger --rm --network none -- --config=/etc/jaeger/config.yaml 2>&1); then fail "started without a config"; fi
grep -q "unable to read the file file:/etc/jaeger/config.yaml: open /etc/jaeger/config.yaml: no such file or directory" \
    <<<"$out" || fail "missing config: $out"
echo "2. ok: no mounted config -> exit 1: $(grep -m1 '^Error:' <<<"$out")"
if out=$(jaeger --rm --network none -- 2>&1); then fail "started without --config"; fi
echo "   ok: no --config -> exit 1: $(grep -m1 '^Error:' <<<"$out")"
docker volume create "$vol2" >/dev/null
if out=$(jaeger --rm --network none --read-only --cap-drop ALL -v "$vol2:/badger" -v "$tmp/cfg:/etc/jaeger:ro" \
        -- --config=/etc/jaeger/config.yaml 2>&1); then
    fail "started on a root-owned badger volume"
fi
grep -q 'Error Creating Dir: "/badger/keys" error: mkdir /badger/keys: permission denied' <<<"$out" \
    || fail "root-owned volume: $out"
grep -q "must be writable by UID 10001" <<<"$out" || fail "root-owned volume, no hint: $out"
echo "   ok: root-owned /badger volume -> exit 1: $(grep -m1 '^Error:' <<<"$out" | sed 's/.*failed to initialize/... failed to initialize/')"

# 3. run it on a volume owned by 10001, as the role prepares it
docker network create "$net" >/dev/null
docker volume create "$vol" >/dev/null
docker run --rm --user 0 --network none -v "$vol:/badger" --entrypoint /bin/chown "$image" 10001:10001 /badger
start() {
    docker run -d --name "$name" --network "$net" --read-only --cap-drop ALL -v "$vol:/badger" \
        -v "$tmp/cfg:/etc/jaeger:ro" "${args[@]}" "$image" ${args:+-IB /opt/jaeger.py} \
        --config=/etc/jaeger/config.yaml >/dev/null
}
client() {
    docker run --rm --network "$net" -v "$here/jaeger-standin/e2e-client.py:/e2e-client.py:ro" \
        --entrypoint /usr/bin/python3 "$image" /e2e-client.py "$@"
}
start
[ "$(docker exec "$name" id -u)" = 10001 ] || fail "not running as 10001"
out=$(client send "$name" "$run") || fail "client: $out"
indent <<<"$out"
read -r _ proto_tid json_tid < <(grep '^TRACES ' <<<"$out")
echo "3. ok: /status, OTLP protobuf + JSON accepted and queried back (running as UID 10001)"

# 4. on the volume, and after a restart
lines=$(docker exec "$name" cat /badger/values/standin-spans.jsonl | wc -l)
owner=$(docker exec "$name" stat -c %u /badger/values/standin-spans.jsonl)
{ [ "$lines" = 3 ] && [ "$owner" = 10001 ]; } || fail "values directory: $lines lines, owner $owner"
docker exec "$name" ls -ln /badger/keys /badger/values | indent
docker restart "$name" >/dev/null
out=$(client check "$name" "$run" "$proto_tid" "$json_tid") || fail "after restart: $out"
echo "4. ok: 3 spans in /badger/values/standin-spans.jsonl (owner 10001); after docker restart still found:"
indent <<<"$out"

# 5. the lock, the stop
if out=$(docker run --name "$name-2" --network "$net" --read-only --cap-drop ALL -v "$vol:/badger" \
        -v "$tmp/cfg:/etc/jaeger:ro" "${args[@]}" "$image" ${args:+-IB /opt/jaeger.py} \
        --config=/etc/jaeger/config.yaml 2>&1); then
    fail "a second instance started on the same volume"
fi
grep -q "Cannot acquire directory lock" <<<"$out" || fail "second instance: $out"
echo "5. ok: a second instance on the same volume -> exit 1 (directory lock)"
t=$SECONDS
docker stop "$name" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "docker stop: exit $code"
logs=$(docker logs "$name" 2>&1)
grep -q "Shutdown complete." <<<"$logs" || fail "no 'Shutdown complete.' in the log"
echo "   ok: docker stop -> exit 0 in $((SECONDS - t))s, 'Shutdown complete.' logged"
echo "all checks passed"

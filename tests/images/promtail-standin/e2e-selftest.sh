#!/usr/bin/env bash
# End-to-end check of the promtail and loki stand-ins on the local Docker engine (not run by the test
# suite; see README.md, "promtail-standin"):
#   tests/images/promtail-standin/e2e-selftest.sh            # the built images, as they are
#   tests/images/promtail-standin/e2e-selftest.sh --checkout # the built images running this checkout's scripts
#                                                            # (and its lib/standin_go.py)
# It starts, on a network and volumes of its own, the Loki stand-in, the Promtail stand-in (reading the
# engine's socket read-only, keeping only containers labelled standin-e2e=<run>) and an application
# container printing structlog-style JSON lines, then checks through Loki's HTTP API that:
#   1. the lines arrive with container_name, service, level, logger labels and without request_id;
#   2. restarting Promtail resends nothing that Loki keeps twice (and the positions file has the cursor);
#   3. restarting Loki keeps the entries;
#   4. a line filter selects, and a parser stage is refused with 400.
# Everything it started is removed at the end.  Needs docker, curl and python3.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
loki_image=${LOKI_IMAGE:-localhost/proxy-obs/loki-standin:3.7.6}
promtail_image=${PROMTAIL_IMAGE:-localhost/proxy-obs/promtail-standin:3.6.11}
run=e2e$$
net=standin-$run loki=standin-$run-loki promtail=standin-$run-promtail app=standin-$run-app
tmp=$(mktemp -d)
loki_args=() promtail_args=()
if [ "${1:-}" = --checkout ]; then
    # The shared helpers over the image's copy (beside PyYAML, on the path of python3 -IB).
    shared=(-v "$here/lib/standin_go.py:/usr/lib/python3/dist-packages/standin_go.py:ro")
    loki_args=(-v "$here/loki-standin/loki.py:/opt/loki.py:ro" "${shared[@]}" --entrypoint /usr/bin/python3)
    promtail_args=(-v "$here/promtail-standin/promtail.py:/opt/promtail.py:ro" "${shared[@]}" --entrypoint /usr/bin/python3)
fi

cleanup() {
    docker rm -f "$app" "$promtail" "$loki" >/dev/null 2>&1 || true
    docker network rm "$net" >/dev/null 2>&1 || true
    docker volume rm "$loki" "$promtail" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; docker logs --tail 20 "$promtail" >&2 || true; docker logs --tail 20 "$loki" >&2 || true; exit 1; }

mkdir -p "$tmp/loki" "$tmp/promtail"
cat > "$tmp/loki/local-config.yaml" <<'EOF'
auth_enabled: false
server: {http_listen_port: 3100}
common:
  path_prefix: /loki
  replication_factor: 1
  ring: {kvstore: {store: inmemory}}
  storage: {filesystem: {chunks_directory: /loki/chunks, rules_directory: /loki/rules}}
schema_config:
  configs:
    - {from: "2024-01-01", store: tsdb, object_store: filesystem, schema: v13, index: {prefix: index_, period: 24h}}
compactor: {working_directory: /loki/compactor, retention_enabled: true, delete_request_store: filesystem}
limits_config: {reject_old_samples: true, reject_old_samples_max_age: 168h, retention_period: 336h}
EOF
# What the promtail_config filter renders, with a label filter so that only this run's container is read.
cat > "$tmp/promtail/config.yml" <<EOF
server: {http_listen_port: 9080, grpc_listen_port: 0, health_check_target: false}
positions: {filename: /var/lib/promtail/positions.yaml}
clients: [{url: "http://$loki:3100/loki/api/v1/push"}]
scrape_configs:
  - job_name: docker
    docker_sd_configs:
      - {host: "unix:///var/run/docker.sock", refresh_interval: 2s, filters: [{name: label, values: ["standin-e2e=$run"]}]}
    relabel_configs:
      - {source_labels: [__meta_docker_container_name], regex: "/(.*)", target_label: container_name}
      - {source_labels: [__meta_docker_container_label_com_docker_compose_service], regex: "(.+)", target_label: service}
      - {source_labels: [__meta_docker_container_log_stream], target_label: stream}
      - {target_label: host, replacement: app1}
    pipeline_stages:
      - json: {expressions: {timestamp: timestamp, level: level, logger: logger}, drop_malformed: false}
      - labels: {level: level, logger: logger}
      - timestamp: {source: timestamp, format: RFC3339Nano, action_on_failure: skip}
EOF
chmod -R a+rX "$tmp"

docker network create "$net" >/dev/null
docker volume create "$loki" >/dev/null
docker volume create "$promtail" >/dev/null
start_loki() {
    docker run -d --name "$loki" --network "$net" --read-only --cap-drop ALL -v "$loki:/loki" \
        -v "$tmp/loki:/etc/loki:ro" "${loki_args[@]}" "$loki_image" \
        ${loki_args:+-IB /opt/loki.py} -config.file=/etc/loki/local-config.yaml >/dev/null
}
start_promtail() {
    docker run -d --name "$promtail" --network "$net" --read-only --cap-drop ALL \
        -v /var/run/docker.sock:/var/run/docker.sock:ro -v "$promtail:/var/lib/promtail" \
        -v "$tmp/promtail:/etc/promtail:ro" "${promtail_args[@]}" "$promtail_image" \
        ${promtail_args:+-IB /opt/promtail.py} -config.file=/etc/promtail/config.yml >/dev/null
}
start_loki
start_promtail
docker run -d --name "$app" --network "$net" --label "standin-e2e=$run" --label com.docker.compose.service=backend \
    --entrypoint /bin/sh "$promtail_image" -c '
    i=0; while [ $i -lt 20 ]; do
      echo "{\"event\": \"request $i\", \"level\": \"info\", \"logger\": \"api\", \"request_id\": \"r-$i\", \"timestamp\": \"$(date -u +%Y-%m-%dT%H:%M:%S.000001Z)\"}"
      i=$((i+1)); sleep 0.2; done
    echo "{\"event\": \"boom\", \"level\": \"error\", \"logger\": \"api\", \"request_id\": \"r-x\"}"
    echo "Traceback (most recent call last):" >&2
    sleep 3600' >/dev/null

# Loki's HTTP API, asked from inside the network with the Loki image's own python
api() {
    docker run --rm --network "$net" --entrypoint /usr/bin/python3 "$loki_image" -c '
import sys, urllib.request, urllib.parse, urllib.error
url = "http://'"$loki"':3100" + sys.argv[1] + "?" + urllib.parse.urlencode(list(zip(sys.argv[2::2], sys.argv[3::2])))
try:
    print(urllib.request.urlopen(url).read().decode())
except urllib.error.HTTPError as e:
    print("HTTP %d %s" % (e.code, e.read().decode()))' "$@"
}
entries() {   # query -> "count distinct"
    api /loki/api/v1/query_range query "$1" limit 1000 since 1h | python3 -c '
import sys, json
vals = [tuple(v) for s in json.load(sys.stdin)["data"]["result"] for v in s["values"]]
print(len(vals), len(set(vals)))'
}

sel="{container_name=\"$app\"}"
for _ in $(seq 30); do [ "$(entries "$sel")" = "22 22" ] && break; sleep 1; done
[ "$(entries "$sel")" = "22 22" ] || fail "expected 22 entries, got $(entries "$sel")"
streams=$(api /loki/api/v1/query_range query "$sel" limit 1000 since 1h)
python3 -c '
import sys, json
result = json.loads(sys.argv[1])["data"]["result"]
by = {(s["stream"]["stream"], s["stream"].get("level")): s for s in result}
s = by[("stdout", "info")]["stream"]
assert s["container_name"] == sys.argv[2] and s["service"] == "backend" and s["logger"] == "api", s
assert s["host"] == "app1" and s["service_name"] == "backend", s
assert all("request_id" not in x["stream"] for x in result), result
assert len(by[("stdout", "info")]["values"]) == 20 and ("stdout", "error") in by and ("stderr", None) in by, by.keys()
print("1. ok: 22 entries; labels of the info stream:", json.dumps(s, sort_keys=True))' "$streams" "$app" || fail "labels"

docker restart "$promtail" >/dev/null
sleep 8
[ "$(entries "$sel")" = "22 22" ] || fail "after restarting promtail: $(entries "$sel")"
docker exec "$promtail" cat /var/lib/promtail/positions.yaml | grep -q "cursor-$(docker inspect -f '{{.Id}}' "$app")" \
    || fail "no cursor in the positions file"
echo "2. ok: promtail restarted, still 22 distinct entries, positions file has cursor-<container id>"

docker restart "$loki" >/dev/null
sleep 3
[ "$(entries "$sel")" = "22 22" ] || fail "after restarting loki: $(entries "$sel")"
echo "3. ok: loki restarted, 22 entries still there"

[ "$(entries "$sel |= \"request 1\" != \"request 1\\\"\"")" = "10 10" ] || fail "line filter"
api /loki/api/v1/query_range query "$sel | json" | grep -q "^HTTP 400 test stand-in" || fail "| json was not refused"
echo "4. ok: |= \"request 1\" != 'request 1\"' selects 10 (request 10..19); | json answers 400"
echo "all checks passed"

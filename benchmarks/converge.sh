#!/usr/bin/env bash
# Converge timings of the metrics stack on one fresh systemd test host (prints figures; asserts nothing).
#
#   benchmarks/converge.sh
#
# Targets (issue 3): with the images present, a first converge of Prometheus + Alertmanager + node-exporter in
# <= 90 s and an idempotent converge in <= 25 s with changed=0 (prometheus.prometheus: 55.8 s idempotent here).
# Then the render benchmark for 5,000 targets in 50 jobs (benchmarks/render_config.py).
source "$(dirname "$0")/../scripts/lib.sh"
ensure_venv
ensure_collection_link
ensure_docker
ensure_local_images
host=proxy-obs-bench
docker rm -f "$host" >/dev/null 2>&1 || true
docker volume rm "$host-docker" >/dev/null 2>&1 || true
ensure_test_host "$host"
trap 'docker rm -f "$host" >/dev/null 2>&1; docker volume rm "$host-docker" >/dev/null 2>&1' EXIT

inventory=$(mktemp -d)/hosts.yml
cat >"$inventory" <<YAML
all:
  hosts:
    $host: {observability_components: [prometheus, alertmanager, node_exporter]}
  vars:
    ansible_connection: community.docker.docker
    docker_host_network_subnet: 172.30.0.0/24
    alertmanager_config:
      route: {receiver: default}
      receivers: [{name: default, webhook_configs: [{url: "http://127.0.0.1:9/"}]}]
YAML
vars=(-e "@$IMAGES_DIR/local-images.yml")
cd "$ROOT" || exit 1

log "installing Docker and loading the images on $host (not timed: 'with images present')"
if ! ansible-playbook -i "$inventory" proxy_agent.observability.site "${vars[@]}" --tags docker_host >"$CACHE/bench-prepare.log"; then
  grep -E -A6 'fatal|FAILED' "$CACHE/bench-prepare.log" >&2
  die "preparing $host failed (log: .cache/bench-prepare.log)"
fi

run() {  # label
  local start end out
  start=$(date +%s.%N)
  out=$(ansible-playbook -i "$inventory" proxy_agent.observability.site "${vars[@]}")
  end=$(date +%s.%N)
  printf '%-32s %6.1f s   %s\n' "$1" "$(python3 -c "print($end - $start)")" \
    "$(grep -E "^$host" <<<"$out" | sed -E 's/ +/ /g; s/^[^:]*: //' | cut -d' ' -f1-4)"
}
echo "metrics stack (prometheus, alertmanager, node_exporter) on one test host:"
run "first converge (images present)"
run "idempotent converge"
echo
python "$ROOT/benchmarks/render_config.py" --promtool

#!/usr/bin/env bash
# A 3-node ember-node cluster of processes on this machine, for trying
# things out: client ports 7001-7003 (cluster ports +10000, gossip +20000).
#
#   scripts/cluster-local.sh up       build, start 3 nodes, wait, print status
#   scripts/cluster-local.sh status   ember-node status
#   scripts/cluster-local.sh down     stop the nodes (data kept in .cluster-local/)
#   scripts/cluster-local.sh clean    stop and delete the data
#
# Knobs: SHARDS (16), REPLICAS (3), BASE (7000).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARDS=${SHARDS:-16}
REPLICAS=${REPLICAS:-3}
BASE=${BASE:-7000}
dir=.cluster-local
bin=$dir/ember-node

running() { [ -f "$dir/n$1.pid" ] && kill -0 "$(cat "$dir/n$1.pid")" 2>/dev/null; }

start() { # start N [flags...]
  local n=$1; shift
  if running "$n"; then echo "node $n already running (pid $(cat "$dir/n$n.pid"))"; return; fi
  "$bin" --port $((BASE + n)) --data-dir "$dir/n$n" --shards "$SHARDS" --replicas "$REPLICAS" "$@" \
    >>"$dir/n$n.log" 2>&1 &
  echo $! >"$dir/n$n.pid"
  echo "node $n: 127.0.0.1:$((BASE + n)) (pid $!, log $dir/n$n.log)"
}

wait_serving() {
  for _ in $(seq 300); do
    "$bin" health --node "127.0.0.1:$1" >/dev/null 2>&1 && return
    sleep 0.2
  done
  echo "node on port $1 did not come up" >&2
  exit 1
}

case "${1:-}" in
up)
  mkdir -p "$dir"
  go build -o "$bin" ./cmd/ember-node
  start 1
  wait_serving $((BASE + 1))
  # Node 1 generated the cluster secret in its data dir; the joiners
  # are given it (unless EMBER_CLUSTER_SECRET gives all three one).
  secret=()
  [ -n "${EMBER_CLUSTER_SECRET:-}" ] || secret=(--cluster-secret-file "$dir/n1/cluster-secret")
  start 2 --join 127.0.0.1:$((BASE + 1)) "${secret[@]}"
  start 3 --join 127.0.0.1:$((BASE + 1)) "${secret[@]}"
  wait_serving $((BASE + 2))
  wait_serving $((BASE + 3))
  for n in 2 3; do "$bin" join --node 127.0.0.1:$((BASE + n)) 127.0.0.1:$((BASE + 1)); done
  "$bin" status --node 127.0.0.1:$((BASE + 1))
  echo "try: redis-cli -c -p $((BASE + 1))"
  ;;
status)
  "$bin" status --node 127.0.0.1:$((BASE + 1))
  ;;
down | clean)
  for n in 1 2 3 4; do
    if running "$n"; then kill "$(cat "$dir/n$n.pid")"; fi
    rm -f "$dir/n$n.pid"
  done
  if [ "$1" = clean ]; then rm -rf "$dir"; fi
  ;;
*)
  echo "usage: $0 up|status|down|clean" >&2
  exit 2
  ;;
esac

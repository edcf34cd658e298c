#!/usr/bin/env bash
# Measures a 3-node ember-node cluster of local processes: the time for a
# 4th node to join while the cluster holds KEYS keys (64-byte values), and
# GET/SET throughput with redis-benchmark --cluster (-P 16).
#
# Knobs: KEYS (1000000), N (500000 requests per benchmark), SHARDS (16),
# BASE (a free port base; nodes use BASE+1..BASE+4 and +10000/+20000).
set -euo pipefail
KEYS=${KEYS:-1000000}
N=${N:-500000}
SHARDS=${SHARDS:-16}
BASE=${BASE:-7400}
cd "$(dirname "$0")/.."
for bin in redis-benchmark redis-cli; do
  command -v "$bin" >/dev/null || { echo "bench-cluster: $bin not found (scripts/deps.sh)" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Every node shares one cluster secret (peers authenticate with it).
export EMBER_CLUSTER_SECRET=${EMBER_CLUSTER_SECRET:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
go build -o "$work/ember-node" ./cmd/ember-node
go build -o "$work/loadkeys" ./rpc/difftest/cmd/loadkeys
node() { # node N [flags...]
  local n=$1; shift
  "$work/ember-node" --port $((BASE + n)) --data-dir "$work/n$n" --shards "$SHARDS" "$@" >"$work/n$n.log" 2>&1 &
  pids+=($!)
}
wait_ping() { for _ in $(seq 600); do [ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return; sleep 0.1; done; echo "no PONG on $1" >&2; exit 1; }
secs() { date +%s.%N; }

node 1
wait_ping $((BASE + 1))
echo "loading $KEYS keys into node 1 (alone, all shards)"
"$work/loadkeys" -addr 127.0.0.1:$((BASE + 1)) -n "$KEYS" -size 64
t0=$(secs)
node 2 --join 127.0.0.1:$((BASE + 1))
node 3 --join 127.0.0.1:$((BASE + 1))
wait_ping $((BASE + 2))
wait_ping $((BASE + 3))
"$work/ember-node" join --node 127.0.0.1:$((BASE + 2)) 127.0.0.1:$((BASE + 1)) --timeout 10m >/dev/null
"$work/ember-node" join --node 127.0.0.1:$((BASE + 3)) 127.0.0.1:$((BASE + 1)) --timeout 10m >/dev/null
t1=$(secs)
printf 'nodes 2 and 3 joined (replicating %s keys): %.1f s\n' "$KEYS" "$(awk "BEGIN{print $t1 - $t0}")"
t0=$(secs)
node 4 --join 127.0.0.1:$((BASE + 1))
wait_ping $((BASE + 4))
"$work/ember-node" join --node 127.0.0.1:$((BASE + 4)) 127.0.0.1:$((BASE + 1)) --timeout 10m >/dev/null
t1=$(secs)
printf '4th node joined a cluster holding %s keys: %.1f s\n' "$KEYS" "$(awk "BEGIN{print $t1 - $t0}")"
"$work/ember-node" leave --node 127.0.0.1:$((BASE + 4)) --timeout 10m >/dev/null
echo "4th node left"
sleep 2
for t in set get; do
  redis-benchmark -p $((BASE + 1)) --cluster -t "$t" -d 64 -r 1000000 -n "$N" -c 50 -P 16 -q 2>/dev/null |
    tr '\r' '\n' | grep -E 'requests per second' | tail -1 | sed "s/^/3-node cluster, P16: /"
done
"$work/ember-node" status --node 127.0.0.1:$((BASE + 1)) | head -8

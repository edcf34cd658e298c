#!/usr/bin/env bash
# Benchmarks one ember-node against one redis-server on this machine:
# throughput with redis-benchmark (median of RUNS runs, pipeline 1 and 16)
# and memory per key after loading 1,000,000 64-byte string values.
#
# Knobs (environment): N requests per run (200000), RUNS (3), CLIENTS (50),
# TESTS (set,get,lpush,zadd: redis-benchmark -t names), KEYS for the memory
# test (1000000), SKIP_MEMORY=1, SKIP_THROUGHPUT=1.
# Needs redis-server, redis-cli and redis-benchmark (scripts/deps.sh).
set -euo pipefail

N=${N:-200000}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-set,get,lpush,zadd}
KEYS=${KEYS:-1000000}
PIPELINES=${PIPELINES:-"1 16"}
# EMBER_ARGS adds flags to ember-node, e.g. "--store memory" or "--fsync always".
EMBER_ARGS=${EMBER_ARGS:-}
# PIN=1 (the default where taskset exists and there are two CPUs or more)
# gives both servers the last CPU and redis-benchmark the others, as Redis's
# benchmark guide advises: otherwise the client and the server share cores
# and the comparison measures the scheduler. Redis uses one core for
# commands; ember-node gets one too (Go sizes GOMAXPROCS from the affinity
# mask). PIN=0 lets them float.
PIN=${PIN:-1}
server_cpu=() client_cpu=()
ncpu=$(nproc 2>/dev/null || echo 1)
if [ "$PIN" = 1 ] && [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c $((ncpu - 1)))
  client_cpu=(taskset -c "0-$((ncpu - 2))")
fi

cd "$(dirname "$0")/.."
for bin in redis-server redis-cli redis-benchmark; do
  command -v "$bin" >/dev/null || { echo "bench: $bin not found (run scripts/deps.sh)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "bench: building" >&2
go build -o bin/ember-node ./cmd/ember-node
go build -o "$work/loadkeys" ./rpc/difftest/cmd/loadkeys

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a free port whose +10000 and +20000 (ember-node's
# cluster and gossip defaults) are free too.
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 25000))
    if port_free "$p" && port_free $((p + 10000)) && port_free $((p + 20000)); then
      echo "$p"
      return
    fi
  done
  echo "bench: no free port" >&2
  exit 1
}

# wait_ping PORT PID LOG waits until the server answers PING.
wait_ping() {
  for _ in $(seq 600); do
    if [ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ]; then return; fi
    if ! kill -0 "$2" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "bench: server on port $1 did not answer PING; its log:" >&2
  tail -20 "$3" >&2
  exit 1
}

# start_ember and start_redis set EPORT/EPID and RPORT/RPID.
start_ember() {
  EPORT=$(free_port)
  local dir="$work/ember-$EPORT"
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # EMBER_ARGS is a list of flags
  "${server_cpu[@]}" bin/ember-node serve --port "$EPORT" --data-dir "$dir" --log-level info $EMBER_ARGS >"$dir.log" 2>&1 &
  EPID=$!
  pids+=("$EPID")
  wait_ping "$EPORT" "$EPID" "$dir.log"
}

start_redis() {
  RPORT=$(free_port)
  local dir="$work/redis-$RPORT"
  mkdir -p "$dir"
  "${server_cpu[@]}" redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir.log" 2>&1 &
  RPID=$!
  pids+=("$RPID")
  wait_ping "$RPORT" "$RPID" "$dir.log"
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print 0; else print a[int((NR+1)/2)]}'; }

# bench PORT PIPELINE OUT appends "TEST rps" lines for every test.
bench() {
  "${client_cpu[@]}" redis-benchmark -p "$1" -c "$CLIENTS" -n "$N" -r 100000 -d 64 -P "$2" -t "$TESTS" --csv -q 2>/dev/null |
    awk -F'"' 'NR > 1 && $2 != "" {print $2, $4}' >>"$3"
}

throughput() {
  start_ember
  start_redis
  echo "bench: ember-node on $EPORT, redis-server on $RPORT; $RUNS runs of $N requests, $CLIENTS clients, tests $TESTS; servers on CPU ${server_cpu[2]:-any}, client on ${client_cpu[2]:-any}" >&2
  for run in $(seq "$RUNS"); do
    for p in $PIPELINES; do
      echo "bench: run $run, pipeline $p" >&2
      redis-cli -p "$EPORT" FLUSHALL >/dev/null
      redis-cli -p "$RPORT" FLUSHALL >/dev/null
      bench "$EPORT" "$p" "$work/ember-P$p"
      bench "$RPORT" "$p" "$work/redis-P$p"
    done
  done
  printf '\n%-8s %8s %14s %14s %12s\n' test pipeline "ember rps" "redis rps" "ember/redis"
  for p in $PIPELINES; do
    for t in $(awk '{print $1}' "$work/redis-P$p" | awk '!seen[$0]++'); do
      e=$(awk -v t="$t" '$1 == t {print $2}' "$work/ember-P$p" | median)
      r=$(awk -v t="$t" '$1 == t {print $2}' "$work/redis-P$p" | median)
      awk -v t="$t" -v p="$p" -v e="$e" -v r="$r" \
        'BEGIN {printf "%-8s %8s %14.0f %14.0f %12.2f\n", t, p, e, r, (r > 0 ? e / r : 0)}'
    done
  done
  stop "$EPID"
  stop "$RPID"
}

rss_bytes() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$1/status"; }
used_memory() { redis-cli -p "$1" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'; }

# memory_of NAME PORT PID prints "NAME keys rss_delta used_memory_delta used_memory".
memory_of() {
  redis-cli -p "$2" FLUSHALL >/dev/null
  sleep 1
  local rss0 used0 rss1 used1 keys
  rss0=$(rss_bytes "$3")
  used0=$(used_memory "$2")
  "$work/loadkeys" -addr "127.0.0.1:$2" -n "$KEYS" -size 64
  sleep 1
  rss1=$(rss_bytes "$3")
  used1=$(used_memory "$2")
  keys=$(redis-cli -p "$2" DBSIZE)
  echo "$1 $keys $((rss1 - rss0)) $((used1 - used0)) $used1"
}

memory() {
  # Fresh processes: a server that has just run the benchmarks holds on
  # to memory it freed, which would hide part of the load's growth.
  start_ember
  start_redis
  echo "bench: loading $KEYS keys of 64 bytes into each" >&2
  local e r
  e=$(memory_of ember "$EPORT" "$EPID")
  r=$(memory_of redis "$RPORT" "$RPID")
  printf '\n%-12s %10s %18s %24s %14s\n' server keys "VmRSS growth/key" "used_memory growth/key" "used_memory"
  for line in "$e" "$r"; do
    echo "$line" | awk '{printf "%-12s %10d %18.1f %24.1f %14d\n", $1, $2, ($2 > 0 ? $3 / $2 : 0), ($2 > 0 ? $4 / $2 : 0), $5}'
  done
  echo "$e $r" | awk '{
    er = ($2 > 0 ? $3 / $2 : 0); rr = ($7 > 0 ? $8 / $7 : 0)
    eu = ($2 > 0 ? $4 / $2 : 0); ru = ($7 > 0 ? $9 / $7 : 0)
    printf "%-12s %10s %18.2f %24.2f %14.2f\n", "ember/redis", "", (rr > 0 ? er / rr : 0), (ru > 0 ? eu / ru : 0), ($10 > 0 ? $5 / $10 : 0)}'
  stop "$EPID"
  stop "$RPID"
}

[ "${SKIP_THROUGHPUT:-}" = 1 ] || throughput
[ "${SKIP_MEMORY:-}" = 1 ] || memory

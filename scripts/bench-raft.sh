#!/usr/bin/env bash
# Benchmarks ember-node's Raft store on this machine, against redis-server
# set up with comparable durability:
#   1. SET throughput (redis-benchmark -t set -d 64 -r 1000000 -c 50, at
#      -P 16 and -P 1; median of RUNS runs) for --fsync always|everysec|no
#      on a fresh 16-shard node, and redis-server without persistence and
#      with appendfsync always / everysec; ratios ember / redis.
#   2. The write stall of a snapshot: 1,000,000 keys in one shard
#      (--shards 1), then a client doing one SET at a time (stallprobe)
#      without a snapshot, during the first BGSAVE (which also compacts the
#      Raft log the load left) and during a second BGSAVE; redis-server's
#      BGSAVE (fork) for comparison.
#   3. Memory per key with 1,000,000 keys: VmRSS (and its anonymous part)
#      and INFO used_memory, before and after the load.
#
# Environment: N (requests per run; default: sized so one run takes about
# BENCH_SECS seconds, measured by a short calibration run), BENCH_SECS (2),
# RUNS (3), KEYS (1000000), PORTS (loopback ports to pick free ones from;
# default 7140-7149). Needs go, redis-server, redis-cli, redis-benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
BENCH_SECS=${BENCH_SECS:-2}
KEYS=${KEYS:-1000000}
read -r PORT_LO PORT_HI <<<"$(echo "${PORTS:-7140-7149}" | tr '-' ' ')"

WORK=$(mktemp -d /tmp/bench-raft.XXXXXX)
PID="" # the one server running, if any
cleanup() {
  if [ -n "$PID" ]; then
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "bench-raft: $tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

echo "building ember-node and stallprobe..."
go build -o "$WORK/ember-node" ./cmd/ember-node
go build -o "$WORK/stallprobe" ./scripts/stallprobe

# free_ports N: N loopback ports in PORTS that nothing listens on.
free_ports() {
  local want=$1 p out=()
  for ((p = PORT_LO; p <= PORT_HI && ${#out[@]} < want; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then out+=("$p"); fi
  done
  [ "${#out[@]}" -eq "$want" ] || { echo "bench-raft: no $want free ports in $PORT_LO-$PORT_HI" >&2; exit 1; }
  echo "${out[@]}"
}

# start_ember NAME FLAGS...: a fresh node; sets PORT and PID.
start_ember() {
  local name=$1 ports cport gport
  shift
  ports=$(free_ports 3)
  read -r PORT cport gport <<<"$ports"
  mkdir -p "$WORK/$name"
  "$WORK/ember-node" serve --port "$PORT" --cluster-port "$cport" --gossip-port "$gport" \
    --data-dir "$WORK/$name/data" --log-level warn "$@" >"$WORK/$name/log" 2>&1 &
  PID=$!
  wait_ready "$name"
}

# start_redis NAME FLAGS...: a fresh redis-server; sets PORT and PID.
start_redis() {
  local name=$1
  shift
  PORT=$(free_ports 1)
  mkdir -p "$WORK/$name"
  redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK/$name" --save "" "$@" >"$WORK/$name/log" 2>&1 &
  PID=$!
  wait_ready "$name"
}

wait_ready() {
  local i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$PID" 2>/dev/null || { echo "bench-raft: $1 exited:" >&2; tail -5 "$WORK/$1/log" >&2; exit 1; }
    [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = "PONG" ] && return 0
    sleep 0.1
  done
  echo "bench-raft: $1 not ready after 60s" >&2
  exit 1
}

stop() {
  kill -TERM "$PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
}

# rps P N: one redis-benchmark run against PORT; prints requests/second.
rps() {
  timeout 300 redis-benchmark -p "$PORT" -t set -d 64 -r 1000000 -n "$2" -c 50 -P "$1" -q 2>/dev/null |
    tr '\r' '\n' | awk '/requests per second/ {v = $2} END {if (v == "") exit 1; print v}'
}

# median_rps P: the median of RUNS runs, N requests each (or sized by a
# calibration run to take about BENCH_SECS).
median_rps() {
  local p=$1 n=${N:-} i
  if [ -z "$n" ]; then
    local cal
    cal=$(rps "$p" $((p * 500 + 1500)))
    n=$(awk -v r="$cal" -v s="$BENCH_SECS" 'BEGIN {n = int(r * s); if (n < 2000) n = 2000; if (n > 2000000) n = 2000000; print n}')
  fi
  for ((i = 0; i < RUNS; i++)); do rps "$p" "$n"; done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

# throughput NAME: median rps at -P 16 and -P 1 into TP16[NAME], TP1[NAME].
declare -A TP16 TP1
throughput() {
  TP16[$1]=$(median_rps 16)
  TP1[$1]=$(median_rps 1)
  printf '  %-34s -P16 %12s   -P1 %10s\n' "$1" "${TP16[$1]}" "${TP1[$1]}"
}

echo
echo "== 1. SET throughput (redis-benchmark -t set -d 64 -r 1000000 -c 50; median of $RUNS runs)"
for fs in always everysec no; do
  start_ember "ember-$fs" --shards 16 --fsync "$fs"
  throughput "ember raft --fsync $fs"
  stop
done
start_redis redis-aof-always --appendonly yes --appendfsync always
throughput "redis aof appendfsync always"
stop
start_redis redis-aof-everysec --appendonly yes --appendfsync everysec
throughput "redis aof appendfsync everysec"
stop
start_redis redis-nopersist --appendonly no
throughput "redis no persistence"
stop

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
printf '%-32s %12s %12s   %-32s %8s %8s\n' "ember-node (16 shards)" "-P16 rps" "-P1 rps" "vs redis-server" "-P16 x" "-P1 x"
for pair in "always:redis aof appendfsync always" "everysec:redis aof appendfsync everysec" "no:redis no persistence"; do
  fs=${pair%%:*} rd=${pair#*:}
  e="ember raft --fsync $fs"
  printf '%-32s %12s %12s   %-32s %8s %8s\n' "--fsync $fs" "${TP16[$e]}" "${TP1[$e]}" "$rd" \
    "$(ratio "${TP16[$e]}" "${TP16[$rd]}")" "$(ratio "${TP1[$e]}" "${TP1[$rd]}")"
done
printf '%-32s %12s %12s\n' "redis no persistence" "${TP16["redis no persistence"]}" "${TP1["redis no persistence"]}"

# mem_sample: "VmRSS_kB RssAnon_kB used_memory_bytes" of PID/PORT.
mem_sample() {
  local used
  used=$(redis-cli -p "$PORT" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}')
  awk -v u="$used" '/^VmRSS:/ {r = $2} /^RssAnon:/ {a = $2} END {print r, a, u}' "/proc/$PID/status"
}

# load_measured NAME: loads KEYS keys and records bytes per key in MEM[NAME].
declare -A MEM
load_measured() {
  local r0 a0 u0 r1 a1 u1
  read -r r0 a0 u0 <<<"$(mem_sample)"
  "$WORK/stallprobe" -addr "127.0.0.1:$PORT" -load "$KEYS" -d 64 | sed "s/^/  ($1) /"
  sleep 1
  read -r r1 a1 u1 <<<"$(mem_sample)"
  MEM[$1]=$(awk -v k="$KEYS" -v r="$((r1 - r0))" -v a="$((a1 - a0))" -v u="$((u1 - u0))" \
    'BEGIN {printf "%16.0f %16.0f %16.0f", r * 1024 / k, a * 1024 / k, u / k}')
}

# probe NAME ARGS...: one stallprobe run, as a table row in milliseconds.
probe() {
  "$WORK/stallprobe" -addr "127.0.0.1:$PORT" -keys "$KEYS" "${@:2}" | awk -v name="$1" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "  %-50s %7d %8.2f %8.2f %9.2f %9.1f %8.1f\n", name, v["samples"], v["p50_us"] / 1000,
      v["p99_us"] / 1000, v["p999_us"] / 1000, v["max_us"] / 1000, v["window_ms"] / 1000 }'
}

echo
echo "== 2. Write stall: one client, one SET at a time, $KEYS keys (64-byte values) in the server"
start_ember ember-stall --shards 1 --fsync everysec
load_measured "ember raft (--shards 1)"
printf '  %-50s %7s %8s %8s %9s %9s %8s\n' "" "SETs" "p50 ms" "p99 ms" "p99.9 ms" "max ms" "window s"
probe "ember --shards 1, no snapshot" -for 3s
probe "ember --shards 1, first BGSAVE (+ log compaction)" -bgsave -for 120s
probe "ember --shards 1, second BGSAVE" -bgsave -for 120s
stop
start_redis redis-stall --appendonly no
load_measured "redis-server"
probe "redis-server, no snapshot" -for 3s
probe "redis-server, BGSAVE (fork)" -bgsave -for 120s
stop
start_ember ember-memory --store memory
load_measured "ember --store memory"
stop

echo
echo "== 3. Memory per key with $KEYS keys (64-byte values), growth during the load / keys"
printf '  %-26s %16s %16s %16s\n' "" "VmRSS B/key" "RssAnon B/key" "used_memory/key"
for name in "ember raft (--shards 1)" "ember --store memory" "redis-server"; do
  printf '  %-26s %s\n' "$name" "${MEM[$name]}"
done

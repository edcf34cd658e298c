#!/usr/bin/env bash
# Where the time goes on ember-node's write path: starts one node or a
# 3-node cluster (local processes), drives redis-benchmark (SET by default,
# -c 50 -P 16 -d 64 -r 100000) at it, and meanwhile, on every node, for
# WINDOW seconds:
#   - commands per second (INFO stats), Raft log entries per second
#     appended to its logs (INFO raft: commit_index deltas summed over every
#     shard it holds), commands per entry, and CPU cores used (/proc), plus
#     the cluster-wide CPU time per command
#   - a CPU profile (--pprof), saved as OUT/nodeN.pprof with top lists
#     (OUT/nodeN.top, flat; OUT/nodeN.cum, cumulative)
#   - then, in a second window, syscalls by name (strace -c -f) per 1000
#     commands, on the nodes in STRACE_NODES (default: node 1)
# The probe slows what it measures a little (the profiler) or a lot
# (strace): rates are from the first window, syscall counts per command
# from the second.
#
# Raft entries are not bolt transactions: raft's leaderLoop may store
# several entries in one StoreLogs call, and a follower stores what one
# AppendEntries carries in one; count meta-page pwrites for those.
# With MODE=cluster SHARDS=1, redis-benchmark (which refuses a one-master
# cluster) loads the leader directly, without --cluster.
#
# Knobs: MODE (single|cluster), SHARDS (16), TEST (set), P (16), C (50),
# WINDOW (6), STRACE_NODES ("1"), EMBER_ARGS, BASE (7700: ports BASE+1..3,
# pprof BASE+51..53, and +10000/+20000), OUT (a dir to keep results;
# default a temp dir that is printed; an ember-node already in OUT is reused).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-single}
SHARDS=${SHARDS:-16}
TEST=${TEST:-set}
P=${P:-16}
C=${C:-50}
WINDOW=${WINDOW:-6}
EMBER_ARGS=${EMBER_ARGS:-}
BASE=${BASE:-7700}
OUT=${OUT:-$(mktemp -d /tmp/perf-probe.XXXXXX)}
mkdir -p "$OUT"
pids=()
bpid=""
# shellcheck source=scripts/lib/procs.sh
source scripts/lib/procs.sh
cleanup() {
  [ -n "$bpid" ] && kill "$bpid" 2>/dev/null || true
  stop_pids
  rm -rf "$OUT/data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '%s perf-probe: %s\n' "$(date +%T)" "$*" >&2; }

# Every node shares one cluster secret (peers authenticate with it).
export EMBER_CLUSTER_SECRET=${EMBER_CLUSTER_SECRET:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
[ -x "$OUT/ember-node" ] || go build -o "$OUT/ember-node" ./cmd/ember-node
EMBER=$OUT/ember-node
wait_ping() { for _ in $(seq 600); do [ "$(timeout 2 redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return; sleep 0.1; done; echo "no PONG on $1" >&2; exit 1; }

nodes=1
[ "$MODE" = cluster ] && nodes=3
for n in $(seq $nodes); do
  port=$((BASE + n))
  join=()
  [ "$n" -gt 1 ] && join=(--join "127.0.0.1:$((BASE + 1))")
  mkdir -p "$OUT/data/n$n"
  # shellcheck disable=SC2086
  "$EMBER" serve --port "$port" --data-dir "$OUT/data/n$n" --shards "$SHARDS" --log-level warn \
    --pprof "127.0.0.1:$((BASE + 50 + n))" $EMBER_ARGS "${join[@]}" >"$OUT/n$n.log" 2>&1 &
  pids+=($!)
  wait_ping "$port"
done
if [ "$MODE" = cluster ]; then
  for n in 2 3; do timeout 300 "$EMBER" join --node "127.0.0.1:$((BASE + n))" "127.0.0.1:$((BASE + 1))" --timeout 4m >/dev/null; done
  t0=$SECONDS
  while :; do
    st=$(timeout 20 "$EMBER" status --node "127.0.0.1:$((BASE + 1))" 2>/dev/null || true)
    awk -v s="$SHARDS" '$1 == "NODE" {f = 1; next} f && NF == 0 {f = 0}
      f && NF >= 5 {n++; if ($3 != "alive" || $5 != s) bad = 1; if (min == "" || $4 < min) min = $4; if ($4 > max) max = $4}
      END {exit !(n == 3 && !bad && max - min <= (s >= 3 ? 2 : 1))}' <<<"$st" && break
    ((SECONDS - t0 < 120)) || { echo "$st" >&2; exit 1; }
    sleep 1
  done
fi

cmds() { timeout 3 redis-cli -p "$1" INFO stats | tr -d '\r' | awk -F: '$1 == "total_commands_processed" {print $2}'; }
# entries PORT: sum of commit_index over the shards this node leads, and how many it leads.
# entries PORT: the sum of commit_index over every shard the node holds
# (leader or follower: each holds the whole log), and how many it leads.
entries() { timeout 3 redis-cli -p "$1" INFO raft | tr -d '\r' | awk -F'[,=:]' '/^shard/ {for (i = 1; i < NF; i++) if ($i == "commit_index") s += $(i+1); if (/state=leader/) n++} END {print s + 0, n + 0}'; }

cluster_flag=()
target=$((BASE + 1))
if [ "$MODE" = cluster ] && [ "$SHARDS" -gt 1 ]; then
  cluster_flag=(--cluster)
elif [ "$MODE" = cluster ]; then
  # redis-benchmark --cluster refuses a cluster of one master: load the leader.
  for n in 1 2 3; do timeout 3 redis-cli -p $((BASE + n)) INFO raft | grep -q state=leader && target=$((BASE + n)); done
fi
# The load: long enough for both windows, bounded by timeout.
timeout $((WINDOW * (2 + nodes) + 60)) redis-benchmark -p "$target" "${cluster_flag[@]}" -t "$TEST" -c "$C" -P "$P" -d 64 -r 100000 \
  -n 100000000 -q >"$OUT/bench.out" 2>&1 &
bpid=$!
sleep 3

# Window 1: rates and CPU profiles.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
declare -A c0 e0 k0
for n in $(seq $nodes); do
  k0[$n]=$(ticks "${pids[$((n - 1))]}")
  c0[$n]=$(cmds $((BASE + n)))
  e0[$n]=$(entries $((BASE + n)) | awk '{print $1}')
  curl -s -o "$OUT/node$n.pprof" "http://127.0.0.1:$((BASE + 50 + n))/debug/pprof/profile?seconds=$WINDOW" &
done
t1=$(date +%s.%N)
sleep "$WINDOW"
t2=$(date +%s.%N)
total_cmds=0 total_ticks=0
for n in $(seq $nodes); do
  total_cmds=$((total_cmds + $(cmds $((BASE + n))) - c0[$n]))
  total_ticks=$((total_ticks + $(ticks "${pids[$((n - 1))]}") - k0[$n]))
done
wait_curl() { for _ in $(seq 100); do pgrep -f "curl -s -o $OUT" >/dev/null || return 0; sleep 0.1; done; }
echo "mode=$MODE shards=$SHARDS test=$TEST -c $C -P $P window=${WINDOW}s ${EMBER_ARGS}" | tee "$OUT/summary.txt"
for n in $(seq $nodes); do
  c1=$(cmds $((BASE + n)))
  k1=$(ticks "${pids[$((n - 1))]}")
  read -r e1 led <<<"$(entries $((BASE + n)))"
  awk -v n="$n" -v c0="${c0[$n]}" -v c1="$c1" -v e0="${e0[$n]}" -v e1="$e1" -v led="$led" -v t="$(awk "BEGIN{print $t2 - $t1}")" \
    -v cpu="$(awk -v a="${k0[$n]}" -v b="$k1" -v hz="$hz" 'BEGIN{print (b - a) / hz}')" -v tot="$total_cmds" 'BEGIN {
    cps = (c1 - c0) / t; eps = (e1 - e0) / t
    printf "node%d: leads %d shards; %.0f commands/s here; %.0f raft entries/s appended to its logs (all shards it holds); %.1f commands (cluster-wide) per entry; CPU %.2f cores (profiler included)\n",
      n, led, cps, eps, (eps > 0 ? tot / t / eps : 0), cpu / t}' | tee -a "$OUT/summary.txt"
done
awk -v c="$total_cmds" -v k="$total_ticks" -v hz="$hz" -v t="$(awk "BEGIN{print $t2 - $t1}")" 'BEGIN {
  printf "all nodes: %.0f commands/s; %.1f us of CPU per command (all processes of the cluster, profiler included)\n", c / t, (c > 0 ? k / hz / c * 1e6 : 0)}' | tee -a "$OUT/summary.txt"
sleep 1
wait_curl
for n in $(seq $nodes); do
  if [ -s "$OUT/node$n.pprof" ]; then
    go tool pprof -top -nodecount 45 "$EMBER" "$OUT/node$n.pprof" >"$OUT/node$n.top" 2>/dev/null || true
    go tool pprof -top -cum -nodecount 60 "$EMBER" "$OUT/node$n.pprof" >"$OUT/node$n.cum" 2>/dev/null || true
  fi
done

# Window 2: syscalls per 1000 commands (strace slows the node; counts per
# command still hold). STRACE_NODES (default: 1) lists the nodes to trace.
for n in ${STRACE_NODES:-1}; do
  pid=${pids[$((n - 1))]}
  c0=$(cmds $((BASE + n)))
  timeout $((WINDOW + 5)) strace -c -f -p "$pid" -o "$OUT/node$n.strace" 2>/dev/null &
  spid=$!
  sleep "$WINDOW"
  kill -INT "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  c1=$(cmds $((BASE + n)))
  echo "node$n syscalls per 1000 commands (strace window, $((c1 - c0)) commands):" | tee -a "$OUT/summary.txt"
  awk -v k=$((c1 - c0)) '$1 ~ /^[0-9.]+$/ && NF >= 5 {name = $NF; calls = $4; if (calls ~ /^[0-9]+$/ && k > 0) printf "  %-16s %9.1f\n", name, calls * 1000 / k}' "$OUT/node$n.strace" |
    sort -k2 -gr | head -12 | tee -a "$OUT/summary.txt"
done
kill "$bpid" 2>/dev/null || true
wait "$bpid" 2>/dev/null || true
bpid=""
tr '\r' '\n' <"$OUT/bench.out" | grep -v '^$' | tail -2 >>"$OUT/summary.txt" || true
log "results in $OUT"

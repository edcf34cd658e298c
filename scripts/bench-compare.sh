#!/usr/bin/env bash
# ember-node against Redis in one run, so both see the same machine:
#
#  1. cluster: a 3-node ember-node cluster of local processes vs a Redis
#     Cluster of 3 masters + 3 replicas (local processes, appendonly yes,
#     appendfsync everysec), through redis-benchmark --cluster;
#  2. single: one ember-node (default Raft store, default shards) vs one
#     redis-server with appendonly yes, appendfsync everysec.
#
# Tests (each -d 64 -r 100000, RUNS times, systems interleaved per run):
# SET and GET at -c 50 -P 1 and -c 50 -P 16, and SET and GET at -c 400 -P 1.
# Prints per test the median rps and the median p50/p99 latency (ms) of
# both, and the ratio ember/redis of the rps (> 1: ember is faster).
#
# Knobs (environment):
#   RUNS (3)              runs of every test
#   N1 (40000)            requests per -P 1 benchmark (-c 50 and -c 400)
#   N16 (300000)          requests per -P 16 benchmark
#   SCALE (1)             multiplies N1 and N16 (0.2 for a quick look)
#   SHARDS (16)           --shards of the cluster's nodes
#   SINGLE_SHARDS ("")    --shards of the single node (default: ember-node's own)
#   EMBER_ARGS ("")       extra flags for every ember-node (e.g. "--fsync no")
#   PARTS ("cluster single")  which parts to run
#   PIN (1)               single part only: both servers on the last CPU,
#                         redis-benchmark on the others (as bench-single.sh;
#                         0 lets them float). The cluster part always floats.
#   BASE (7500)           ports: ember cluster BASE+1..3, ember single BASE+10,
#                         Redis Cluster BASE+101..106, redis single BASE+110
#                         (ember also uses +10000 and +20000, Redis Cluster
#                         +10000, so BASE must stay below 12000)
#   KEEP (0)              1: keep the work dir (logs) and print its path
# Needs go, redis-server, redis-cli, redis-benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SCALE=${SCALE:-1}
N1=$(awk -v n="${N1:-40000}" -v s="$SCALE" 'BEGIN{printf "%d", n*s}')
N16=$(awk -v n="${N16:-300000}" -v s="$SCALE" 'BEGIN{printf "%d", n*s}')
SHARDS=${SHARDS:-16}
SINGLE_SHARDS=${SINGLE_SHARDS:-}
EMBER_ARGS=${EMBER_ARGS:-}
PARTS=${PARTS:-"cluster single"}
PIN=${PIN:-1}
BASE=${BASE:-7500}
KEEP=${KEEP:-0}

for bin in go redis-server redis-cli redis-benchmark; do
  command -v "$bin" >/dev/null || { echo "bench-compare: $bin not found (scripts/deps.sh)" >&2; exit 1; }
done
((BASE + 110 + 20000 < 32768)) || { echo "bench-compare: BASE $BASE too high (ports must stay below 32768)" >&2; exit 1; }

# shellcheck source=scripts/lib/procs.sh
source scripts/lib/procs.sh
work=$(mktemp -d /tmp/bench-compare.XXXXXX)
pids=()
cleanup() {
  stop_pids
  if [ "$KEEP" = 1 ]; then echo "bench-compare: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s bench-compare: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
need_free() { local p; for p in "$@"; do port_free "$p" || die "port $p is in use (set BASE)"; done; }

# wait_ping PORT PID LOG
wait_ping() {
  for _ in $(seq 600); do
    [ "$(timeout 2 redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$3" >&2
  die "server on port $1 did not answer PING"
}

server_cpu=() client_cpu=()
ncpu=$(nproc 2>/dev/null || echo 1)
if [ "$PIN" = 1 ] && [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c $((ncpu - 1)))
  client_cpu=(taskset -c "0-$((ncpu - 2))")
fi

# Every node shares one cluster secret (peers authenticate with it).
export EMBER_CLUSTER_SECRET=${EMBER_CLUSTER_SECRET:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
log "building ember-node into $work"
go build -o "$work/ember-node" ./cmd/ember-node
EMBER=$work/ember-node

# ember_start PORT DIR [flags...]: starts a node, appends its pid to pids, sets LASTPID.
ember_start() {
  local port=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # EMBER_ARGS is a list of flags
  "$EMBER" serve --port "$port" --data-dir "$dir" --log-level warn $EMBER_ARGS "$@" >"$dir.log" 2>&1 &
  LASTPID=$!
  pids+=("$LASTPID")
}

# redis_start PORT DIR [flags...]
redis_start() {
  local port=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" \
    --appendonly yes --appendfsync everysec "$@" >"$dir.log" 2>&1 &
  LASTPID=$!
  pids+=("$LASTPID")
}

ember_cluster_up() {
  local e1=$((BASE + 1)) n
  need_free $((BASE + 1)) $((BASE + 2)) $((BASE + 3)) $((BASE + 10001)) $((BASE + 10002)) $((BASE + 10003)) \
    $((BASE + 20001)) $((BASE + 20002)) $((BASE + 20003))
  log "ember cluster: 3 nodes on $e1-$((BASE + 3)), --shards $SHARDS${EMBER_ARGS:+, $EMBER_ARGS}"
  ember_start "$e1" "$work/e1" --shards "$SHARDS"
  wait_ping "$e1" "$LASTPID" "$work/e1.log"
  for n in 2 3; do
    ember_start $((BASE + n)) "$work/e$n" --shards "$SHARDS" --join "127.0.0.1:$e1"
    wait_ping $((BASE + n)) "$LASTPID" "$work/e$n.log"
  done
  for n in 2 3; do
    timeout 300 "$EMBER" join --node "127.0.0.1:$((BASE + n))" "127.0.0.1:$e1" --timeout 4m >/dev/null ||
      die "node $n did not join"
  done
  # Wait until every node holds every shard and leaders are spread
  # (placement balances leaders after the joins; within 2, as it settles for 6/6/4 of 16).
  local t0=$SECONDS st
  while :; do
    st=$(timeout 20 "$EMBER" status --node "127.0.0.1:$e1" 2>/dev/null || true)
    if awk -v s="$SHARDS" '
        $1 == "NODE" {in_nodes = 1; next}
        in_nodes && NF == 0 {in_nodes = 0}
        in_nodes && NF >= 5 {n++; if ($3 != "alive" || $5 != s) bad = 1
          if (min == "" || $4 < min) min = $4; if ($4 > max) max = $4}
        END {exit !(n == 3 && !bad && max - min <= 2)}' <<<"$st"; then
      break
    fi
    ((SECONDS - t0 < 120)) || { printf '%s\n' "$st" >&2; die "ember cluster not balanced after 120 s"; }
    sleep 1
  done
  log "ember cluster ready after $((SECONDS - t0)) s more: leaders $(awk '$1 == "NODE" {f = 1; next} f && NF == 0 {f = 0} f && NF >= 5 {printf "%s ", $4}' <<<"$st")"
}

redis_cluster_up() {
  local n addrs=() p
  for n in 1 2 3 4 5 6; do need_free $((BASE + 100 + n)) $((BASE + 10100 + n)); done
  log "redis cluster: 6 nodes on $((BASE + 101))-$((BASE + 106)), appendonly yes everysec"
  for n in 1 2 3 4 5 6; do
    p=$((BASE + 100 + n))
    redis_start "$p" "$work/r$n" --cluster-enabled yes --cluster-config-file "$work/r$n/nodes.conf" --cluster-node-timeout 5000
    wait_ping "$p" "$LASTPID" "$work/r$n.log"
    addrs+=("127.0.0.1:$p")
  done
  timeout 60 redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$work/rcreate.log" 2>&1 ||
    { cat "$work/rcreate.log" >&2; die "redis-cli --cluster create failed"; }
  local t0=$SECONDS ok
  while :; do
    ok=1
    for n in 1 2 3 4 5 6; do
      p=$((BASE + 100 + n))
      timeout 2 redis-cli -p "$p" CLUSTER INFO 2>/dev/null | grep -q 'cluster_state:ok' || ok=0
      if timeout 2 redis-cli -p "$p" ROLE 2>/dev/null | head -1 | grep -q slave; then
        timeout 2 redis-cli -p "$p" INFO replication 2>/dev/null | grep -q 'master_link_status:up' || ok=0
      fi
    done
    [ "$ok" = 1 ] && break
    ((SECONDS - t0 < 60)) || die "redis cluster not ok after 60 s"
    sleep 0.5
  done
  log "redis cluster ready after $((SECONDS - t0)) s"
}

# bench SYSTEM PART PORT CLIENTS PIPELINE N [--cluster]
# Appends "part system test clients pipeline rps p50 p99" lines to $work/results.
bench() {
  local sys=$1 part=$2 port=$3 c=$4 p=$5 n=$6
  shift 6
  local out
  out=$(timeout 300 "${client_cpu[@]}" redis-benchmark -p "$port" "$@" -t set,get -c "$c" -P "$p" -n "$n" \
    -d 64 -r 100000 --csv 2>/dev/null || true)
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  awk -F'"' -v part="$part" -v sys="$sys" -v c="$c" -v p="$p" \
    '$2 == "SET" || $2 == "GET" {print part, sys, $2, c, p, $4, $10, $14}' <<<"$out" >>"$work/results"
  grep -qE '^"(SET|GET)"' <<<"$out" || log "warning: no result from $sys $part -c $c -P $p (port $port)"
}

# run_part PART EMBER_PORT REDIS_PORT [--cluster]
run_part() {
  local part=$1 ep=$2 rp=$3
  shift 3
  local run
  for run in $(seq "$RUNS"); do
    log "$part: run $run of $RUNS"
    # Alternate which system goes first, so neither always runs on a
    # machine warmed (or cluttered) by the other.
    if ((run % 2)); then order="ember redis"; else order="redis ember"; fi
    for cfg in "50 1 $N1" "50 16 $N16" "400 1 $N1"; do
      read -r c p n <<<"$cfg"
      for sys in $order; do
        if [ "$sys" = ember ]; then bench ember "$part" "$ep" "$c" "$p" "$n" "$@"; else bench redis "$part" "$rp" "$c" "$p" "$n" "$@"; fi
      done
    done
  done
}

# error_replies PORT...: the sum of INFO total_error_replies. redis-benchmark
# counts an error reply (a MOVED to a client with a stale slot map) as a
# request done, so every part reports how many there were.
error_replies() {
  local p sum=0 v
  for p in "$@"; do
    v=$(timeout 5 redis-cli -p "$p" INFO stats 2>/dev/null | tr -d '\r' | awk -F: '$1 == "total_error_replies" {print $2}')
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}


: >"$work/results"
errors=()
t_all=$SECONDS
for part in $PARTS; do
  case $part in
  cluster)
    ember_cluster_up
    redis_cluster_up
    sleep 2
    e0=$(error_replies $((BASE + 1)) $((BASE + 2)) $((BASE + 3))) r0=$(error_replies $((BASE + 101)) $((BASE + 102)) $((BASE + 103)) $((BASE + 104)) $((BASE + 105)) $((BASE + 106)))
    run_part cluster $((BASE + 1)) $((BASE + 101)) --cluster
    errors+=("cluster: error replies during the runs: ember $(($(error_replies $((BASE + 1)) $((BASE + 2)) $((BASE + 3))) - e0)), redis $(($(error_replies $((BASE + 101)) $((BASE + 102)) $((BASE + 103)) $((BASE + 104)) $((BASE + 105)) $((BASE + 106))) - r0))")
    stop_pids
    ;;
  single)
    need_free $((BASE + 10)) $((BASE + 10010)) $((BASE + 20010)) $((BASE + 110))
    log "single: ember-node on $((BASE + 10))${SINGLE_SHARDS:+ (--shards $SINGLE_SHARDS)}, redis-server on $((BASE + 110)) (AOF everysec)${server_cpu[*]:+; servers: ${server_cpu[*]}, client: ${client_cpu[*]}}"
    single_flags=()
    [ -n "$SINGLE_SHARDS" ] && single_flags=(--shards "$SINGLE_SHARDS")
    # Pinned like bench-single.sh: both servers share one CPU.
    EMBER_PIN=("${server_cpu[@]}")
    mkdir -p "$work/s1"
    # shellcheck disable=SC2086
    "${EMBER_PIN[@]}" "$EMBER" serve --port $((BASE + 10)) --data-dir "$work/s1" --log-level warn $EMBER_ARGS "${single_flags[@]}" >"$work/s1.log" 2>&1 &
    pids+=($!)
    wait_ping $((BASE + 10)) $! "$work/s1.log"
    mkdir -p "$work/rs"
    "${server_cpu[@]}" redis-server --port $((BASE + 110)) --bind 127.0.0.1 --dir "$work/rs" --save "" \
      --appendonly yes --appendfsync everysec >"$work/rs.log" 2>&1 &
    pids+=($!)
    wait_ping $((BASE + 110)) $! "$work/rs.log"
    run_part single $((BASE + 10)) $((BASE + 110))
    errors+=("single: error replies during the runs: ember $(error_replies $((BASE + 10))), redis $(error_replies $((BASE + 110)))")
    stop_pids
    ;;
  *) die "unknown part $part (cluster, single)" ;;
  esac
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print a[int((NR+1)/2)]}'; }
col() { # col PART SYS TEST C P FIELD
  awk -v part="$1" -v sys="$2" -v t="$3" -v c="$4" -v p="$5" -v f="$6" \
    '$1 == part && $2 == sys && $3 == t && $4 == c && $5 == p {print $f}' "$work/results" | median
}

echo
what=""
[[ " $PARTS " == *" cluster "* ]] && what="$what, cluster --shards $SHARDS"
[[ " $PARTS " == *" single "* ]] && what="$what, single --shards ${SINGLE_SHARDS:-default}${server_cpu[*]:+ (pinned: servers CPU ${server_cpu[2]}, client ${client_cpu[2]})}"
echo "bench-compare $(date -u +%F' '%H:%M)Z, $(nproc) CPUs, redis $(redis-server --version | awk '{print $3}' | sed 's/^v=//'), RUNS=$RUNS N1=$N1 N16=$N16$what${EMBER_ARGS:+, EMBER_ARGS=$EMBER_ARGS}; medians; latency in ms"
printf '%-8s %-4s %4s %3s | %9s %6s %6s | %9s %6s %6s | %6s %6s\n' \
  part test c P "ember rps" p50 p99 "redis rps" p50 p99 "rps x" "p99 x"
for part in $PARTS; do
  for cfg in "50 1" "50 16" "400 1"; do
    read -r c p <<<"$cfg"
    for t in SET GET; do
      er=$(col "$part" ember "$t" "$c" "$p" 6) e50=$(col "$part" ember "$t" "$c" "$p" 7) e99=$(col "$part" ember "$t" "$c" "$p" 8)
      rr=$(col "$part" redis "$t" "$c" "$p" 6) r50=$(col "$part" redis "$t" "$c" "$p" 7) r99=$(col "$part" redis "$t" "$c" "$p" 8)
      awk -v part="$part" -v t="$t" -v c="$c" -v p="$p" -v er="$er" -v e50="$e50" -v e99="$e99" \
        -v rr="$rr" -v r50="$r50" -v r99="$r99" 'BEGIN {
          printf "%-8s %-4s %4s %3s | %9.0f %6.2f %6.2f | %9.0f %6.2f %6.2f | %5.2fx %5.2fx\n",
            part, t, c, p, er, e50, e99, rr, r50, r99, (rr > 0 ? er / rr : 0), (r99 > 0 ? e99 / r99 : 0)}'
    done
  done
done
echo "(rps x = ember rps / redis rps; p99 x = ember p99 / redis p99, lower is better; total $((SECONDS - t_all)) s)"
printf '%s\n' "${errors[@]}"

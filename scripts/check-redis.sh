#!/usr/bin/env bash
# The same checker (cmd/ember-check) against a Redis Cluster of 3 masters
# and 3 replicas (Debian's redis-server, --cluster-enabled yes, in
# containers built by scripts/redis-cluster.sh), with the faults that
# apply to it: SIGKILL of a master, freezing one past cluster-node-timeout,
# a node cut off, the old master isolated with a minority, rolling
# restart. Redis Cluster replicates asynchronously and does not promise
# linearizability or that acknowledged writes survive a failover: this
# script reports what happens and does not fail on it.
#
#   scripts/check-redis.sh                  # CHECK_ROUNDS=3 of each fault
#   CHECK_ROUNDS=20 scripts/check-redis.sh
#   CHECK_READONLY=1 scripts/check-redis.sh # reads from replicas
#
# Settings: CHECK_FAULTS, CHECK_ROUNDS, CHECK_OUT, CHECK_ARGS, CHECK_KEEP
# as in check-ember.sh; REDIS_NODE_TIMEOUT (5000 ms) and the rest of
# redis-cluster.sh's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

OUT=${CHECK_OUT:-$(mktemp -d /tmp/redis-check.XXXXXX)}
mkdir -p "$OUT"
FAULTS=${CHECK_FAULTS:-none,kill,pause,partition,partition-leader,rolling-restart}
ROUNDS=${CHECK_ROUNDS:-3}
rc=$root/scripts/redis-cluster.sh

finish() {
	local code=$?
	if [[ -z ${CHECK_KEEP:-} ]]; then
		"$rc" down >/dev/null 2>&1 || true
	fi
	log "check-redis took $((SECONDS))s; results in $OUT"
	exit "$code"
}
trap finish EXIT
trap 'exit 143' INT TERM

command -v nsenter >/dev/null && command -v iptables >/dev/null ||
	{ log "partitions need nsenter and iptables"; exit 1; }
(cd "$root" && go build -o bin/ember-check ./cmd/ember-check)
"$rc" up
targets=$("$rc" targets | paste -sd, -)
version=$(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
readonly_flag=()
[[ -n ${CHECK_READONLY:-} ]] && readonly_flag=(-readonly)
# shellcheck disable=SC2086 # CHECK_ARGS is a list of flags
"$root/bin/ember-check" run -system "redis-cluster-$version" -strict=false -targets "$targets" \
	-min-replicas 1 -faults "$FAULTS" -rounds "$ROUNDS" -out "$OUT" "${readonly_flag[@]}" \
	-settle-cmd "$rc wait" ${CHECK_ARGS:-} 2> >(tee "$OUT/check.log" >&2) | tee "$OUT/summary.txt"
"$root/bin/ember-check" report "$OUT"

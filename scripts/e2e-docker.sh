#!/usr/bin/env bash
# End-to-end test of the docker compose cluster: a write/read workload from
# the host, through the published ports and go-redis's ClusterClient
# (scripts/e2eload), runs while chaos.sh breaks the cluster one fault at a
# time; then every acknowledged write must read back. One summary line per
# fault: ops, acked writes, errors, indeterminate writes (failed, so they
# may or may not have happened), stale reads, lost writes, and the worst
# unavailability of any slot range.
#
#   scripts/e2e-docker.sh
#
# It runs its own cluster (compose project ember-e2e on ports 7101-7104, so
# a demo cluster on 7001-7003 is left alone), deletes it at the end, and
# keeps the per-phase records and, on failure, the nodes' logs in
# E2E_OUT (default: a new temporary folder).
set -euo pipefail
export EMBER_PROJECT=${EMBER_PROJECT:-ember-e2e}
export EMBER_NODE1_PORT=${EMBER_NODE1_PORT:-7101}
export EMBER_NODE2_PORT=${EMBER_NODE2_PORT:-7102}
export EMBER_NODE3_PORT=${EMBER_NODE3_PORT:-7103}
export EMBER_NODE4_PORT=${EMBER_NODE4_PORT:-7104}
# A cluster of its own, with secrets of its own (not those of .env).
export EMBER_CLUSTER_SECRET=${EMBER_CLUSTER_SECRET:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
export EMBER_REQUIREPASS=${EMBER_REQUIREPASS:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
export EMBER_QUIET=1
# shellcheck source=scripts/lib/cluster.sh
source "$(dirname "$0")/lib/cluster.sh"

OUT=${E2E_OUT:-$(mktemp -d /tmp/ember-e2e.XXXXXX)}
mkdir -p "$OUT"
export CHAOS_WARN_FILE=$OUT/warnings.txt
: >"$CHAOS_WARN_FILE"
WARM=${E2E_WARM:-2}    # seconds of load before each fault
COOL=${E2E_COOL:-2}    # and after the cluster is whole again
STEADY=${E2E_STEADY:-8}

loadpid=""
finish() {
	local rc=$?
	if [[ -n $loadpid ]]; then
		kill -INT "$loadpid" 2>/dev/null || true
		wait "$loadpid" 2>/dev/null || true
	fi
	local n c
	for n in node1 node2 node3 node4; do
		c=$(container "$n")
		if [[ -n $c ]]; then
			docker logs -t "$c" >"$OUT/$n.log" 2>&1 || true
		fi
	done
	if ((rc != 0)); then
		log "FAILED (exit $rc); node logs in $OUT"
		tail -n 20 "$OUT"/node*.log >&2 || true
	fi
	if [[ -z ${E2E_KEEP:-} ]]; then
		"$EMBER_ROOT/scripts/cluster-down.sh" -v >/dev/null 2>&1 || true
	fi
	log "e2e-docker took $((SECONDS))s; records in $OUT"
	exit "$rc"
}
trap finish EXIT
trap 'exit 143' INT TERM

require_docker
# A cluster left over from an interrupted run would fail the start.
"$EMBER_ROOT/scripts/cluster-down.sh" -v >/dev/null 2>&1 || true
build
compose up -d node1 node2 node3
wait_healthy node1 node2 node3
converge node1 node2 node3
nodes=$(node_list node1 node2 node3)

# phase NAME CMD... runs the workload while CMD runs, plus WARM seconds
# before and COOL after.
phase() {
	local name=$1
	shift
	log "=== $name: $*"
	"$EMBER_BIN/e2eload" load -nodes "$nodes" -phase "$name" -dir "$OUT" >"$OUT/$name.load.txt" 2>&1 &
	loadpid=$!
	sleep "$WARM"
	"$@"
	sleep "$COOL"
	kill -INT "$loadpid"
	wait "$loadpid" || die "the $name workload failed: $(cat "$OUT/$name.load.txt")"
	loadpid=""
	cat "$OUT/$name.load.txt" >&2
}

chaos=$EMBER_ROOT/scripts/chaos.sh
phase steady sleep "$STEADY"
phase kill "$chaos" kill node1
phase pause "$chaos" pause node2
phase partition "$chaos" partition node3
phase rolling-restart "$chaos" rolling-restart

log "=== reading back every acknowledged write"
"$EMBER_BIN/e2eload" verify -nodes "$nodes" -dir "$OUT" \
	-phases steady,kill,pause,partition,rolling-restart | tee "$OUT/summary.txt"
if [[ -s $CHAOS_WARN_FILE ]]; then
	log "warnings (not failures; node logs in $OUT):"
	sed 's/^/    /' "$CHAOS_WARN_FILE" >&2
fi
log "PASS: no acknowledged write lost, no stale read"

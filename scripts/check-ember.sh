#!/usr/bin/env bash
# Linearizability and durability check of an ember-node cluster in Docker
# (cmd/ember-check): a 3-node compose cluster of its own, a workload from
# the host through the published ports, and rounds of each fault kind
# (SIGKILL of a shard leader, freezing one past the election timeout, a
# node cut off, the old leader isolated, rolling restart, a 4th node
# joining and leaving). Prints one line per fault kind, writes
# results.json (and porcupine's HTML of any non-linearizable key) to
# CHECK_OUT, and fails if any history is not linearizable or any
# acknowledged write is lost.
#
#   scripts/check-ember.sh                       # CHECK_ROUNDS=3 of each fault
#   CHECK_ROUNDS=20 scripts/check-ember.sh       # the long mode
#   CHECK_READONLY=1 scripts/check-ember.sh      # reads from followers (READONLY)
#
# Settings: CHECK_FAULTS (default: none,kill,pause,partition,
# partition-leader,rolling-restart,membership), CHECK_ROUNDS, CHECK_OUT,
# CHECK_ARGS (more ember-check flags). The cluster is compose project
# ember-chk on ports 7201-7204, deleted at the end unless CHECK_KEEP=1.
set -euo pipefail
export EMBER_PROJECT=${EMBER_PROJECT:-ember-chk}
export EMBER_NODE1_PORT=${EMBER_NODE1_PORT:-7201}
export EMBER_NODE2_PORT=${EMBER_NODE2_PORT:-7202}
export EMBER_NODE3_PORT=${EMBER_NODE3_PORT:-7203}
export EMBER_NODE4_PORT=${EMBER_NODE4_PORT:-7204}
# A cluster of its own, with secrets of its own (not those of .env).
export EMBER_CLUSTER_SECRET=${EMBER_CLUSTER_SECRET:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
export EMBER_REQUIREPASS=${EMBER_REQUIREPASS:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
export EMBER_QUIET=1
# shellcheck source=scripts/lib/cluster.sh
source "$(dirname "$0")/lib/cluster.sh"

OUT=${CHECK_OUT:-$(mktemp -d /tmp/ember-check.XXXXXX)}
mkdir -p "$OUT"
FAULTS=${CHECK_FAULTS:-none,kill,pause,partition,partition-leader,rolling-restart,membership}
ROUNDS=${CHECK_ROUNDS:-3}

finish() {
	local rc=$?
	local n c
	for n in node1 node2 node3 node4; do
		c=$(container "$n")
		if [[ -n $c ]]; then
			docker logs -t "$c" >"$OUT/$n.log" 2>&1 || true
		fi
	done
	((rc == 0)) || log "FAILED (exit $rc); results and node logs in $OUT"
	if [[ -z ${CHECK_KEEP:-} ]]; then
		"$EMBER_ROOT/scripts/cluster-down.sh" -v >/dev/null 2>&1 || true
	fi
	log "check-ember took $((SECONDS))s; results in $OUT"
	exit "$rc"
}
trap finish EXIT
trap 'exit 143' INT TERM

require_docker
command -v nsenter >/dev/null && command -v iptables >/dev/null ||
	die "partitions need nsenter and iptables (apt-get install util-linux iptables)"
"$EMBER_ROOT/scripts/cluster-down.sh" -v >/dev/null 2>&1 || true
build
(cd "$EMBER_ROOT" && go build -o bin/ember-check ./cmd/ember-check)
compose up -d node1 node2 node3
wait_healthy node1 node2 node3
converge node1 node2 node3

targets=()
for n in node1 node2 node3; do
	targets+=("$n=$(container "$n")=$(node_addr "$n")")
done
targets=$(IFS=,; printf '%s' "${targets[*]}")
# The hooks run the same scripts an operator would, on this project.
here=$EMBER_ROOT/scripts
readonly_flag=()
[[ -n ${CHECK_READONLY:-} ]] && readonly_flag=(-readonly -strict=false) # stale reads allowed
# shellcheck disable=SC2086 # CHECK_ARGS is a list of flags
"$EMBER_BIN/ember-check" run -system ember-node -targets "$targets" \
	-faults "$FAULTS" -rounds "$ROUNDS" -out "$OUT" "${readonly_flag[@]}" \
	-settle-cmd "$EMBER_BIN/e2eload converge -q -balance 2 -timeout $EMBER_SETTLE -nodes $(node_list node1 node2 node3)" \
	-join-cmd "EMBER_SKIP_BUILD=1 $here/join-demo.sh" \
	-leave-cmd "EMBER_SKIP_BUILD=1 $here/leave-demo.sh node4" \
	${CHECK_ARGS:-} 2> >(tee "$OUT/check.log" >&2) | tee "$OUT/summary.txt" || {
	exit 1
}
"$EMBER_BIN/ember-check" report "$OUT"

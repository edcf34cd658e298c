#!/usr/bin/env bash
# Break the running compose cluster on purpose, one fault at a time. Each
# fault lasts a bounded time and is undone, also when the script is
# interrupted; the script then waits until the cluster is whole again
# (every node alive to the others, every shard led and fully replicated,
# routing right) and fails if it is not within EMBER_SETTLE (180s).
#
#   scripts/chaos.sh kill [nodeN]        SIGKILL the container, start it again
#   scripts/chaos.sh pause [nodeN]       freeze it (docker pause) past the election timeout
#   scripts/chaos.sh partition [nodeN]   cut it off the cluster's network, reconnect it
#   scripts/chaos.sh rolling-restart     restart every node in turn, waiting in between
#   scripts/chaos.sh all                 each of the above in turn
#
# The node defaults to node1. Durations: CHAOS_KILL_DOWN (5), CHAOS_PAUSE
# (6), CHAOS_PARTITION (10) seconds. Raft's election timeout is about 1-2 s,
# gossip marks a silent node dead after about 5 s. A node that does not
# exit within CHAOS_STOP_WAIT (10) s of SIGTERM gets SIGQUIT (a goroutine
# dump in its log) and a warning, kept in CHAOS_WARN_FILE when set.
set -euo pipefail
# shellcheck source=scripts/lib/cluster.sh
source "$(dirname "$0")/lib/cluster.sh"

CHAOS_KILL_DOWN=${CHAOS_KILL_DOWN:-5}
CHAOS_PAUSE=${CHAOS_PAUSE:-6}
CHAOS_PARTITION=${CHAOS_PARTITION:-10}
CHAOS_STOP_WAIT=${CHAOS_STOP_WAIT:-10}

# What is broken right now, for undo.
killed="" paused="" cut_node="" cut_net="" cut_ctr="" cut_ip="" cut_aliases=()

undo() {
	if [[ -n $paused ]]; then
		log "undo: unpausing $paused"
		docker unpause "$paused" >/dev/null || true
		paused=""
	fi
	if [[ -n $cut_ctr ]]; then
		reconnect || true
	fi
	if [[ -n $killed ]]; then
		log "undo: starting $killed"
		docker start "$killed" >/dev/null || true
		killed=""
	fi
}
trap undo EXIT
trap 'exit 130' INT TERM

# hold sleeps in the background and waits for it, so that a signal runs
# the undo trap at once instead of after the sleep.
hold() {
	sleep "$1" &
	wait $!
}

# members prints the nodes whose containers run, plus $1 (which may be
# down right now).
members() {
	{ running_nodes; printf '%s\n' "$1"; } | sort -u
}

settle() {
	local nodes
	mapfile -t nodes < <(members "$1")
	converge "${nodes[@]}"
}

container_of() {
	local c
	c=$(container "$1")
	[[ -n $c ]] || die "$1 has no container (is the cluster up?)"
	[[ $(docker inspect -f '{{.State.Running}}' "$c") == true ]] || die "$1 is not running"
	printf '%s' "$c"
}

fault_kill() {
	local node=$1 c
	c=$(container_of "$node")
	log "kill: SIGKILL $node, down for ${CHAOS_KILL_DOWN}s"
	killed=$c
	docker kill -s KILL "$c" >/dev/null
	hold "$CHAOS_KILL_DOWN"
	log "kill: starting $node again"
	docker start "$c" >/dev/null
	killed=""
	wait_healthy "$node"
	settle "$node"
}

fault_pause() {
	local node=$1 c
	c=$(container_of "$node")
	log "pause: freezing $node for ${CHAOS_PAUSE}s"
	paused=$c
	docker pause "$c" >/dev/null
	hold "$CHAOS_PAUSE"
	log "pause: unpausing $node"
	docker unpause "$c" >/dev/null
	paused=""
	settle "$node"
}

reconnect() {
	local args=() a
	for a in "${cut_aliases[@]}"; do args+=(--alias "$a"); done
	log "partition: reconnecting $cut_node to $cut_net"
	# The same address, when the network allows choosing it, so that peers'
	# gossip finds the node where it was.
	docker network connect "${args[@]}" --ip "$cut_ip" "$cut_net" "$cut_ctr" 2>/dev/null ||
		docker network connect "${args[@]}" "$cut_net" "$cut_ctr"
	cut_ctr=""
}

fault_partition() {
	local node=$1 c
	c=$(container_of "$node")
	cut_net=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$c" | awk '{print $1}')
	[[ -n $cut_net ]] || die "$node is on no network"
	cut_ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$cut_net\").IPAddress}}" "$c")
	mapfile -t cut_aliases < <(docker inspect -f "{{range (index .NetworkSettings.Networks \"$cut_net\").Aliases}}{{println .}}{{end}}" "$c" | grep -v '^$')
	cut_node=$node
	log "partition: disconnecting $node ($cut_ip) from $cut_net for ${CHAOS_PARTITION}s"
	cut_ctr=$c
	docker network disconnect "$cut_net" "$c"
	hold "$CHAOS_PARTITION"
	reconnect
	settle "$node"
}

# warn logs a finding, and keeps it in CHAOS_WARN_FILE when set.
warn() {
	log "WARNING: $*"
	if [[ -n ${CHAOS_WARN_FILE:-} ]]; then
		printf '%s %s\n' "$(date +%T)" "$*" >>"$CHAOS_WARN_FILE"
	fi
}

# stop_gracefully stops a node with SIGTERM. A node still running
# CHAOS_STOP_WAIT seconds later gets SIGQUIT: the Go runtime writes every
# goroutine's stack to its log and exits, so a hung shutdown is bounded and
# can be diagnosed (docker logs).
stop_gracefully() {
	local node=$1 c=$2
	docker kill -s TERM "$c" >/dev/null
	if ! timeout "$CHAOS_STOP_WAIT" docker wait "$c" >/dev/null; then
		warn "$node still running ${CHAOS_STOP_WAIT}s after SIGTERM; sent SIGQUIT (goroutine dump in its log)"
		docker kill -s QUIT "$c" >/dev/null 2>&1 || true
		timeout 5 docker wait "$c" >/dev/null || docker kill "$c" >/dev/null 2>&1 || true
	fi
}

fault_rolling_restart() {
	local node c t0
	for node in $(running_nodes); do
		c=$(container_of "$node")
		log "rolling-restart: stopping $node (SIGTERM), then starting it"
		t0=$SECONDS
		stop_gracefully "$node" "$c"
		log "rolling-restart: $node stopped in $((SECONDS - t0))s"
		docker start "$c" >/dev/null
		wait_healthy "$node"
		log "rolling-restart: $node healthy after $((SECONDS - t0))s"
		settle "$node"
	done
}

[[ -x $EMBER_BIN/e2eload ]] || build
require_docker
what=${1:-}
node=${2:-node1}
start=$SECONDS
case $what in
kill) fault_kill "$node" ;;
pause) fault_pause "$node" ;;
partition) fault_partition "$node" ;;
rolling-restart) fault_rolling_restart ;;
all)
	fault_kill "$node"
	fault_pause "$node"
	fault_partition "$node"
	fault_rolling_restart
	;;
*)
	sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
log "chaos $what done in $((SECONDS - start))s; the cluster is whole"

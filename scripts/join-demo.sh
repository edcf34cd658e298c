#!/usr/bin/env bash
# Add node4 to the running cluster: start it alone (compose profile
# "join"), then `ember-node join` it to the cluster, and watch the
# cluster move replicas onto it until it is whole again.
#
#   scripts/join-demo.sh
set -euo pipefail
# shellcheck source=scripts/lib/cluster.sh
source "$(dirname "$0")/lib/cluster.sh"

require_docker
[[ -x $EMBER_BIN/e2eload ]] || build
mapfile -t members < <(running_nodes | grep -vx node4 || true)
((${#members[@]} > 0)) || die "no cluster is running: scripts/cluster-up.sh first"
seed=${members[0]}
log "starting node4 on $(node_addr node4): a standalone node until it joins"
compose --profile join up -d node4
wait_healthy node4
# node4 reaches the cluster by service name on the private network, the
# host by 127.0.0.1: so node4 is told to join node1:PORT (CLUSTER
# EMBER-JOIN, what `ember-node join` sends), and then `ember-node join`
# on the host, which reaches every node on 127.0.0.1, finds node4 a member
# and follows the replicas moving onto it.
seed_in=$seed:$(node_port "$seed")
log "CLUSTER EMBER-JOIN $seed_in on node4"
"$EMBER_BIN/e2eload" cmd "$(node_addr node4)" CLUSTER EMBER-JOIN "$seed_in"
if have_ops_cli; then
	log "ember-node join --node $(node_addr node4) $(node_addr "$seed")"
	"$EMBER_BIN/ember-node" join --node "$(node_addr node4)" "$(node_addr "$seed")"
fi
log "waiting until node4 holds its share and the cluster is whole"
converge "${members[@]}" node4
show_status node4

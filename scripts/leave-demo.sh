#!/usr/bin/env bash
# Take a node out of the running cluster: `ember-node leave` makes it hand
# its leaderships and replicas to the others, leave, and exit. Its
# container and data volume are then removed, so the node can join again
# later as a new, empty node (join-demo.sh for node4; cluster-up.sh brings
# node2 or node3 back through their --join).
#
#   scripts/leave-demo.sh [node4|node3|node2]     (default node4)
#
# node1 is the node that bootstraps the cluster from an empty volume: it
# can leave too (ember-node leave --node 127.0.0.1:7001), but this script
# does not delete its volume, as a fresh node1 would start a new cluster.
set -euo pipefail
# shellcheck source=scripts/lib/cluster.sh
source "$(dirname "$0")/lib/cluster.sh"

node=${1:-node4}
case $node in
node2 | node3 | node4) ;;
*) die "usage: $0 [node4|node3|node2]" ;;
esac
require_docker
[[ -x $EMBER_BIN/e2eload ]] || build
c=$(container "$node")
[[ -n $c && $(docker inspect -f '{{.State.Running}}' "$c") == true ]] || die "$node is not running"
mapfile -t rest < <(running_nodes | grep -vx "$node")
((${#rest[@]} > 0)) || die "$node is the last node"
if have_ops_cli; then
	log "ember-node leave --node $(node_addr "$node")"
	"$EMBER_BIN/ember-node" leave --node "$(node_addr "$node")"
else
	log "CLUSTER EMBER-LEAVE on $node"
	"$EMBER_BIN/e2eload" cmd "$(node_addr "$node")" CLUSTER EMBER-LEAVE
fi
log "waiting for $node to hand everything over and exit"
code=$(timeout 300 docker wait "$c") || die "$node did not exit within 300s"
[[ $code == 0 ]] || die "$node exited with status $code"
log "$node left and exited; removing its container and volume"
compose rm -fsv "$node" >/dev/null
docker volume rm "${EMBER_PROJECT}_${node}-data" >/dev/null
converge "${rest[@]}"
show_status "${rest[0]}"

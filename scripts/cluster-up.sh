#!/usr/bin/env bash
# Build ember-node and its image, start the 3-node cluster of
# docker-compose.cluster.yml, wait until it is whole (every shard led and
# replicated on 3 nodes, every node routing right), and print its status.
#
#   scripts/cluster-up.sh [--no-build]
#
# On its first start it writes a random cluster secret and client
# password into .env beside the compose file (kept for the next starts).
# Then: REDISCLI_AUTH=<EMBER_REQUIREPASS of .env> redis-cli -c -p 7001
set -euo pipefail
# shellcheck source=scripts/lib/cluster.sh
source "$(dirname "$0")/lib/cluster.sh"

require_docker
ensure_secrets
if [[ ${1:-} != --no-build ]]; then
	build
fi
log "starting node1 node2 node3 (compose project $EMBER_PROJECT)"
compose up -d node1 node2 node3
wait_healthy node1 node2 node3
mapfile -t nodes < <(running_nodes)
log "containers healthy; waiting for the cluster to place and replicate every shard"
converge "${nodes[@]}"
show_status node1
printf '\nThe cluster is up. The client password is EMBER_REQUIREPASS in %s. From this machine:\n' "$EMBER_ENV_FILE"
printf '  %-32s # %s\n' \
	"export REDISCLI_AUTH=\$(sed -n 's/^EMBER_REQUIREPASS=//p' .env)" "redis-cli's password" \
	"redis-cli -c -p $EMBER_NODE1_PORT" "any node; -c follows MOVED" \
	"scripts/join-demo.sh" "add node4 ($(node_addr node4))" \
	"scripts/leave-demo.sh" "drain node4 away again" \
	"scripts/chaos.sh FAULT [nodeN]" "kill, pause, partition, rolling-restart" \
	"scripts/cluster-down.sh [-v]" "stop; -v deletes the data volumes"

#!/usr/bin/env bash
# Stop and remove the cluster's containers and network. The data volumes
# are kept (the next cluster-up.sh starts from them) unless -v is given.
#
#   scripts/cluster-down.sh [-v]
set -euo pipefail
# shellcheck source=scripts/lib/cluster.sh
source "$(dirname "$0")/lib/cluster.sh"

args=(down --remove-orphans)
case ${1:-} in
"") ;;
-v | --volumes) args+=(--volumes) ;;
*) die "usage: $0 [-v]" ;;
esac
require_docker
# compose checks the variables the file needs even to take it down.
export EMBER_CLUSTER_SECRET=${EMBER_CLUSTER_SECRET:-unused} EMBER_REQUIREPASS=${EMBER_REQUIREPASS:-unused}
# A paused container cannot be stopped: undo a chaos run cut short.
for n in node1 node2 node3 node4; do
	c=$(container "$n")
	if [[ -n $c && $(docker inspect -f '{{.State.Paused}}' "$c") == true ]]; then
		docker unpause "$c" >/dev/null
	fi
done
compose --profile join "${args[@]}"
if [[ ${args[*]} == *--volumes* ]]; then
	log "containers, network and data volumes of $EMBER_PROJECT removed"
else
	log "containers and network of $EMBER_PROJECT removed; data volumes kept (-v deletes them)"
fi

# shellcheck shell=bash
# Sourced by the docker compose cluster scripts (cluster-up.sh,
# cluster-down.sh, join-demo.sh, leave-demo.sh, chaos.sh, e2e-docker.sh).
#
# Settings, all from the environment:
#   EMBER_PROJECT       compose project name (default: ember)
#   EMBER_IMAGE         image tag (default: ember-node:local)
#   EMBER_NODEn_PORT    client port of node n, published on 127.0.0.1
#                       (default: 7000+n)
#   EMBER_SETTLE        how long to wait for the cluster to be whole (180s)
#   EMBER_SKIP_BUILD    set: use bin/ and the image as they are
# and what docker-compose.cluster.yml reads (EMBER_CLUSTER_SECRET,
# EMBER_REQUIREPASS, EMBER_DEAD_GRACE, EMBER_FSYNC, EMBER_LOG_LEVEL).
# The two secrets come from the environment, else from .env beside the
# compose file (cluster-up.sh writes it on its first start: ensure_secrets);
# the host-side tools (ember-node join/status, e2eload) read the password
# from EMBER_REQUIREPASS too.

EMBER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EMBER_BIN=$EMBER_ROOT/bin
EMBER_PROJECT=${EMBER_PROJECT:-ember}
EMBER_COMPOSE_FILE=$EMBER_ROOT/docker-compose.cluster.yml
EMBER_SETTLE=${EMBER_SETTLE:-180s}
export EMBER_IMAGE=${EMBER_IMAGE:-ember-node:local}
export EMBER_NODE1_PORT=${EMBER_NODE1_PORT:-7001}
export EMBER_NODE2_PORT=${EMBER_NODE2_PORT:-7002}
export EMBER_NODE3_PORT=${EMBER_NODE3_PORT:-7003}
export EMBER_NODE4_PORT=${EMBER_NODE4_PORT:-7004}

EMBER_ENV_FILE=$EMBER_ROOT/.env

# env_value NAME prints NAME's value in .env, if it is there.
env_value() {
	[[ -f $EMBER_ENV_FILE ]] || return 0
	sed -n "s/^$1=//p" "$EMBER_ENV_FILE" | tail -n1
}

# load_secrets exports the secrets of .env that the environment does not set.
load_secrets() {
	local name
	for name in EMBER_CLUSTER_SECRET EMBER_REQUIREPASS; do
		if [[ -z ${!name:-} ]]; then
			export "$name=$(env_value "$name")"
		fi
	done
}

# ensure_secrets adds a random secret and password to .env (mode 0600)
# for those that neither the environment nor .env sets, then loads them.
ensure_secrets() {
	local name added=() mask
	mask=$(umask)
	umask 077
	for name in EMBER_CLUSTER_SECRET EMBER_REQUIREPASS; do
		if [[ -z ${!name:-} && -z $(env_value "$name") ]]; then
			printf '%s=%s\n' "$name" "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >>"$EMBER_ENV_FILE"
			added+=("$name")
		fi
	done
	umask "$mask"
	if ((${#added[@]})); then
		log "generated ${added[*]} into $EMBER_ENV_FILE (keep it; the cluster needs the same values on every start)"
	fi
	load_secrets
}

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# compose runs the compose tool on this project: the `docker compose`
# plugin where there is one, else docker-compose (v1).
compose() {
	if [[ -z ${EMBER_COMPOSE_CMD:-} ]]; then
		if docker compose version >/dev/null 2>&1; then
			EMBER_COMPOSE_CMD="docker compose"
		elif command -v docker-compose >/dev/null 2>&1; then
			EMBER_COMPOSE_CMD=docker-compose
		else
			die "neither 'docker compose' nor docker-compose is installed"
		fi
	fi
	# shellcheck disable=SC2086 # the command is one or two words
	$EMBER_COMPOSE_CMD -p "$EMBER_PROJECT" -f "$EMBER_COMPOSE_FILE" "$@"
}

require_docker() {
	command -v docker >/dev/null 2>&1 || die "docker is not installed"
	docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (is dockerd running?)"
}

# node_port nodeN prints N's client port; node_addr nodeN its host address.
node_port() {
	local var="EMBER_${1^^}_PORT"
	[[ -n ${!var:-} ]] || die "unknown node $1"
	printf '%s' "${!var}"
}
node_addr() { printf '127.0.0.1:%s' "$(node_port "$1")"; }

# node_list node1 node2 ... prints their host addresses, comma-separated.
node_list() {
	local out=() n
	for n in "$@"; do out+=("$(node_addr "$n")"); done
	local IFS=,
	printf '%s' "${out[*]}"
}

# container nodeN prints the id of N's container (running or not).
container() {
	docker ps -aq --filter "label=com.docker.compose.project=$EMBER_PROJECT" \
		--filter "label=com.docker.compose.service=$1" | head -n1
}

# running_nodes prints the services of the project whose container runs.
running_nodes() {
	local n
	for n in node1 node2 node3 node4; do
		local c
		c=$(container "$n")
		if [[ -n $c && $(docker inspect -f '{{.State.Running}}' "$c") == true ]]; then
			printf '%s\n' "$n"
		fi
	done
}

# build compiles the static ember-node binary and the e2eload helper, and
# builds the image (FROM scratch: nothing is pulled).
build() {
	if [[ -n ${EMBER_SKIP_BUILD:-} ]]; then
		log "EMBER_SKIP_BUILD: using bin/ and image $EMBER_IMAGE as they are"
		return
	fi
	command -v go >/dev/null 2>&1 || die "go is not installed"
	log "building bin/ember-node (static) and bin/e2eload"
	(cd "$EMBER_ROOT" &&
		CGO_ENABLED=0 go build -trimpath -o bin/ember-node ./cmd/ember-node &&
		go build -o bin/e2eload ./scripts/e2eload)
	log "building image $EMBER_IMAGE"
	docker build -q -t "$EMBER_IMAGE" "$EMBER_ROOT" >/dev/null
}

# wait_healthy node... waits until each container's health check passes,
# and gives up at once when one exits or restarts (a crash).
wait_healthy() {
	local n deadline=$((SECONDS + 120))
	for n in "$@"; do
		local c state="" restarts0 restarts
		c=$(container "$n")
		[[ -n $c ]] || die "$n has no container"
		restarts0=$(docker inspect -f '{{.RestartCount}}' "$c")
		while [[ $state != healthy ]]; do
			read -r state restarts < <(docker inspect -f \
				'{{if eq .State.Status "running"}}{{if .State.Health}}{{.State.Health.Status}}{{else}}running{{end}}{{else}}{{.State.Status}}{{end}} {{.RestartCount}}' "$c")
			local why=""
			case $state in
			healthy) break ;;
			exited | dead) why="it stopped ($state)" ;;
			esac
			((restarts == restarts0)) || why="it crashed and was restarted"
			((SECONDS <= deadline)) || why="not healthy after 120s (state: $state)"
			if [[ -n $why ]]; then
				docker logs --tail 30 "$c" >&2 || true
				die "$n: $why"
			fi
			sleep 1
		done
	done
}

# converge node... waits until exactly these nodes form a whole cluster:
# all alive to each other, every shard led, fully replicated and caught up,
# every node routing each slot to its leader, leaderships spread (counts
# within 2 of each other).
converge() {
	"$EMBER_BIN/e2eload" converge -nodes "$(node_list "$@")" -timeout "$EMBER_SETTLE" -balance 2 ${EMBER_QUIET:+-q}
}

# have_ops_cli tells whether the binary has the operator subcommands
# (join, leave, remove, status).
have_ops_cli() {
	local out
	out=$("$EMBER_BIN/ember-node" status -h 2>&1 || true)
	[[ $out == *--node* ]]
}

# show_status prints the cluster as node seen from the host.
show_status() {
	if have_ops_cli; then
		"$EMBER_BIN/ember-node" status --node "$(node_addr "$1")"
	else
		"$EMBER_BIN/e2eload" cmd "$(node_addr "$1")" CLUSTER EMBER-STATUS
	fi
}

# Every script of the compose cluster sees the secrets of .env.
load_secrets

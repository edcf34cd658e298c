#!/usr/bin/env bash
# A real Redis Cluster (3 masters, 3 replicas) in docker: the yardstick the
# linearizability checker (cmd/ember-check) runs the same workload and faults
# against as it does against ember-node, so that its findings can be read
# against what Redis itself does under kill, pause and partition.
#
#   scripts/redis-cluster.sh up          build the image, start 6 nodes, create the cluster, wait until whole
#   scripts/redis-cluster.sh wait        wait until the cluster is whole again (after faults)
#   scripts/redis-cluster.sh targets     one line per node: NAME=CONTAINER=IP:6379 (NAME r1..r6)
#   scripts/redis-cluster.sh addrs       IP:6379 of every node, comma-separated
#   scripts/redis-cluster.sh status      CLUSTER NODES as the first reachable node sees it
#   scripts/redis-cluster.sh down [-i]   remove the containers and the network (-i: the image too)
#
# No image can be pulled here, so the image is built FROM scratch out of the
# host's own redis-server and every library ldd lists for it. Each node is a
# container ${REDIS_PROJECT}-rN with a fixed address on its own bridge network
# (the host reaches it directly, no ports published) and restart policy no:
# the checker kills, starts and pauses them itself, and cuts links with
# iptables in a node's network namespace (nsenter -t PID -n). nodes.conf and
# the AOF live in /data in the container, so docker kill + docker start keeps
# a node's identity and data; the fixed address keeps it where peers expect.
#
# Settings, from the environment:
#   REDIS_PROJECT        names of the network and containers (default: ember-rc)
#   REDIS_IMAGE          image tag (default: ember-redis:local)
#   REDIS_SERVER         the redis-server put in the image (default: /usr/bin/redis-server)
#   REDIS_NODE_TIMEOUT   cluster-node-timeout in ms (default: 5000)
#   REDIS_SUBNET         the network's subnet (default: whatever docker picks)
#   REDIS_SETTLE         seconds to wait for the cluster to be whole (default: 60)
#   REDIS_SKIP_BUILD     set: use the image as it is
set -euo pipefail

REDIS_PROJECT=${REDIS_PROJECT:-ember-rc}
REDIS_IMAGE=${REDIS_IMAGE:-ember-redis:local}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
REDIS_NODE_TIMEOUT=${REDIS_NODE_TIMEOUT:-5000}
REDIS_SUBNET=${REDIS_SUBNET:-}
REDIS_SETTLE=${REDIS_SETTLE:-60}
NODES=(r1 r2 r3 r4 r5 r6)
LABEL=ember.redis-cluster.project

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

tmp_dirs=()
cleanup() {
	local d
	for d in "${tmp_dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT

require_tools() {
	command -v docker >/dev/null 2>&1 || die "docker is not installed"
	docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (is dockerd running?)"
	command -v redis-cli >/dev/null 2>&1 ||
		die "redis-cli is not installed (apt-get install -y redis-tools)"
}

ctr() { printf '%s-%s' "$REDIS_PROJECT" "$1"; }

# rcli IP args... runs redis-cli against one node. Bounded: a paused or
# cut-off node must not hang the caller.
rcli() {
	local ip=$1
	shift
	timeout 3 redis-cli -h "$ip" -p 6379 --no-auth-warning "$@" 2>/dev/null
}

# build_image puts redis-server and the libraries it links (found by ldd,
# copied under their full paths, symlinks resolved, the dynamic loader
# included) into a temporary build context and builds REDIS_IMAGE FROM
# scratch.
build_image() {
	if [[ -n ${REDIS_SKIP_BUILD:-} ]]; then
		docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1 ||
			die "REDIS_SKIP_BUILD is set but there is no image $REDIS_IMAGE"
		log "REDIS_SKIP_BUILD: using image $REDIS_IMAGE as it is"
		return
	fi
	[[ -x $REDIS_SERVER ]] ||
		die "$REDIS_SERVER not found (apt-get install -y redis-server, or set REDIS_SERVER)"
	local ctx libs missing f
	ctx=$(mktemp -d)
	tmp_dirs+=("$ctx")
	missing=$(ldd "$REDIS_SERVER" | awk '/not found/ {print $1}')
	[[ -z $missing ]] || die "ldd $REDIS_SERVER: missing libraries: $missing"
	# "name => /path (addr)" for libraries, "/path (addr)" for the loader;
	# linux-vdso has no file.
	mapfile -t libs < <(ldd "$REDIS_SERVER" |
		awk '$2 == "=>" && $3 ~ /^\// {print $3; next} $1 ~ /^\// {print $1}')
	((${#libs[@]} > 0)) || die "ldd lists no libraries for $REDIS_SERVER (is it static?)"
	mkdir -p "$ctx/rootfs/usr/bin" "$ctx/rootfs/data" "$ctx/rootfs/tmp"
	chmod 0755 "$ctx/rootfs" "$ctx/rootfs/data"
	chmod 1777 "$ctx/rootfs/tmp"
	# Debian's redis-server is a symlink to redis-check-rdb; the binary picks
	# its mode from argv[0], so it must be a file named redis-server.
	cp -L "$REDIS_SERVER" "$ctx/rootfs/usr/bin/redis-server"
	for f in "${libs[@]}"; do cp -L --parents "$f" "$ctx/rootfs"; done
	cat >"$ctx/Dockerfile" <<-'EOF'
		FROM scratch
		COPY rootfs/ /
		WORKDIR /data
		ENTRYPOINT ["/usr/bin/redis-server"]
	EOF
	log "building image $REDIS_IMAGE FROM scratch: $("$REDIS_SERVER" --version | awk '{print $3}') and ${#libs[@]} libraries"
	local out
	if ! out=$(docker build -q -t "$REDIS_IMAGE" "$ctx" 2>&1); then
		printf '%s\n' "$out" >&2
		die "docker build failed"
	fi
}

# remove_all removes this project's containers and network.
remove_all() {
	local ids n
	mapfile -t ids < <({
		docker ps -aq --filter "label=$LABEL=$REDIS_PROJECT"
		for n in "${NODES[@]}"; do docker ps -aq --filter "name=^$(ctr "$n")\$"; done
	} | sort -u)
	if ((${#ids[@]} > 0)); then
		docker rm -f -v "${ids[@]}" >/dev/null
	fi
	if docker network inspect "$REDIS_PROJECT" >/dev/null 2>&1; then
		docker network rm "$REDIS_PROJECT" >/dev/null
	fi
}

# create_network creates the project's bridge network with a subnet of its
# own (docker only lets containers have fixed addresses on a network whose
# subnet was given). Without REDIS_SUBNET, docker picks a free one first.
create_network() {
	local subnet=$REDIS_SUBNET try
	for try in 1 2 3; do
		if [[ -z $REDIS_SUBNET ]]; then
			docker network create "$REDIS_PROJECT" >/dev/null
			subnet=$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$REDIS_PROJECT")
			docker network rm "$REDIS_PROJECT" >/dev/null
		fi
		if docker network create --driver bridge --subnet "$subnet" \
			--label "$LABEL=$REDIS_PROJECT" "$REDIS_PROJECT" >/dev/null; then
			return
		fi
		[[ -z $REDIS_SUBNET ]] || break
		log "network: $subnet was taken meanwhile (try $try), picking another"
	done
	die "could not create network $REDIS_PROJECT (subnet ${subnet:-?})"
}

# node_ip N prints the fixed address of node rN: the network's base + 10 + N.
node_ip() {
	local subnet a b c d len base
	subnet=$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$REDIS_PROJECT")
	IFS=./ read -r a b c d len <<<"$subnet"
	((len <= 27)) || die "subnet $subnet is too small (need /27 or larger)"
	base=$(((a << 24 | b << 16 | c << 8 | d) & (0xffffffff << (32 - len)) & 0xffffffff))
	base=$((base + 10 + $1))
	printf '%d.%d.%d.%d' $((base >> 24 & 255)) $((base >> 16 & 255)) $((base >> 8 & 255)) $((base & 255))
}

# ip_of rN prints the address the container was given (also while it is
# stopped: the fixed address is kept in its endpoint config).
ip_of() {
	local c ip
	c=$(ctr "$1")
	ip=$(docker inspect -f "{{with index .NetworkSettings.Networks \"$REDIS_PROJECT\"}}{{with .IPAMConfig}}{{.IPv4Address}}{{end}}{{end}}" "$c" 2>/dev/null) ||
		die "$c does not exist (is the cluster up? scripts/redis-cluster.sh up)"
	[[ -n $ip ]] || die "$c has no fixed address on network $REDIS_PROJECT"
	printf '%s' "$ip"
}

# load_ips sets IPS to the nodes' addresses, in the order of NODES (in this
# shell, so that a missing container stops the script).
IPS=()
load_ips() {
	local n ip
	IPS=()
	for n in "${NODES[@]}"; do
		ip=$(ip_of "$n")
		IPS+=("$ip")
	done
}

start_nodes() {
	local n i=0 ip
	for n in "${NODES[@]}"; do
		i=$((i + 1))
		ip=$(node_ip "$i")
		docker run -d --name "$(ctr "$n")" --hostname "$n" \
			--network "$REDIS_PROJECT" --ip "$ip" --restart no \
			--label "$LABEL=$REDIS_PROJECT" --label "ember.redis-cluster.node=$n" \
			"$REDIS_IMAGE" \
			--port 6379 --cluster-enabled yes --cluster-node-timeout "$REDIS_NODE_TIMEOUT" \
			--appendonly yes --appendfsync everysec --dir /data \
			--protected-mode no --bind 0.0.0.0 >/dev/null
	done
	# Every node answers before the cluster is created.
	local deadline=$((SECONDS + 20))
	for n in "${NODES[@]}"; do
		ip=$(ip_of "$n")
		until [[ $(rcli "$ip" ping) == PONG ]]; do
			if [[ $(docker inspect -f '{{.State.Running}}' "$(ctr "$n")") != true ]] || ((SECONDS > deadline)); then
				docker logs --tail 30 "$(ctr "$n")" >&2 || true
				die "$n ($ip) does not answer PING"
			fi
			sleep 0.2
		done
	done
}

# check_node IP tells whether the node at IP sees a whole cluster: it knows
# 6 nodes, all connected, none failing or in handshake; 3 masters own slots,
# each with exactly one replica; its cluster_state is ok; when it is a
# replica, its link to its master is up and not syncing. It prints "ok" and
# then the roles it sees ("id master" / "id replica-of-id" lines, so that
# views can be compared), or else one line saying what is wrong.
check_node() {
	local ip=$1 nodes info why
	if ! nodes=$(rcli "$ip" cluster nodes) || [[ -z $nodes ]]; then
		echo "no answer"
		return
	fi
	why=$(awk '
		{ n++; id = $1; flags = $3; link = $8
		  if (flags ~ /fail|handshake|noaddr/) bad = bad " " substr(id, 1, 8) ":" flags
		  else if (link != "connected") bad = bad " " substr(id, 1, 8) ":" link
		  if (flags ~ /master/) { if (NF >= 9) master[id] = 1; else nslot++ }
		  if (flags ~ /slave/) rep[id] = $4 }
		END {
		  if (n != 6) printf "knows %d nodes, not 6; ", n
		  if (bad != "") printf "unhealthy:%s; ", bad
		  if (nslot) printf "%d master(s) without slots; ", nslot
		  nm = 0; for (m in master) nm++
		  if (nm != 3) printf "%d masters with slots, not 3; ", nm
		  for (r in rep) if (!(rep[r] in master)) printf "replica %s of a non-master; ", substr(r, 1, 8); else cnt[rep[r]]++
		  for (m in master) if (cnt[m] != 1) printf "master %s has %d replicas; ", substr(m, 1, 8), cnt[m]
		}' <<<"$nodes")
	if [[ -n $why ]]; then
		echo "${why%; }"
		return
	fi
	info=$(rcli "$ip" cluster info) || { echo "no answer"; return; }
	[[ $info == *cluster_state:ok* ]] || { echo "cluster_state is not ok"; return; }
	if grep -q 'myself,slave' <<<"$nodes"; then
		info=$(rcli "$ip" info replication) || { echo "no answer"; return; }
		[[ $info == *master_link_status:up* ]] || { echo "its link to its master is not up"; return; }
		[[ $info == *master_sync_in_progress:0* ]] || { echo "still syncing from its master"; return; }
	fi
	echo ok
	awk '{ print $1, ($3 ~ /master/ ? "master" : "replica-of-" $4) }' <<<"$nodes" | sort
}

# wait_whole waits, up to REDIS_SETTLE seconds, until every node sees a whole
# cluster and all see the same roles. It names what it still waited on when
# it gives up.
wait_whole() {
	local deadline=$((SECONDS + REDIS_SETTLE)) t0=$SECONDS i n ip why out first
	load_ips
	while :; do
		why="" first=""
		for i in "${!NODES[@]}"; do
			n=${NODES[i]} ip=${IPS[i]}
			out=$(check_node "$ip")
			if [[ ${out%%$'\n'*} != ok ]]; then
				why="$n ($ip): $out"
				break
			fi
			if [[ -z $first ]]; then
				first=$out
			elif [[ $out != "$first" ]]; then
				why="$n ($ip) sees other roles than ${NODES[0]}"
				break
			fi
		done
		if [[ -z $why ]]; then
			log "cluster whole after $((SECONDS - t0))s: 3 masters with a replica each, all nodes agree"
			return
		fi
		((SECONDS < deadline)) || die "cluster not whole after ${REDIS_SETTLE}s: $why"
		sleep 0.5
	done
}

# show_roles prints one line per node, as the first node that answers sees
# the cluster: name, address, role (whose replica), slots.
show_roles() {
	local nodes
	nodes=$(cmd_status 2>/dev/null) || return
	cmd_targets | awk -F= -v nodes="$nodes" '
		{ split($3, a, ":"); name[a[1]] = $1 }
		END {
		  n = split(nodes, line, "\n")
		  for (i = 1; i <= n; i++) { split(line[i], f, " "); split(f[2], a, ":"); id[f[1]] = name[a[1]] }
		  for (i = 1; i <= n; i++) {
		    k = split(line[i], f, " "); split(f[2], a, ":")
		    role = f[3] ~ /master/ ? "master" : "replica of " id[f[4]]
		    if (f[3] ~ /fail/) role = role " (" f[3] ")"
		    slots = ""; for (j = 9; j <= k; j++) slots = slots " " f[j]
		    printf "  %s %s %s%s\n", name[a[1]], a[1], role, slots
		  }
		}' | sort
}

cmd_up() {
	require_tools
	local t0=$SECONDS
	build_image
	log "removing leftovers of project $REDIS_PROJECT"
	remove_all
	create_network
	log "network $REDIS_PROJECT: $(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$REDIS_PROJECT"); starting ${#NODES[@]} nodes"
	start_nodes
	local addrs=() ip out
	load_ips
	for ip in "${IPS[@]}"; do addrs+=("$ip:6379"); done
	log "creating the cluster: ${addrs[*]}"
	if ! out=$(timeout 60 redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes 2>&1); then
		printf '%s\n' "$out" >&2
		die "redis-cli --cluster create failed"
	fi
	wait_whole
	show_roles >&2 || true
	log "up in $((SECONDS - t0))s; targets:"
	cmd_targets >&2
}

cmd_down() {
	local drop_image=""
	case ${1:-} in
	-i) drop_image=1 ;;
	"") ;;
	*) usage ;;
	esac
	command -v docker >/dev/null 2>&1 || die "docker is not installed"
	log "removing containers and network of project $REDIS_PROJECT"
	remove_all
	if [[ -n $drop_image ]] && docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1; then
		log "removing image $REDIS_IMAGE"
		docker rmi "$REDIS_IMAGE" >/dev/null
	fi
}

cmd_targets() {
	local i
	load_ips
	for i in "${!NODES[@]}"; do
		printf '%s=%s=%s:6379\n' "${NODES[i]}" "$(ctr "${NODES[i]}")" "${IPS[i]}"
	done
}

cmd_addrs() {
	local out=() ip
	load_ips
	for ip in "${IPS[@]}"; do out+=("$ip:6379"); done
	local IFS=,
	printf '%s\n' "${out[*]}"
}

cmd_status() {
	local i out
	load_ips
	for i in "${!NODES[@]}"; do
		if out=$(rcli "${IPS[i]}" cluster nodes) && [[ -n $out ]]; then
			log "CLUSTER NODES as ${NODES[i]} (${IPS[i]}) sees it:"
			printf '%s\n' "$out"
			return
		fi
	done
	die "no node answers"
}

what=${1:-}
[[ $# -gt 0 ]] && shift
case $what in
up) cmd_up ;;
wait) require_tools; wait_whole ;;
targets) cmd_targets ;;
addrs) cmd_addrs ;;
status) cmd_status ;;
down) cmd_down "$@" ;;
*) usage ;;
esac

package store

import (
	"net"
	"strconv"
)

// Topology is a Store that knows the cluster: who serves which slots.
// CLUSTER SLOTS, SHARDS and NODES render it, and redirections use it.
type Topology interface {
	ClusterView() ClusterView
}

// ClusterView is one consistent picture of the cluster.
type ClusterView struct {
	// Self is this node's id.
	Self   string
	Nodes  []ClusterNode
	Shards []ClusterShard
}

// ClusterNode is one node as clients see it.
type ClusterNode struct {
	ID string
	// Addr is the client (RESP) address clients should use, host:port.
	Addr string
	// TLSAddr is the node's TLS client address, "" when it has no TLS
	// port. ForTLS makes it the address TLS clients are told.
	TLSAddr string
	// ClusterPort is the node-to-node port, reported as Redis's cport.
	ClusterPort int
	// Alive is false for a node the cluster believes down.
	Alive bool
}

// ClusterShard is one shard: a contiguous slot range and its replicas.
type ClusterShard struct {
	ID         int
	Start, End int // inclusive slot range
	// Leader is the id of the node that leads the shard's group, "" when
	// it has none; Followers are the other replicas.
	Leader    string
	Followers []string
	// Offset is the leader's applied index (Redis's replication offset).
	Offset uint64
}

// ForTLS returns the view as a client of a TLS port is shown it: every
// node's TLS address where it has one, as Redis 7 tells a TLS client TLS
// ports (MOVED, CLUSTER SLOTS, SHARDS, NODES) and a plain client plain
// ones.
func (v ClusterView) ForTLS() ClusterView {
	nodes := make([]ClusterNode, len(v.Nodes))
	for i, n := range v.Nodes {
		if n.TLSAddr != "" {
			n.Addr = n.TLSAddr
		}
		nodes[i] = n
	}
	v.Nodes = nodes
	return v
}

// Node returns the node with id, if known.
func (v *ClusterView) Node(id string) (ClusterNode, bool) {
	for _, n := range v.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return ClusterNode{}, false
}

// ShardOf returns the shard holding slot.
func (v *ClusterView) ShardOf(slot int) (ClusterShard, bool) {
	for _, s := range v.Shards {
		if slot >= s.Start && slot <= s.End {
			return s, true
		}
	}
	return ClusterShard{}, false
}

// SplitAddr splits a node's address, host:port, into the host and port
// that CLUSTER SLOTS, SHARDS and NODES report; a malformed address is all
// host, port 0.
func SplitAddr(addr string) (string, int) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

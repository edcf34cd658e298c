package rpc

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

// node returns the node with id, if known.
func (v *ClusterView) node(id string) (ClusterNode, bool) {
	for _, n := range v.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return ClusterNode{}, false
}

// shardOf returns the shard holding slot.
func (v *ClusterView) shardOf(slot int) (ClusterShard, bool) {
	for _, s := range v.Shards {
		if slot >= s.Start && slot <= s.End {
			return s, true
		}
	}
	return ClusterShard{}, false
}

// ClusterOps is a Store that takes operator actions (CLUSTER EMBER-*,
// MEET, FORGET): the ember-node join, leave, remove and status
// subcommands talk to a node through them.
type ClusterOps interface {
	JoinInfo() ([]byte, error)
	JoinCluster(seeds []string) error
	Leave() error
	Forget(id string) error
	StatusJSON() ([]byte, error)
}

package cluster

import (
	"slices"
	"sync"
	"time"

	"github.com/ember-node/ember-node/shard/store"
)

// NodeMeta is what every node gossips about itself (memberlist node
// metadata, kept far below memberlist's 512-byte cap).
type NodeMeta struct {
	ID      string `json:"id"`
	Client  string `json:"c"`           // RESP address clients use
	TLS     string `json:"t,omitempty"` // RESP address TLS clients use; "" without a TLS port
	Cluster string `json:"r"`           // cluster port (Raft, admin)
	Gossip  string `json:"g"`           // memberlist address
	Shards  int    `json:"s"`           // shard count of the cluster
	Leaving bool   `json:"l,omitempty"` // draining: place no replicas here
}

// leaderInfo is one shard's leader as announced by itself.
type leaderInfo struct {
	Shard  int      `json:"s"`
	Leader string   `json:"l"`
	Term   uint64   `json:"t"`
	Voters []string `json:"v"`
	Learns []string `json:"n,omitempty"` // non-voters
	Index  uint64   `json:"i"`
}

type nodeState struct {
	meta  NodeMeta
	alive bool
	since time.Time // when alive last changed
}

// routing is this node's picture of the cluster: members from gossip and
// each shard's leader, where the announcement with the higher term wins.
// A stale entry costs a client one extra MOVED, never a wrong answer:
// only a Raft leader commits.
type routing struct {
	mu      sync.RWMutex
	self    string
	shards  int
	nodes   map[string]*nodeState
	leaders map[int]leaderInfo
	removed map[string]bool
}

func newRouting(self NodeMeta) *routing {
	return &routing{
		self: self.ID, shards: self.Shards,
		nodes:   map[string]*nodeState{self.ID: {meta: self, alive: true, since: time.Now()}},
		leaders: map[int]leaderInfo{},
		removed: map[string]bool{},
	}
}

// setNode records a member's metadata and liveness.
func (r *routing) setNode(m NodeMeta, alive bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.nodes[m.ID]
	if n == nil {
		n = &nodeState{since: time.Now()}
		r.nodes[m.ID] = n
	}
	if n.alive != alive {
		n.since = time.Now()
	}
	n.meta, n.alive = m, alive
}

// observe takes a leader announcement; it reports whether it was news.
func (r *routing) observe(li leaderInfo) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.leaders[li.Shard]
	if ok && (old.Term > li.Term || old.Term == li.Term && old.Index >= li.Index) {
		return false
	}
	r.leaders[li.Shard] = li
	return true
}

// forget marks a node removed by an operator: no longer a placement target.
func (r *routing) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removed[id] = true
	if n := r.nodes[id]; n != nil {
		n.alive = false
	}
}

func (r *routing) leaderOf(shard int) (leaderInfo, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	li, ok := r.leaders[shard]
	return li, ok
}

func (r *routing) nodeMeta(id string) (NodeMeta, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := r.nodes[id]
	if n == nil {
		return NodeMeta{}, false
	}
	return n.meta, true
}

// snapshotLeaders returns every announcement, for push/pull state.
func (r *routing) snapshotLeaders() []leaderInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]leaderInfo, 0, len(r.leaders))
	for _, li := range r.leaders {
		out = append(out, li)
	}
	return out
}

func (r *routing) removedIDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for id := range r.removed {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// eligible returns the nodes that may hold replicas: alive (or dead for
// less than grace), not leaving, not removed.
func (r *routing) eligible(grace time.Duration) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for id, n := range r.nodes {
		if r.removed[id] || n.meta.Leaving {
			continue
		}
		if !n.alive && time.Since(n.since) > grace {
			continue
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// anotherServing reports whether a node other than self is alive, not
// removed and not leaving: one that could take self's shards.
func (r *routing) anotherServing(self string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for id, n := range r.nodes {
		if id != self && n.alive && !r.removed[id] && !n.meta.Leaving {
			return true
		}
	}
	return false
}

func (r *routing) isAlive(id string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := r.nodes[id]
	return n != nil && n.alive && !r.removed[id]
}

// view renders the routing table for CLUSTER commands and redirects.
func (r *routing) view() store.ClusterView {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v := store.ClusterView{Self: r.self}
	ids := make([]string, 0, len(r.nodes))
	for id := range r.nodes {
		if !r.removed[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		n := r.nodes[id]
		_, cport := store.SplitAddr(n.meta.Cluster)
		v.Nodes = append(v.Nodes, store.ClusterNode{ID: id, Addr: n.meta.Client, TLSAddr: n.meta.TLS, ClusterPort: cport, Alive: n.alive})
	}
	for i := range r.shards {
		start, end := SlotRange(i, r.shards)
		s := store.ClusterShard{ID: i, Start: start, End: end}
		if li, ok := r.leaders[i]; ok {
			if n := r.nodes[li.Leader]; n != nil && n.alive {
				s.Leader, s.Offset = li.Leader, li.Index
			}
			for _, vid := range li.Voters {
				if vid != li.Leader && r.nodes[vid] != nil && !r.removed[vid] {
					s.Followers = append(s.Followers, vid)
				}
			}
		}
		v.Shards = append(v.Shards, s)
	}
	return v
}

// reset starts over with only this node, after it dropped its own
// standalone cluster to join another.
func (r *routing) reset(self NodeMeta) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shards = self.Shards
	r.nodes = map[string]*nodeState{self.ID: {meta: self, alive: true, since: time.Now()}}
	r.leaders = map[int]leaderInfo{}
}

package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/cluster/group"
	"github.com/ember-node/ember-node/shard"
)

// Operator actions, reached through CLUSTER EMBER-* commands on a node's
// client port (the ember-node join/leave/remove/status subcommands).

// ErrLastNode refuses to drain the cluster's last serving node: nobody
// could take its shards, so the leave could never finish.
var ErrLastNode = errors.New("this is the cluster's last serving node: there is no node to hand its shards to (stop it instead)")

// ErrNotEmpty refuses to join a node that already holds data.
var ErrNotEmpty = errors.New("node holds keys or already belongs to a cluster: only an empty, standalone node can join another cluster")

// JoinCluster makes a running, empty, standalone node join the cluster of
// seeds (client addresses): it drops its own bootstrapped groups and
// gossips with the cluster, whose leaders then place replicas here.
func (n *Node) JoinCluster(seeds []string) error {
	if n.ml == nil {
		return errors.New("gossip is off on this node")
	}
	if n.ml.ml.NumMembers() > 1 {
		return ErrNotEmpty
	}
	for _, g := range n.Groups() {
		empty := false
		g.ReadStale(func(ks *shard.Keyspace, _ int64) { empty = ks.Len() == 0 })
		if !empty {
			return ErrNotEmpty
		}
	}
	// One try, not fetchJoinInfo's minute of retries: an operator
	// (ember-node join) is waiting for the answer.
	info, err := n.tryJoinInfo(seeds)
	if err != nil {
		return err
	}
	if info.ID == n.id {
		return errors.New("cannot join itself")
	}
	for _, g := range n.Groups() {
		n.dropGroup(g.ID())
	}
	n.nshards.Store(int32(info.Shards))
	n.rt.reset(n.selfMeta())
	n.ml.setMeta(n.selfMeta())
	if err := saveMeta(n.cfg.DataDir, meta{ID: n.id, Shards: info.Shards, Peers: info.Gossip}); err != nil {
		return err
	}
	if err := n.ml.join(info.Gossip); err != nil {
		return fmt.Errorf("cluster: join %v: %w", info.Gossip, err)
	}
	n.log.Info("joined cluster", "via", info.ID, "shards", info.Shards)
	return nil
}

// Leave starts draining: no replicas are placed here any more, leaders
// move this node's replicas and leaderships away, and Done is closed once
// the node belongs to no group.
func (n *Node) Leave() error {
	if n.ml == nil {
		return errors.New("gossip is off on this node")
	}
	if n.leaving.Load() {
		return nil
	}
	if !n.rt.anotherServing(n.id) {
		return ErrLastNode
	}
	return n.startLeaving("leaving the cluster: handing over replicas and leaderships")
}

func (n *Node) startLeaving(why string) error {
	if !n.leaving.CompareAndSwap(false, true) {
		return nil
	}
	if err := n.ml.setLeaving(); err != nil {
		return err
	}
	n.log.Info(why)
	n.wg.Add(1)
	go n.waitLeft()
	return nil
}

// evicted runs when gossip says an operator removed this node while it
// was alive (ember-node remove --force): it hands over what it leads and
// leaves, as ember-node leave would, rather than lead shards whose other
// members no longer count it.
func (n *Node) evicted() {
	if n.leaving.Load() || n.closed.Load() {
		return
	}
	n.log.Error("an operator removed this node from the cluster (remove --force)")
	if err := n.startLeaving("evicted: handing over leaderships and leaving"); err != nil {
		n.log.Error("failed to start leaving", "error", err)
	}
}

func (n *Node) waitLeft() {
	defer n.wg.Done()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			if len(n.Groups()) == 0 {
				n.log.Info("left every shard group; leaving gossip")
				n.ml.leave()
				n.doneOnce.Do(func() { close(n.done) })
				return
			}
		}
	}
}

// Done is closed when a leaving node has handed everything over.
func (n *Node) Done() <-chan struct{} { return n.done }

// Forget removes a dead node from placement at once (no grace period);
// with force, a live one too (an unwanted member: the others stop
// counting it, and the node itself, hearing of it, hands over and
// leaves).
func (n *Node) Forget(id string, force bool) error {
	if id == n.id {
		return errors.New("a node cannot remove itself: use leave")
	}
	if _, ok := n.rt.nodeMeta(id); !ok {
		return fmt.Errorf("unknown node %q", id)
	}
	if n.ml == nil {
		return errors.New("gossip is off on this node")
	}
	if n.rt.isAlive(id) {
		if !force {
			return fmt.Errorf("node %s is alive: use leave on it instead, or remove --force to evict it", id)
		}
		n.log.Warn("evicting a live member at an operator's request", "member", id)
	}
	n.ml.forget(id)
	return nil
}

// ShardStatus is one led shard in Status.
type ShardStatus struct {
	Shard    int               `json:"shard"`
	Leader   string            `json:"leader"`
	Term     uint64            `json:"term"`
	Voters   []string          `json:"voters"`
	Learners []string          `json:"learners,omitempty"`
	Applied  uint64            `json:"applied"`
	Lag      map[string]uint64 `json:"lag,omitempty"`
	Keys     int               `json:"keys"`
	// Target is where placement, as this leader sees the cluster, wants
	// the shard's replicas: the group has settled once its voters are
	// exactly these and it has no learners.
	Target []string `json:"target"`
}

// ShardRoute is one shard as this node's routing table has it from
// gossip (the latest leader announcement), whether or not it leads it:
// it still names the members of a shard that has lost its leader.
type ShardRoute struct {
	Shard    int      `json:"shard"`
	Leader   string   `json:"leader,omitempty"`
	Term     uint64   `json:"term,omitempty"`
	Voters   []string `json:"voters,omitempty"`
	Learners []string `json:"learners,omitempty"`
}

// NodeStatus is one member in Status.
type NodeStatus struct {
	ID      string `json:"id"`
	Client  string `json:"client"`
	Alive   bool   `json:"alive"`
	Leaving bool   `json:"leaving,omitempty"`
	Leads   int    `json:"leads"`
	Holds   int    `json:"holds"`
}

// Status is what `ember-node status` prints, as seen by one node: every
// member, every shard's route, and the shards this node leads in detail.
// The ops commands merge the Led parts of every live node's Status.
type Status struct {
	Self     string        `json:"self"`
	Shards   int           `json:"shards"`
	Replicas int           `json:"replicas"`
	Nodes    []NodeStatus  `json:"nodes"`
	Routes   []ShardRoute  `json:"routes"`
	Led      []ShardStatus `json:"led"`
}

// StatusJSON implements CLUSTER EMBER-STATUS.
func (n *Node) StatusJSON() ([]byte, error) {
	st := Status{Self: n.id, Shards: n.shardCount(), Replicas: n.cfg.Replicas}
	v := n.ClusterView()
	for _, nd := range v.Nodes {
		ns := NodeStatus{ID: nd.ID, Client: nd.Addr, Alive: nd.Alive}
		if m, ok := n.rt.nodeMeta(nd.ID); ok {
			ns.Leaving = m.Leaving
		}
		for i := range n.shardCount() {
			li, ok := n.rt.leaderOf(i)
			if ok && li.Leader == nd.ID {
				ns.Leads++
			}
			if ok && (slices.Contains(li.Voters, nd.ID) || slices.Contains(li.Learns, nd.ID)) {
				ns.Holds++
			}
		}
		st.Nodes = append(st.Nodes, ns)
	}
	for i := range n.shardCount() {
		r := ShardRoute{Shard: i}
		if li, ok := n.rt.leaderOf(i); ok {
			r.Leader, r.Term, r.Voters, r.Learners = li.Leader, li.Term, li.Voters, li.Learns
		}
		st.Routes = append(st.Routes, r)
	}
	eligible := n.rt.eligible(n.cfg.DeadGrace)
	for _, g := range n.Groups() {
		if !g.IsReadyLeader() {
			continue
		}
		ss := n.shardStatus(g)
		ss.Target = n.target(g.ID(), eligible)
		st.Led = append(st.Led, ss)
	}
	return json.Marshal(st)
}

func (n *Node) shardStatus(g *group.Group) ShardStatus {
	ss := ShardStatus{Shard: g.ID(), Leader: n.id, Term: g.Raft().CurrentTerm(), Applied: g.FSM().Applied(), Lag: map[string]uint64{}}
	if f := g.Raft().GetConfiguration(); f.Error() == nil {
		for _, s := range f.Configuration().Servers {
			id := string(s.ID)
			if s.Suffrage == raft.Voter {
				ss.Voters = append(ss.Voters, id)
			} else {
				ss.Learners = append(ss.Learners, id)
			}
			if id == n.id {
				continue
			}
			if m, ok := n.rt.nodeMeta(id); ok {
				// The follower is asked after the leader's own index was
				// read: under load it has often applied more by then,
				// which means caught up, not unreached.
				if a, err := n.askApplied(m.Cluster, g.ID()); err == nil {
					ss.Lag[id] = ss.Applied - min(a, ss.Applied)
				}
			}
		}
	}
	g.ReadStale(func(ks *shard.Keyspace, _ int64) { ss.Keys = ks.Len() })
	return ss
}

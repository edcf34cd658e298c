package cluster

import (
	"slices"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/hashicorp/raft"
)

// Placement: every node computes the same target replica set for each
// shard (rendezvous hashing over eligible nodes), and each shard's leader
// moves its group toward it one change at a time: add a missing target as
// a non-voter, promote it once caught up, and only then remove a member
// that is not a target (transferring leadership first if it is itself).
// Nodes open an empty member for shards that target them, so the leader
// can add them; they drop a member the group no longer lists.

// caughtUpLag is how far behind the leader's applied index a new replica
// may be when it is promoted to voter.
const caughtUpLag = 64

func (n *Node) reconcileLoop() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.ReconcileEvery)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			n.reconcile()
		}
	}
}

// target returns the nodes that should hold shard's replicas.
func (n *Node) target(shard int, eligible []string) []string {
	r := min(n.cfg.Replicas, len(eligible))
	type scored struct {
		id    string
		score uint64
	}
	s := make([]scored, len(eligible))
	for i, id := range eligible {
		s[i] = scored{id, xxhash.Sum64String(id + "/" + strconv.Itoa(shard))}
	}
	slices.SortFunc(s, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	out := make([]string, r)
	for i := range r {
		out[i] = s[i].id
	}
	return out
}

func (n *Node) reconcile() {
	if n.ml == nil {
		return
	}
	eligible := n.rt.eligible(n.cfg.DeadGrace)
	changed := false
	for shard := range n.shardCount() {
		target := n.target(shard, eligible)
		g := n.groupByID(shard)
		switch {
		case g == nil && slices.Contains(target, n.id) && !n.leaving.Load():
			if _, err := n.openGroup(shard); err != nil {
				n.log.Error("failed to open group", "shard", shard, "error", err)
			}
		case g != nil && g.isReadyLeader():
			n.announceGroup(g)
			if !changed {
				changed = n.reconcileGroup(g, target)
			}
		case g != nil:
			n.maybeDrop(g, target)
		}
	}
	if !changed {
		n.balanceLeaders()
	}
}

// reconcileGroup makes at most one membership change; it reports whether
// it made one.
func (n *Node) reconcileGroup(g *Group, target []string) bool {
	f := g.raft.GetConfiguration()
	if f.Error() != nil {
		return false
	}
	servers := f.Configuration().Servers
	has := func(id string) (raft.Server, bool) {
		for _, s := range servers {
			if string(s.ID) == id {
				return s, true
			}
		}
		return raft.Server{}, false
	}
	for _, id := range target {
		if _, ok := has(id); ok || !n.rt.isAlive(id) {
			continue
		}
		if m, ok := n.rt.nodeMeta(id); ok {
			n.log.Info("adding replica", "shard", g.ID(), "replica", id)
			return n.change(g, g.raft.AddNonvoter(raft.ServerID(id), raft.ServerAddress(m.Cluster), 0, 0))
		}
	}
	for _, s := range servers {
		if s.Suffrage == raft.Nonvoter && slices.Contains(target, string(s.ID)) && n.caughtUp(g, string(s.ID)) {
			n.log.Info("promoting replica", "shard", g.ID(), "replica", s.ID)
			return n.change(g, g.raft.AddVoter(s.ID, s.Address, 0, 0))
		}
	}
	allTargetsVote := true
	for _, id := range target {
		if s, ok := has(id); !ok || s.Suffrage != raft.Voter {
			allTargetsVote = false
		}
	}
	for _, s := range servers {
		id := string(s.ID)
		if slices.Contains(target, id) || s.Suffrage == raft.Voter && !allTargetsVote {
			continue
		}
		if id == n.id {
			n.handOff(g, target)
			return true
		}
		n.log.Info("removing replica", "shard", g.ID(), "replica", id)
		return n.change(g, g.raft.RemoveServer(s.ID, 0, 0))
	}
	return false
}

func (n *Node) change(g *Group, f raft.IndexFuture) bool {
	if err := f.Error(); err != nil {
		n.log.Warn("membership change failed", "shard", g.ID(), "error", err)
	}
	n.announceGroup(g)
	return true
}

// caughtUp asks a new replica how far it has applied.
func (n *Node) caughtUp(g *Group, id string) bool {
	m, ok := n.rt.nodeMeta(id)
	if !ok {
		return false
	}
	applied, err := n.askApplied(m.Cluster, g.ID())
	return err == nil && applied+caughtUpLag >= g.fsm.Applied()
}

// handOff transfers leadership of g to a target voter, so that this node
// can then be removed from the group by the new leader.
func (n *Node) handOff(g *Group, target []string) {
	for _, id := range target {
		if id == n.id || !n.rt.isAlive(id) {
			continue
		}
		if m, ok := n.rt.nodeMeta(id); ok {
			n.log.Info("handing shard leadership over", "shard", g.ID(), "to", id)
			if err := g.raft.LeadershipTransferToServer(raft.ServerID(id), raft.ServerAddress(m.Cluster)).Error(); err != nil {
				n.log.Warn("leadership transfer failed", "shard", g.ID(), "error", err)
			}
			return
		}
	}
}

// maybeDrop closes and deletes a local member the group no longer lists
// (per its leader's announcement) and that is no placement target.
func (n *Node) maybeDrop(g *Group, target []string) {
	if slices.Contains(target, n.id) && !n.leaving.Load() {
		return
	}
	li, ok := n.rt.leaderOf(g.ID())
	if !ok || li.Leader == n.id || slices.Contains(li.Voters, n.id) || slices.Contains(li.Learns, n.id) {
		return
	}
	n.dropGroup(g.ID())
}

// balanceLeaders moves one leadership per round from this node to a
// voter that leads fewer shards, when this node leads more than its share.
func (n *Node) balanceLeaders() {
	v := n.rt.view()
	alive := 0
	count := map[string]int{}
	for _, nd := range v.Nodes {
		if nd.Alive {
			alive++
		}
	}
	for _, s := range v.Shards {
		if s.Leader != "" {
			count[s.Leader]++
		}
	}
	if alive < 2 {
		return
	}
	share := (n.shardCount() + alive - 1) / alive
	if count[n.id] <= share && !n.leaving.Load() {
		return
	}
	for _, g := range n.Groups() {
		if !g.isReadyLeader() {
			continue
		}
		li, _ := n.rt.leaderOf(g.ID())
		for _, id := range li.Voters {
			if id == n.id || !n.rt.isAlive(id) || count[id] >= share || !n.caughtUp(g, id) {
				continue
			}
			m, _ := n.rt.nodeMeta(id)
			n.log.Info("balancing shard leadership", "shard", g.ID(), "to", id)
			g.raft.LeadershipTransferToServer(raft.ServerID(id), raft.ServerAddress(m.Cluster))
			return
		}
	}
}

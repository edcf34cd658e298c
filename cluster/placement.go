package cluster

import (
	"slices"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/cluster/group"
	"github.com/ember-node/ember-node/shard/store"
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
	for i := 0; ; i++ {
		select {
		case <-n.stop:
			return
		case <-t.C:
			n.reconcile()
			if i%4 == 0 {
				n.gossipUpkeep()
			}
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
	adds := maxCatchingUp - n.catchingUp()
	for shard := range n.shardCount() {
		if n.closed.Load() {
			return // shutting down: a call to a dead peer must not hold Close up
		}
		target := n.target(shard, eligible)
		g := n.groupByID(shard)
		switch {
		case g == nil && !n.leaving.Load() && (slices.Contains(target, n.id) || n.listedBy(shard)):
			if _, err := n.openGroup(shard); err != nil {
				n.log.Error("failed to open group", "shard", shard, "error", err)
			}
		case g != nil && g.IsReadyLeader():
			n.announceGroup(g)
			if n.reconcileGroup(g, target, &adds) {
				changed = true
			}
		case g != nil:
			n.maybeDrop(g, target)
		}
	}
	if !changed {
		n.balanceLeaders()
	}
}

// maxCatchingUp bounds the groups led by one node that have a new replica
// catching up (a snapshot or a log replay in flight). Every group makes
// its own next change each round, so a joining or leaving node is served
// by all shards at once, but only this many copy data at a time.
const maxCatchingUp = 2

// catchingUp counts the groups led here that have a non-voter.
func (n *Node) catchingUp() int {
	count := 0
	for _, g := range n.Groups() {
		if !g.IsReadyLeader() {
			continue
		}
		if f := g.Raft().GetConfiguration(); f.Error() == nil &&
			slices.ContainsFunc(f.Configuration().Servers, func(s raft.Server) bool { return s.Suffrage == raft.Nonvoter }) {
			count++
		}
	}
	return count
}

// reconcileGroup makes at most one membership change; it reports whether
// it made one. Adding a replica spends one of adds.
func (n *Node) reconcileGroup(g *group.Group, target []string, adds *int) bool {
	f := g.Raft().GetConfiguration()
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
		if _, ok := has(id); ok || !n.rt.isAlive(id) || *adds <= 0 {
			continue
		}
		if m, ok := n.rt.nodeMeta(id); ok {
			n.log.Info("adding replica", "shard", g.ID(), "replica", id)
			*adds--
			return n.change(g, g.Raft().AddNonvoter(raft.ServerID(id), raft.ServerAddress(m.Cluster), 0, 0))
		}
	}
	for _, s := range servers {
		if s.Suffrage == raft.Nonvoter && slices.Contains(target, string(s.ID)) && n.caughtUp(g, string(s.ID)) {
			n.log.Info("promoting replica", "shard", g.ID(), "replica", s.ID)
			return n.change(g, g.Raft().AddVoter(s.ID, s.Address, 0, 0))
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
		return n.change(g, g.Raft().RemoveServer(s.ID, 0, 0))
	}
	return false
}

func (n *Node) change(g *group.Group, f raft.IndexFuture) bool {
	if err := f.Error(); err != nil {
		n.log.Warn("membership change failed", "shard", g.ID(), "error", err)
	}
	n.announceGroup(g)
	return true
}

// caughtUp asks a new replica how far it has applied.
func (n *Node) caughtUp(g *group.Group, id string) bool {
	m, ok := n.rt.nodeMeta(id)
	if !ok {
		return false
	}
	applied, err := n.askApplied(m.Cluster, g.ID())
	return err == nil && applied+caughtUpLag >= g.FSM().Applied()
}

// handOff transfers leadership of g to a target voter, so that this node
// can then be removed from the group by the new leader.
func (n *Node) handOff(g *group.Group, target []string) {
	for _, id := range target {
		if id == n.id || !n.rt.isAlive(id) {
			continue
		}
		if m, ok := n.rt.nodeMeta(id); ok {
			n.log.Info("handing shard leadership over", "shard", g.ID(), "to", id)
			if err := g.TransferLeadershipTo(id, m.Cluster); err != nil {
				n.log.Warn("leadership transfer failed", "shard", g.ID(), "error", err)
			}
			return
		}
	}
}

// listedBy reports whether the shard's leader lists this node as a
// member. Views of the cluster differ for a while (a node that joined
// later never hears of members that died before it came, so one that has
// a dead node still eligible computes another target), and it is the
// leader's view that counts: a node it added must open its member, or the
// leader waits for it to catch up until the views agree again (up to
// --dead-grace).
func (n *Node) listedBy(shard int) bool {
	li, ok := n.rt.leaderOf(shard)
	return ok && li.Leader != n.id && (slices.Contains(li.Voters, n.id) || slices.Contains(li.Learns, n.id))
}

// maybeDrop closes and deletes a local member the group no longer lists
// (per its leader's announcement) and that is no placement target.
func (n *Node) maybeDrop(g *group.Group, target []string) {
	if slices.Contains(target, n.id) && !n.leaving.Load() {
		return
	}
	li, ok := n.rt.leaderOf(g.ID())
	if !ok || li.Leader == n.id || slices.Contains(li.Voters, n.id) || slices.Contains(li.Learns, n.id) {
		return
	}
	n.dropGroup(g.ID())
}

// balanceLeaders moves at most one leadership per round from this node
// to a voter that leads fewer than its share (ceil(shards/serving
// nodes)): when this node leads more than its share, or is leaving, or
// leads exactly its share while a node over its share can only hand a
// shard to this node (this node votes there, the other voters are full).
// That last case makes room one hop away; without it a node that votes
// in few shards may never get a leadership while another keeps two.
// Each move lowers the leaders over their share or keeps it and lets the
// over-share leader move next round, so the moves end.
func (n *Node) balanceLeaders() {
	v := n.rt.view()
	serving := 0
	count := map[string]int{}
	for _, nd := range v.Nodes {
		if m, _ := n.rt.nodeMeta(nd.ID); nd.Alive && !m.Leaving {
			serving++
		}
	}
	for _, s := range v.Shards {
		if s.Leader != "" {
			count[s.Leader]++
		}
	}
	if serving < 2 {
		return
	}
	share := (n.shardCount() + serving - 1) / serving
	mine := count[n.id]
	if mine > share || n.leaving.Load() || mine == share && n.neededBelow(v, count, share) {
		n.moveOneLeadership(count, share)
	}
}

// neededBelow reports whether a leader over its share leads a shard in
// which this node votes and every other voter is at its share or above.
func (n *Node) neededBelow(v store.ClusterView, count map[string]int, share int) bool {
	for _, s := range v.Shards {
		if s.Leader == "" || s.Leader == n.id || count[s.Leader] <= share || !slices.Contains(s.Followers, n.id) {
			continue
		}
		room := false
		for _, id := range s.Followers {
			room = room || id != n.id && count[id] < share && n.rt.isAlive(id)
		}
		if !room {
			return true
		}
	}
	return false
}

// moveOneLeadership hands one shard led here to a caught-up, serving
// voter that leads fewer than share; it reports whether it did.
func (n *Node) moveOneLeadership(count map[string]int, share int) bool {
	for _, g := range n.Groups() {
		if !g.IsReadyLeader() {
			continue
		}
		li, _ := n.rt.leaderOf(g.ID())
		for _, id := range li.Voters {
			m, _ := n.rt.nodeMeta(id)
			if id == n.id || !n.rt.isAlive(id) || m.Leaving || count[id] >= share || !n.caughtUp(g, id) {
				continue
			}
			n.log.Info("balancing shard leadership", "shard", g.ID(), "to", id)
			go func() { // a transfer takes up to an election; placement goes on
				if err := g.TransferLeadershipTo(id, m.Cluster); err != nil {
					n.log.Warn("leadership transfer failed", "shard", g.ID(), "error", err)
				}
			}()
			return true
		}
	}
	return false
}
